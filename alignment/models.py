from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from alignment.changes import text_snapshot
from catalog import merging
from catalog.models import SKU, Category, ProductEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


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

    @classmethod
    def scope(cls, category: Category | None) -> models.QuerySet[InstructionTemplate]:
        """Every version of a category's template (None: the default template), newest first."""
        return cls.objects.filter(category=category).order_by("-version")

    @classmethod
    def add_version(
        cls, category: Category | None, *, text: str, by: AbstractBaseUser | None = None
    ) -> InstructionTemplate:
        """Save ``text`` as the scope's next version, a draft until published."""
        for attempt in range(3):
            try:
                with transaction.atomic():
                    latest = cls.scope(category).select_for_update().values_list("version", flat=True).first()
                    return cls.objects.create(
                        category=category, version=(latest or 0) + 1, text=text, created_by=by
                    )
            except IntegrityError:
                # Two editors saved the scope's first version at once (no row to lock): retry.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def publish(self) -> None:
        """Make this version the scope's active one (older or newer versions stay, unpublished)."""
        with transaction.atomic():
            type(self).scope(self.category).select_for_update().exclude(pk=self.pk).filter(
                is_published=True
            ).update(is_published=False)
            self.is_published = True
            self.published_at = timezone.now()
            self.save(update_fields=["is_published", "published_at"])


class MatchQuerySet(models.QuerySet["Match"]):
    def pending_review(self) -> MatchQuerySet:
        return self.filter(status=Match.Status.PENDING)

    def involving(self, sku: SKU | int) -> MatchQuerySet:
        pk = sku if isinstance(sku, int) else sku.pk
        return self.filter(Q(sku_a_id=pk) | Q(sku_b_id=pk))

    def in_review_queue(self) -> MatchQuerySet:
        """Pairs waiting for a reviewer: pending ones and blind audit samples of automatic merges."""
        return self.filter(REVIEW_QUEUE)

    def claimable_by(self, user: Any, *, now: Any) -> MatchQuerySet:
        """Pairs nobody else holds a live claim on."""
        return self.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=user))


# The review queue: pending pairs, plus automatically merged pairs sampled for a
# blind audit (they stay merged while they wait).
REVIEW_QUEUE = Q(status="pending") | Q(status="auto_merged", is_audit_sample=True)


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
    # The two SKUs' texts when a human decided, to tell a material later edit from
    # a typo fix (and to show the reviewer what changed).
    decided_texts = models.JSONField(null=True, blank=True)
    # Why a pair that scored at or above the auto threshold went to review instead
    # (a cannot-link, a same-source conflict, a weak bridge between products).
    hold_reason = models.CharField(max_length=300, blank=True)
    # How much deciding the pair settles, for ordering the review queue: the SKUs
    # in both products plus the other queued pairs touching them. Kept by
    # refresh_review_impact(); 0 until first computed.
    review_impact = models.PositiveIntegerField(default=0)
    # The pair's languages, sorted ("en-zh"), kept with review_impact so the queue
    # can filter by language pair on an index.
    review_languages = models.CharField(max_length=5, blank=True, default="")
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
        indexes = [
            models.Index(fields=["status", "-probability"]),
            # The review queue's order, over queued rows only.
            models.Index(
                fields=["-review_impact", "-probability", "id"],
                condition=REVIEW_QUEUE,
                name="match_review_queue",
            ),
            models.Index(
                fields=["review_languages", "-review_impact", "-probability", "id"],
                condition=REVIEW_QUEUE,
                name="match_review_queue_languages",
            ),
        ]
        permissions = [("review_match", "Can review matches")]

    def __str__(self) -> str:
        return f"Match {self.sku_a_id}~{self.sku_b_id} p={self.probability:.3f} {self.status}"

    @staticmethod
    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if a < b else (b, a)

    @property
    def is_decided(self) -> bool:
        """A human confirmed or rejected the pair: the machine must not override it."""
        return self.status in (Match.Status.CONFIRMED, Match.Status.REJECTED)

    @property
    def is_queued(self) -> bool:
        """The row as loaded is in the review queue (REVIEW_QUEUE, without a query)."""
        return self.status == Match.Status.PENDING or (
            self.status == Match.Status.AUTO_MERGED and self.is_audit_sample
        )

    def other_sku_id(self, sku_id: int) -> int:
        return self.sku_b_id if sku_id == self.sku_a_id else self.sku_a_id

    def confirm(self, *, by: AbstractBaseUser | None, skus_locked: bool = False) -> ProductEvent | None:
        """A reviewer says the pair is one product: record it and merge the two products.

        Returns the merge event, or None when the SKUs already share a product (an
        audited automatic merge, for instance). A confirmed pair is a must-link until
        one of the texts changes.

        ``skus_locked``: the caller's transaction holds both products' locks and set
        ``sku_a`` and ``sku_b`` as read under them (reviews' record_decision does),
        so they are used as they are instead of being read and locked again.
        """
        with transaction.atomic(savepoint=not skus_locked):
            self._decide(Match.Status.CONFIRMED, skus_locked=skus_locked)
            return merging.merge_products(
                self.sku_a,
                self.sku_b,
                via="review",
                actor=by,
                reason=f"Match {self.pk} confirmed",
                match_ref=self.pk,
                locked=skus_locked,
            )

    def reject(self, *, by: AbstractBaseUser | None, skus_locked: bool = False) -> ProductEvent | None:
        """A reviewer says the pair is two products: a lasting cannot-link.

        If the two SKUs currently share a product (an automatic merge the reviewer
        audited), they are split apart: the SKUs that this pair's own merge moved go
        back out when that is still possible, otherwise ``sku_b`` alone leaves.
        Returns the split event, or None when nothing had to move. ``skus_locked``
        as for confirm().
        """
        with transaction.atomic(savepoint=not skus_locked):
            self._decide(Match.Status.REJECTED, skus_locked=skus_locked)
            if skus_locked:
                a, b = self.sku_a, self.sku_b
            else:
                a, b = SKU.objects.select_for_update().filter(pk__in=[self.sku_a_id, self.sku_b_id])
            if a.product_id != b.product_id:
                return None
            return merging.split_skus(
                self._skus_to_split(product_id=a.product_id),
                via="review",
                actor=by,
                reason=f"Match {self.pk} rejected",
                match_ref=self.pk,
            )

    def reopen(self, *, reopened_from: dict[str, Any] | None = None) -> None:
        """Put the pair back in the review queue (after a material text change, or an undo).

        ``reopened_from`` keeps what the earlier decision was made on (old texts and
        status) so the reviewer can compare; without it any earlier record is kept.
        """
        self.status = Match.Status.PENDING
        self.decided_at = None
        self.claimed_by = None
        self.claimed_until = None
        if reopened_from is not None:
            self.reopened_from = reopened_from
        self.save(
            update_fields=[
                "status", "decided_at", "claimed_by", "claimed_until", "reopened_from", "updated_at",
            ]
        )

    def mark_stale(self) -> None:
        """The text of one side changed since scoring: the score no longer applies."""
        self.status = Match.Status.STALE
        self.claimed_by = None
        self.claimed_until = None
        self.save(update_fields=["status", "claimed_by", "claimed_until", "updated_at"])

    def _decide(self, status: str, *, skus_locked: bool = False) -> None:
        if skus_locked:
            a, b = self.sku_a, self.sku_b
        else:
            skus = SKU.objects.in_bulk([self.sku_a_id, self.sku_b_id])
            a, b = skus[self.sku_a_id], skus[self.sku_b_id]
        self.status = status
        self.decided_at = timezone.now()
        self.claimed_by = None
        self.claimed_until = None
        self.decided_texts = {"a": text_snapshot(a), "b": text_snapshot(b)}
        self.save(
            update_fields=[
                "status", "decided_at", "claimed_by", "claimed_until", "decided_texts", "updated_at",
            ]
        )

    def _skus_to_split(self, *, product_id: int) -> list[int]:
        merge = (
            ProductEvent.objects.filter(
                kind=ProductEvent.Kind.MERGE, match_ref=self.pk, product_id=product_id
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if merge is not None:
            moved = set(merge.sku_ids)
            still_here = set(
                SKU.objects.filter(product_id=product_id, pk__in=moved).values_list("pk", flat=True)
            )
            # Undo the merge only if it separates the pair and nothing moved away since.
            if still_here == moved and len(moved & {self.sku_a_id, self.sku_b_id}) == 1:
                return sorted(moved)
        return [self.sku_b_id]


    def claim(self, *, by: AbstractBaseUser, seconds: int) -> None:
        """Lease the pair to one reviewer; the caller holds the row lock."""
        self.claimed_by = by
        self.claimed_until = timezone.now() + timedelta(seconds=seconds)
        self.save(update_fields=["claimed_by", "claimed_until", "updated_at"])

    def release(self) -> None:
        self.claimed_by = None
        self.claimed_until = None
        self.save(update_fields=["claimed_by", "claimed_until", "updated_at"])

    def sample_for_audit(self) -> None:
        """Queue an automatic merge for a blind check; the products stay merged."""
        if self.status != Match.Status.AUTO_MERGED:
            raise ValueError("Only automatically merged pairs are sampled for audit.")
        self.is_audit_sample = True
        self.save(update_fields=["is_audit_sample", "updated_at"])

    def restore_audit_sample(self) -> None:
        """Undo a reviewer's verdict on an audit sample: merged again and waiting for review."""
        self.status = Match.Status.AUTO_MERGED
        self.is_audit_sample = True
        self.decided_at = None
        self.claimed_by = None
        self.claimed_until = None
        self.save(
            update_fields=["status", "is_audit_sample", "decided_at", "claimed_by", "claimed_until", "updated_at"]
        )

    @classmethod
    def refresh_review_impact(
        cls, *, product_ids: list[int] | None = None, match_ids: list[int] | None = None
    ) -> int:
        """Recompute review_impact (and review_languages) for queued pairs: those touching
        ``product_ids``, the given ``match_ids``, or (neither given) all of them.

        A pair's impact is the number of SKUs in its two products plus the number of
        other queued pairs touching either product. Exact for the pairs it updates:
        a decision changes only the products it involved. Returns the rows updated.
        """
        from django.db import connection

        queue = "(m.status = 'pending' OR (m.status = 'auto_merged' AND m.is_audit_sample))"
        other = queue.replace("m.", "o.")
        params: list[int] = []
        if match_ids is not None:
            if not match_ids:
                return 0
            marks = ", ".join(["%s"] * len(match_ids))
            scope = f"SELECT m.id FROM alignment_match m WHERE m.id IN ({marks}) AND {queue}"
            params = list(match_ids)
        elif product_ids is None:
            scope = f"SELECT m.id FROM alignment_match m WHERE {queue}"
        else:
            if not product_ids:
                return 0
            marks = ", ".join(["%s"] * len(product_ids))
            scope = (
                "SELECT m.id FROM alignment_match m JOIN catalog_sku s ON s.id = m.sku_a_id "
                f"WHERE s.product_id IN ({marks}) AND {queue} UNION "
                "SELECT m.id FROM alignment_match m JOIN catalog_sku s ON s.id = m.sku_b_id "
                f"WHERE s.product_id IN ({marks}) AND {queue}"
            )
            params = [*product_ids, *product_ids]
        # A row another transaction holds (a reviewer deciding it, say) is left as it
        # is rather than waited for: the order is a heuristic, and waiting deadlocks.
        skip_locked = "FOR UPDATE OF m SKIP LOCKED" if connection.vendor == "postgresql" else ""
        # Set-based, so one statement serves a single decision (a few index lookups)
        # and a full refresh of a million rows (hash joins) alike.
        sql = f"""
            WITH target AS (
                SELECT m.id AS id, sa.product_id AS pa, sb.product_id AS pb,
                       CASE WHEN sa.language <= sb.language THEN sa.language || '-' || sb.language
                            ELSE sb.language || '-' || sa.language END AS languages
                FROM alignment_match m
                JOIN catalog_sku sa ON sa.id = m.sku_a_id
                JOIN catalog_sku sb ON sb.id = m.sku_b_id
                WHERE m.id IN ({scope})
                {skip_locked}
            ),
            products AS (SELECT pa AS p FROM target UNION SELECT pb FROM target),
            near AS (
                SELECT o.id AS id, x.product_id AS pa, ob.product_id AS pb
                FROM products JOIN catalog_sku x ON x.product_id = products.p
                JOIN alignment_match o ON o.sku_a_id = x.id
                JOIN catalog_sku ob ON ob.id = o.sku_b_id
                WHERE {other}
                UNION
                SELECT o.id, oa.product_id, x.product_id
                FROM products JOIN catalog_sku x ON x.product_id = products.p
                JOIN alignment_match o ON o.sku_b_id = x.id
                JOIN catalog_sku oa ON oa.id = o.sku_a_id
                WHERE {other}
            ),
            touch AS (
                SELECT p, COUNT(*) AS n FROM (SELECT id, pa AS p FROM near UNION SELECT id, pb FROM near) t
                GROUP BY p
            ),
            linking AS (
                SELECT CASE WHEN pa < pb THEN pa ELSE pb END AS lo, CASE WHEN pa < pb THEN pb ELSE pa END AS hi,
                       COUNT(*) AS n
                FROM near WHERE pa <> pb GROUP BY 1, 2
            ),
            size AS (
                SELECT x.product_id AS p, COUNT(*) AS n
                FROM products JOIN catalog_sku x ON x.product_id = products.p GROUP BY x.product_id
            ),
            -- One row per product, so the UPDATE joins two relations per pair, not four
            -- (fewer join orders to plan on every decision).
            stats AS (SELECT size.p, size.n AS skus, touch.n AS pairs FROM size JOIN touch ON touch.p = size.p)
            UPDATE alignment_match SET review_impact = CASE
                WHEN target.pa = target.pb THEN a.skus + a.pairs - 1
                ELSE a.skus + b.skus + a.pairs + b.pairs - COALESCE(linking.n, 0) - 1 END,
                review_languages = target.languages
            FROM target
            JOIN stats a ON a.p = target.pa JOIN stats b ON b.p = target.pb
            LEFT JOIN linking ON linking.lo = CASE WHEN target.pa < target.pb THEN target.pa ELSE target.pb END
                AND linking.hi = CASE WHEN target.pa < target.pb THEN target.pb ELSE target.pa END
            WHERE alignment_match.id = target.id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.rowcount < 0 and connection.vendor == "sqlite":
                # sqlite3 reports no row count for a statement that starts with WITH.
                cursor.execute("SELECT changes()")
                return cursor.fetchone()[0]
            return cursor.rowcount

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


class SKUEmbedding(models.Model):
    """A SKU's stored embedding vector, recomputed only when its text changes.

    ``vector`` holds ``dim`` little-endian float32 values (L2-normalised); ``model``
    names the embedding model and revision, so a model change re-embeds.
    """

    sku = models.OneToOneField(SKU, models.CASCADE, primary_key=True, related_name="embedding")
    content_hash = models.CharField(max_length=32)
    model = models.CharField(max_length=200)
    dim = models.PositiveIntegerField()
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Embedding of SKU {self.sku_id} ({self.model}, {self.dim}d)"


class CategoryThreshold(models.Model):
    """Per-category routing thresholds, overriding the settings for a category tree."""

    category = models.OneToOneField(Category, models.CASCADE, related_name="threshold")
    auto = models.FloatField(help_text="Merge automatically at or above this probability.")
    review = models.FloatField(help_text="Send to review at or above this probability.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(review__gte=0) & Q(review__lt=F("auto")) & Q(auto__lte=1),
                name="threshold_review_below_auto",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: review {self.review:.2f}, auto {self.auto:.2f}"


class Calibration(models.Model):
    """A fitted mapping from one scorer's raw scores to probabilities.

    ``python manage.py calibrate`` fits one per scorer (``language_pair`` empty)
    and one per language pair that has enough labels ("en-zh": codes sorted).
    Only the active fit for a scorer, model revision and pair is used; older
    fits stay as the record of how calibration evolved.
    """

    class Method(models.TextChoices):
        PLATT = "platt", "Platt (logistic on the score's logit)"
        ISOTONIC = "isotonic", "Isotonic"
        IDENTITY = "identity", "Identity"

    scorer = models.CharField(max_length=100)
    model_revision = models.CharField(max_length=200, blank=True)
    language_pair = models.CharField(max_length=20, blank=True, help_text='"en-zh"; empty for all pairs.')
    method = models.CharField(max_length=10, choices=Method.choices)
    params = models.JSONField(default=dict)
    label_count = models.PositiveIntegerField()
    positives = models.PositiveIntegerField()
    ece = models.FloatField(help_text="Expected calibration error on held-out labels (10 bins).")
    log_loss = models.FloatField(help_text="Log loss on held-out labels.")
    is_active = models.BooleanField(default=True)
    fitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scorer", "language_pair", "-fitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorer", "model_revision", "language_pair"],
                condition=Q(is_active=True),
                name="calibration_one_active",
            )
        ]

    def __str__(self) -> str:
        pair = self.language_pair or "all pairs"
        return f"{self.scorer} {pair}: {self.method}, {self.label_count} labels, ECE {self.ece:.3f}"


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A key an integration sends as ``Authorization: Token <key>`` (or ``Bearer``).

    Only a SHA-256 hash of the key is stored: the key itself is shown once, when
    it is created (admin or ``manage.py create_api_token``), and cannot be recovered.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. the integration's name.")
    # The key's first characters, to tell keys apart in lists without revealing them.
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.user})"

    @classmethod
    def issue(cls, user: AbstractBaseUser, *, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns it with the plain key, which is never stored."""
        key = f"ska_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(user=user, name=name, prefix=key[:12], key_hash=hash_api_key(key))
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> ApiToken | None:
        """The live token for a plain key (its user active, not revoked), else None."""
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_api_key(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is not None:
            now = timezone.now()
            # Record use at most once a minute: no write on every request.
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
        return token


class RescoreRun(models.Model):
    """Re-scoring of the open pairs an instruction template governs, after it is published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    template = models.ForeignKey(InstructionTemplate, models.CASCADE, related_name="rescore_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # How many pairs moved between statuses: {"pending->discarded": 3, ...}.
    moved = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Re-score with {self.template}: {self.status} {self.done}/{self.total}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RescoreRun.Status.DONE, RescoreRun.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
