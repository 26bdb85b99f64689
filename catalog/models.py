from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)


class Language(models.TextChoices):
    ZH = "zh", "Chinese"
    EN = "en", "English"
    FR = "fr", "French"
    ES = "es", "Spanish"
    DE = "de", "German"


PATH_SEPARATOR = " > "


class Category(models.Model):
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children"
    )
    # The full path ("Home > Kitchen > Kettles"), kept in step with name and parent.
    path = models.CharField(max_length=1000, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.path

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = self.compute_path()
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        if self.parent_id is None:
            return self.name
        return f"{self.parent.path}{PATH_SEPARATOR}{self.name}"

    def ancestors(self) -> list[Category]:
        """This category and its parents, nearest first."""
        chain: list[Category] = []
        node: Category | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def root(self) -> Category:
        return self.ancestors()[-1]

    def tree_ids(self) -> list[int]:
        """Primary keys of this category and every category below it."""
        prefix = self.path + PATH_SEPARATOR
        below = Category.objects.filter(path__startswith=prefix).values_list("pk", flat=True)
        return [self.pk, *below]

    @classmethod
    def get_or_create_path(cls, path: str) -> Category:
        """Return the category for "A > B > C", creating missing levels."""
        parent: Category | None = None
        for name in split_category_path(path):
            parent, _ = cls.objects.get_or_create(parent=parent, name=name)
        if parent is None:
            raise ValueError("empty category path")
        return parent


def split_category_path(path: str) -> list[str]:
    return [part.strip() for part in path.split(">") if part.strip()]


class ProductQuerySet(models.QuerySet["Product"]):
    def live(self) -> ProductQuerySet:
        """Products that have not been merged into another product."""
        return self.filter(merged_into__isnull=True)


class Product(models.Model):
    """A cluster of SKUs that describe the same real product.

    The id is stable: when two products merge, the older one keeps its id and the
    other points at it through ``merged_into``.
    """

    merged_into = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="absorbed"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        label = self.display_title()
        return f"Product {self.pk}: {label}" if label else f"Product {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", args=[self.pk])

    def display_title(self) -> str:
        skus = sorted(self.skus.all(), key=lambda s: LANGUAGE_ORDER.get(s.language, 99))
        return skus[0].title if skus else ""

    def skus_by_language(self) -> list[tuple[str, str, list[SKU]]]:
        """(code, name, SKUs) for each catalog language in order, for side-by-side views."""
        columns: dict[str, list[SKU]] = {code: [] for code in Language.values}
        for sku in self.skus.select_related("category").order_by("source", "sku_code"):
            columns.setdefault(sku.language, []).append(sku)
        names = dict(Language.choices)
        return [(code, names.get(code, code), skus) for code, skus in columns.items()]

    def resolve(self) -> Product:
        """Follow merges to the live product this one now belongs to."""
        product = self
        seen = {product.pk}
        while product.merged_into_id is not None and product.merged_into_id not in seen:
            seen.add(product.merged_into_id)
            product = product.merged_into  # type: ignore[assignment]
        return product


LANGUAGE_ORDER = {code: index for index, code in enumerate(Language.values)}

# Fields whose text defines what a SKU says; a change to any of them changes the
# content hash and makes the SKU's alignment stale.
TEXT_FIELDS = ("title", "description", "brand", "attributes", "language")


# Built once: content_hash runs for every row of every import.
HASH_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(
    *, title: str, description: str, brand: str, attributes: Any, language: str
) -> str:
    payload = HASH_ENCODER.encode(
        [language, title.strip(), description.strip(), brand.strip(), attributes or {}]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class SKUQuerySet(models.QuerySet["SKU"]):
    def for_language(self, language: str) -> SKUQuerySet:
        return self.filter(language=language)


class SKU(models.Model):
    """One description of one product in one language."""

    source = models.CharField(max_length=100, help_text="The shop or system the row came from.")
    sku_code = models.CharField(max_length=200)
    language = models.CharField(max_length=2, choices=Language.choices)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    category = models.ForeignKey(
        Category, models.SET_NULL, null=True, blank=True, related_name="skus"
    )
    product = models.ForeignKey(Product, models.PROTECT, related_name="skus")
    # Ground truth from the import: rows sharing a product_ref are the same product.
    product_ref = models.CharField(max_length=200, blank=True, db_index=True)
    content_hash = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SKUQuerySet.as_manager()

    class Meta:
        verbose_name = "SKU"
        ordering = ["source", "sku_code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "sku_code"], name="sku_unique_code_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.sku_code} [{self.language}] {self.title[:60]}"

    def compute_content_hash(self) -> str:
        return content_hash(
            title=self.title,
            description=self.description,
            brand=self.brand,
            attributes=self.attributes,
            language=self.language,
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.content_hash = self.compute_content_hash()
        if self.product_id is None:
            self.product = Product.objects.create()
        super().save(*args, **kwargs)

    def text(self, *, with_description: bool = True) -> str:
        """The SKU as one text for scoring: brand, title, attributes, description."""
        parts = [self.title]
        if self.brand and self.brand.lower() not in self.title.lower():
            parts.insert(0, self.brand)
        if self.attributes:
            parts.append("; ".join(f"{k}: {v}" for k, v in self.attributes.items()))
        if with_description and self.description:
            parts.append(self.description)
        return "\n".join(parts)


class ProductEvent(models.Model):
    """Append-only history of what happened to products: merges and splits."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Merge"
        SPLIT = "split", "Split"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The product that survived the merge, or the product a split took SKUs from.
    product = models.ForeignKey(Product, models.PROTECT, related_name="events")
    # The product merged away, or the new product a split created.
    other_product = models.ForeignKey(
        Product, models.PROTECT, related_name="+", null=True, blank=True
    )
    sku_ids = models.JSONField(default=list, help_text="SKUs that moved.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "auto", "import", "review", "admin", "undo": who or what made the change.
    via = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    # The alignment match behind the change, as a plain reference: the catalog
    # does not depend on the alignment app.
    match_ref = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of product {self.product_id} ({self.via})"


class ImportJob(models.Model):
    """One uploaded catalog file: checked first (a dry run), then imported on confirm."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CHECKED = "checked", "Checked, waiting for confirmation"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Emptied, with errors_file, when the retention policy removes the stored files.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Whether the queued or running pass only checks the file (writes nothing).
    dry_run = models.BooleanField(default=True)
    # Counts and samples of the check ("new", "updated", "unchanged", "invalid").
    dry_run_results = models.JSONField(default=dict, blank=True)
    # Counts and samples of the real import.
    results = models.JSONField(default=dict, blank=True)
    # Counts of the pass in progress (or the last one), updated chunk by chunk.
    new_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_processed = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_processed = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # The first invalid rows as {"row", "column", "message"}; all of them are in errors_file.
    errors = models.JSONField(default=list, blank=True)
    errors_file = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True)
    # Why the whole file was refused (encoding, header, size), if it was.
    error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the stored files were deleted (CATALOG_IMPORT_FILE_RETENTION_DAYS); the
    # record, its counts, samples and first errors stay.
    files_purged_at = models.DateTimeField(null=True, blank=True)

    # A pass is over: the files are no longer read (a check waits for a confirm that
    # may never come; confirming is refused once its file is purged).
    FINISHED = (Status.CHECKED, Status.DONE, Status.FAILED)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.original_name} ({self.get_status_display()})"

    def purge_files(self) -> bool:
        """Delete the stored upload and invalid rows' CSV, keep the record; True if this call did.

        Only a finished job's files go, never those of a queued or running one. The
        job row is locked and marked before the files go (after the commit), so a
        confirm at the same moment either queues the job first (its file stays) or
        finds the file purged and is refused.
        """
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update()
                .filter(pk=self.pk, status__in=self.FINISHED, files_purged_at__isnull=True)
                .first()
            )
            if job is None:
                return False
            names = [f.name for f in (job.file, job.errors_file) if f]
            job.file, job.errors_file, job.files_purged_at = "", "", timezone.now()
            job.save(update_fields=["file", "errors_file", "files_purged_at", "updated_at"])
            storage = job.file.storage
            transaction.on_commit(lambda: _delete_stored(storage, names))
        self.refresh_from_db(fields=["file", "errors_file", "files_purged_at", "updated_at"])
        return True

    @property
    def files_kept_days(self) -> int | None:
        """How many days after the import finished its files were purged (None: not purged)."""
        if self.files_purged_at is None or self.finished_at is None:
            return None
        return (self.files_purged_at - self.finished_at).days

    def get_absolute_url(self) -> str:
        return reverse("catalog:import_job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def progress_percent(self) -> int:
        """How far the running pass is: rows once they are counted, bytes before."""
        if self.status in (self.Status.CHECKED, self.Status.DONE):
            return 100
        if self.rows_total:
            return min(100, int(100 * self.rows_processed / self.rows_total))
        if self.bytes_total:
            # Counting rows is the first half of the work.
            return min(50, int(50 * self.bytes_processed / self.bytes_total))
        return 0


@receiver(post_delete, sender=ImportJob, dispatch_uid="catalog.delete_import_files")
def _delete_import_files(sender: type[ImportJob], instance: ImportJob, **kwargs: Any) -> None:
    """A deleted import (admin, one or many) takes its stored files along, once the delete commits."""
    names = [f.name for f in (instance.file, instance.errors_file) if f]
    storage = instance.file.storage
    transaction.on_commit(lambda: _delete_stored(storage, names))


def _delete_stored(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        try:
            storage.delete(name)  # a file already gone is no error
        except OSError:
            logger.exception("Could not delete the stored import file %s", name)
