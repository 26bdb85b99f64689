from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from alignment.models import Match
from catalog.models import ProductEvent


class AppendOnlyError(RuntimeError):
    """Decisions are the audit trail: they are written once and never changed."""


class DecisionQuerySet(models.QuerySet["Decision"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Decisions cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Decisions cannot be deleted.")

    def by(self, user: Any) -> DecisionQuerySet:
        return self.filter(reviewer=user)

    def verdicts(self) -> DecisionQuerySet:
        """Confirms and rejects: the decisions that settle a pair."""
        return self.filter(action__in=[Decision.Action.CONFIRM, Decision.Action.REJECT])

    def standing(self) -> DecisionQuerySet:
        """Decisions that have not been undone."""
        return self.filter(undone_by__isnull=True)


class Decision(models.Model):
    """One human action on one pair, recorded exactly as the reviewer saw it.

    Append-only: an undo is a new Decision pointing at the one it undoes. The
    texts and probability shown are copied in, so the record still says what
    was decided on after the SKUs are edited.
    """

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        REJECT = "reject", "Rejected"
        SKIP = "skip", "Skipped"
        UNDO = "undo", "Undid"

    match = models.ForeignKey(Match, models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="review_decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    note = models.TextField(blank=True)
    # What the reviewer saw: the probability (hidden from them when ``blind``).
    probability = models.FloatField(null=True, blank=True)
    blind = models.BooleanField(default=False)
    status_before = models.CharField(max_length=20)
    status_after = models.CharField(max_length=20)
    # {"a": {"sku_id", "source", "sku_code", "language", "title", "description",
    # "brand", "attributes", "content_hash"}, "b": {...}}
    seen = models.JSONField(default=dict)
    # The merge or split this action caused, if any.
    product_event = models.ForeignKey(
        ProductEvent, models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    undoes = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="undone_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["reviewer", "-created_at"], name="decision_reviewer_recent"),
            models.Index(fields=["match", "-created_at"], name="decision_match_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.get_action_display().lower()} match {self.match_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Decisions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Decisions cannot be deleted.")
