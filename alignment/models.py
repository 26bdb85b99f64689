from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from catalog.models import SKU, Category


class InstructionTemplate(models.Model):
    """One version of the instruction that steers the reranker for a category.

    A category with no template uses the default (``category`` is null). Every save
    creates a new row; old versions stay for audit and every Match names the one
    that scored it.
    """

    category = models.ForeignKey(
        Category, models.CASCADE, null=True, blank=True, related_name="instruction_templates"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["category_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "version"],
                condition=Q(category__isnull=False),
                name="instruction_unique_version_per_category",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(category__isnull=True),
                name="instruction_unique_default_version",
            ),
        ]

    def __str__(self) -> str:
        scope = self.category.path if self.category_id else "default"
        return f"{scope} v{self.version}"


class MatchQuerySet(models.QuerySet["Match"]):
    def pending_review(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.PENDING)

    def involving(self, sku: SKU | int) -> MatchQuerySet:
        pk = sku if isinstance(sku, int) else sku.pk
        return self.filter(Q(sku_a_id=pk) | Q(sku_b_id=pk))


class Match(models.Model):
    """A scored candidate pair of SKUs; one row per unordered pair (sku_a < sku_b)."""

    class Status(models.TextChoices):
        AUTO_MERGED = "auto_merged", "Merged automatically"
        PENDING = "pending", "Pending review"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"
        DISCARDED = "discarded", "Discarded"
        STALE = "stale", "Stale"

    sku_a = models.ForeignKey(SKU, models.CASCADE, related_name="+")
    sku_b = models.ForeignKey(SKU, models.CASCADE, related_name="+")
    probability = models.FloatField(help_text="Calibrated probability that the pair is one product.")
    raw_score = models.FloatField(help_text="The scorer's output before calibration.")
    scorer = models.CharField(max_length=100)
    model_revision = models.CharField(max_length=200, blank=True)
    instruction = models.ForeignKey(
        InstructionTemplate, models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    instruction_version = models.PositiveIntegerField(null=True, blank=True)
    # How retrieval found the pair: {"embedding_rank": 1, "lexical_rank": 3, ...}.
    retrieval = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    hash_a = models.CharField(max_length=32)
    hash_b = models.CharField(max_length=32)
    # Review workflow: a pair leased to one reviewer for a few minutes, and pairs
    # sampled blind from automatic merges to measure their precision.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    is_audit_sample = models.BooleanField(default=False)
    # When a human-decided pair is re-opened after a material text change, the
    # texts the earlier decision was made on: {"a": {...}, "b": {...}, "status": ...}.
    reopened_from = models.JSONField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sku_a", "sku_b"], name="match_unique_pair"),
            models.CheckConstraint(condition=Q(sku_a__lt=F("sku_b")), name="match_ordered_pair"),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]
        permissions = [("review_match", "Can review matches")]

    def __str__(self) -> str:
        return f"Match {self.sku_a_id}~{self.sku_b_id} p={self.probability:.3f} {self.status}"

    @staticmethod
    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if a < b else (b, a)


class AlignmentState(models.Model):
    """Where one SKU stands in the alignment pipeline, so no change is ever lost."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    sku = models.OneToOneField(SKU, models.CASCADE, primary_key=True, related_name="alignment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The content hash the SKU had when it was last aligned (empty until then).
    aligned_hash = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"SKU {self.sku_id}: {self.status}"
