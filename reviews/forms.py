from __future__ import annotations

from typing import Any

from django import forms

from catalog.models import Category, Language
from reviews import queue
from reviews.models import Decision

LANGUAGE_PAIRS = [
    (f"{a}-{b}", f"{Language(a).label} – {Language(b).label}")
    for i, a in enumerate(sorted(Language.values))
    for b in sorted(Language.values)[i + 1 :]
]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(parent__isnull=True), required=False, empty_label="All categories"
    )
    languages = forms.ChoiceField(choices=[("", "All language pairs"), *LANGUAGE_PAIRS], required=False)
    band = forms.ChoiceField(
        choices=[("", "All scores"), *[(key, label) for key, label, *_ in queue.BANDS]], required=False
    )
    source = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, sources: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sources is None:
            # Pages that only apply the filters (pair, next, decide) list no sources: an
            # unknown one matches no pair. Counting them (a grouped pass over the whole
            # queue when the cached counts expire) would stall a decision for a second.
            self.fields["source"] = forms.CharField(required=False, max_length=100)
            return
        self.fields["source"].choices = [("", "All sources"), *[(s, s) for s in sorted(sources)]]

    def filters(self) -> queue.Filters:
        """The valid filters (an invalid field is ignored, and shown as an error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        languages = data.get("languages") or ""
        return queue.Filters(
            category=data.get("category"),
            languages=tuple(languages.split("-")) if languages else None,  # type: ignore[arg-type]
            band=data.get("band") or "",
            source=data.get("source") or "",
        )


def read_filters(params: Any, *, sources: list[str] | None = None) -> tuple[QueueFilterForm, queue.Filters]:
    """The form and its valid filters; ``sources`` (the queue page's, from the cached
    counts) makes the source a choice among them."""
    form = QueueFilterForm(params, sources=sources)
    form.is_valid()
    return form, form.filters()


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (Decision.Action.CONFIRM, "Confirm: same product"),
            (Decision.Action.REJECT, "Reject: different products"),
            (Decision.Action.SKIP, "Skip"),
        ]
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Note (optional): why, what differs…"}),
    )
    # The content hashes of the texts the reviewer was shown.
    hash_a = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    hash_b = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def seen_hashes(self) -> tuple[str, str] | None:
        a, b = self.cleaned_data.get("hash_a"), self.cleaned_data.get("hash_b")
        return (a, b) if a and b else None


class UndoForm(forms.Form):
    # Empty: the reviewer's latest decision that can still be undone.
    decision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
