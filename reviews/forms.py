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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The sources that have queued pairs, from the cached counts: a DISTINCT over
        # every SKU would cost more than the rest of the page.
        sources = sorted(source for source, _ in queue.facet_counts()["sources"])
        self.fields["source"].choices = [("", "All sources"), *[(s, s) for s in sources]]

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


def read_filters(params: Any) -> tuple[QueueFilterForm, queue.Filters]:
    form = QueueFilterForm(params)
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
