"""CSV catalog import: parse -> validate -> upsert, as plain functions.

The task, the ``import_catalog`` command and the import page all call
``import_file`` (``catalog.importjobs`` runs it for a stored upload). A file is
read twice, both times as a stream (``catalog.csvfiles``): the first pass
counts the rows and finds the duplicate codes; the second validates rows
and writes them in chunks, each chunk in its own transaction. A row is fully
validated before anything is written, so an invalid row is reported and never
half-applied, and the valid rows around it are imported.

Upserts key on (source, sku_code). Re-importing a file changes nothing; rows
whose text changed are updated and announced with ``catalog.signals.sku_changed``
after their chunk commits, together with the new SKUs.
"""

from __future__ import annotations

import functools
import json
import os
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import BooleanField, ProtectedError, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.csvfiles import (
    DELIMITER_NAMES,
    REQUIRED,
    ErrorsCsv,
    FileFormat,
    ImportFileError,
    read_format,
    records,
)
from catalog.languages import detect_language, normalize_language
from catalog.models import (
    PATH_SEPARATOR,
    SKU,
    Category,
    Language,
    Product,
    content_hash,
    split_category_path,
)
from catalog.signals import announce_on_commit

MAX_LENGTHS = {
    "source": SKU._meta.get_field("source").max_length,
    "sku_code": SKU._meta.get_field("sku_code").max_length,
    "title": SKU._meta.get_field("title").max_length,
    "brand": SKU._meta.get_field("brand").max_length,
    "product_ref": SKU._meta.get_field("product_ref").max_length,
    "category": Category._meta.get_field("path").max_length,
    "description": 20_000,
}
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
SAMPLE_SIZE = 5
REPORTED_ERRORS = 200
JSON_ENCODER = json.JSONEncoder(ensure_ascii=False)
KINDS = ("new", "updated", "unchanged", "invalid")
UPDATABLE_FIELDS = (
    "language", "title", "description", "brand", "attributes", "category", "product_ref",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}" if self.column else self.message


@dataclass
class ImportReport:
    """What an import found and did; also the progress while it runs."""

    dry_run: bool
    bytes_total: int = 0
    bytes_processed: int = 0
    rows_total: int | None = None
    rows_processed: int = 0
    encoding: str = ""
    delimiter: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)

    def count(self, kind: str, sample: dict[str, Any]) -> None:
        self.counts[kind] += 1
        if len(self.samples[kind]) < SAMPLE_SIZE:
            self.samples[kind].append(sample)

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "samples": self.samples,
            "rows_total": self.rows_total,
            "new_categories": self.new_categories[:50],
            "new_categories_count": len(self.new_categories),
        }

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{self.rows_processed} rows: {c['new']} new, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['invalid']} invalid"
        )
        return f"{text} (dry run: nothing was written)" if self.dry_run else text


@dataclass(slots=True)
class Row:
    number: int
    cells: list[str]
    source: str
    sku_code: str
    language: str
    title: str
    description: str
    brand: str
    category: str
    attributes: dict[str, Any]
    product_ref: str
    content_hash: str

    def sample(self, **extra: Any) -> dict[str, Any]:
        return {
            "row": self.number, "source": self.source, "sku_code": self.sku_code,
            "language": self.language, "title": self.title[:120], **extra,
        }


ProgressCallback = Callable[[ImportReport], None]


def _key_hash(source: str, sku_code: str) -> int:
    # Within one process Python's string hash is stable, which is all the two
    # passes need; 0 marks rows without a usable key.
    return hash((source, sku_code)) or 1


def _scan(path: str | Path, fmt: FileFormat, report: ImportReport,
          on_progress: ProgressCallback | None) -> dict[int, list[int]]:
    """Count the rows and find duplicate keys: row number -> the other rows with its key.

    Keys are kept as 8-byte hashes in an array, so memory grows by 16 bytes a
    row (hash and row number) rather than by the size of the codes. Two
    different codes sharing a 64-bit hash (odds about 1e-8 for a million rows)
    would be reported as duplicates: a false alarm, never a wrong write.
    """
    hashes = array("q")
    numbers = array("l")
    source_at, code_at = fmt.columns["source"], fmt.columns["sku_code"]
    with open(path, encoding=fmt.encoding, newline="") as f:
        for count, (number, cells) in enumerate(records(f, fmt), start=1):
            source = cells[source_at].strip() if len(cells) > source_at else ""
            code = cells[code_at].strip() if len(cells) > code_at else ""
            hashes.append(_key_hash(source, code) if source and code else 0)
            numbers.append(number)
            if on_progress and count % 20_000 == 0:
                report.bytes_processed = f.buffer.tell()
                on_progress(report)
    report.rows_total = len(hashes)
    report.bytes_processed = report.bytes_total
    if not hashes:
        raise ImportFileError("The file has a header but no rows.")
    keys = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = np.flatnonzero((ordered[1:] == ordered[:-1]) & (ordered[1:] != 0))
    groups: dict[int, list[int]] = defaultdict(list)
    for position in same:
        groups[int(ordered[position])].extend(
            (int(order[position]), int(order[position + 1]))
        )
    duplicates: dict[int, list[int]] = {}
    for indexes in groups.values():
        rows = sorted({numbers[i] for i in indexes})
        for row in rows:
            duplicates[row] = [other for other in rows if other != row]
    return duplicates


# ---------------------------------------------------------------- validation


def validate_row(number: int, cells: list[str], fmt: FileFormat,
                 duplicates: dict[int, list[int]]) -> Row | list[RowError]:
    """The row ready to write, or every problem it has."""
    errors: list[RowError] = []
    values: dict[str, str] = {}
    width = len(cells)
    for name, index in fmt.columns.items():
        value = cells[index].strip() if index < width else ""
        if "\x00" in value:
            errors.append(RowError(number, name, "contains a NUL character"))
            value = value.replace("\x00", "")
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors.append(RowError(number, name, f"is {len(value)} characters long; the limit is {limit}"))
        values[name] = value
    if width > len(fmt.header) and any(cell.strip() for cell in cells[len(fmt.header):]):
        errors.append(RowError(
            number, "", f"the row has {len(cells)} cells but the header has {len(fmt.header)} "
                        "columns (a delimiter inside an unquoted cell?)"))
    for name in REQUIRED:
        if not values[name]:
            errors.append(RowError(number, name, "is required"))
    if number in duplicates:
        others = ", ".join(str(n) for n in duplicates[number])
        errors.append(RowError(
            number, "sku_code",
            f"{values['sku_code']!r} of source {values['source']!r} also appears on row(s) "
            f"{others}; none of these rows is imported: keep one and upload again"))

    attributes: Any = {}
    if values.get("attributes"):
        try:
            attributes = json.loads(values["attributes"])
        except ValueError as exc:
            errors.append(RowError(number, "attributes", f"is not valid JSON ({exc})"))
        else:
            if not isinstance(attributes, dict):
                errors.append(RowError(
                    number, "attributes",
                    f'must be a JSON object like {{"colour": "white"}}, not a {_json_kind(attributes)}'))

    category = ""
    if values.get("category"):
        category, too_long = _category_path(values["category"])
        if too_long:
            errors.append(RowError(
                number, "category", f"a level is longer than {CATEGORY_NAME_MAX} characters"))

    language = ""
    if values.get("language"):
        language = normalize_language(values["language"]) or ""
        if not language:
            errors.append(RowError(
                number, "language",
                f"{values['language']!r} is not one of {', '.join(Language.values)}"))
    elif values["title"]:
        detection = detect_language(f"{values['title']}\n{values.get('description', '')}")
        if detection.language is None:
            errors.append(RowError(number, "language", detection.message))
        language = detection.language or ""

    if errors:
        return errors
    description, brand = values.get("description", ""), values.get("brand", "")
    return Row(
        number=number, cells=cells, source=values["source"], sku_code=values["sku_code"],
        language=language, title=values["title"], description=description, brand=brand,
        category=category, attributes=attributes, product_ref=values.get("product_ref", ""),
        content_hash=content_hash(
            title=values["title"], description=description, brand=brand,
            attributes=attributes, language=language,
        ),
    )


@functools.lru_cache(maxsize=4096)
def _category_path(raw: str) -> tuple[str, bool]:
    """("A > B > C" normalized, whether a level is too long); files repeat their categories."""
    parts = split_category_path(raw)
    return PATH_SEPARATOR.join(parts), any(len(part) > CATEGORY_NAME_MAX for part in parts)


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


# ---------------------------------------------------------------- writing


@dataclass
class _Caches:
    """What stays known across the chunks of one file (only what was committed)."""

    # Category path -> id (None: does not exist yet, in a dry run).
    categories: dict[str, int | None] = field(default_factory=dict)
    # product_ref -> the product its rows join in this file.
    products: dict[str, int] = field(default_factory=dict)
    # The refs whose product this import created (no existing SKU had joined them yet).
    fresh: set[str] = field(default_factory=set)


@dataclass
class _Chunk:
    """One chunk's outcome, taken into the caches and the report once it committed."""

    announce: list[int] = field(default_factory=list)
    categories: dict[str, int | None] = field(default_factory=dict)
    new_categories: list[str] = field(default_factory=list)
    products: dict[str, int] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)
    # (kind, row, changed fields) of each valid row.
    counted: list[tuple[str, Row, list[str]]] = field(default_factory=list)


class _Writer:
    def __init__(self, fmt: FileFormat, report: ImportReport, *, group_refs: bool = True) -> None:
        self.report = report
        self.group_refs = group_refs
        self.caches = _Caches()
        # Optional columns missing from the header leave existing values alone.
        self.present = {"language", "title", *fmt.columns}

    def write(self, rows: list[Row]) -> None:
        """Write one chunk in one transaction and announce it after commit."""
        if self.report.dry_run:
            self._commit(self._apply(rows))
            return
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    chunk = self._apply(rows)
                    announce_on_commit(chunk.announce)
            except IntegrityError:
                # Another import created some of these codes meanwhile: the chunk was
                # rolled back whole, so classify and write it again against the new state.
                if attempt == 2:
                    raise
            else:
                self._commit(chunk)
                return

    def _commit(self, chunk: _Chunk) -> None:
        self.caches.categories.update(chunk.categories)
        self.caches.products.update(chunk.products)
        self.caches.fresh = (self.caches.fresh | chunk.fresh) - chunk.joined
        self.report.new_categories.extend(chunk.new_categories)
        samples = self.report.samples
        for kind, row, changes in chunk.counted:
            self.report.counts[kind] += 1
            if len(samples[kind]) < SAMPLE_SIZE:
                samples[kind].append(row.sample(changes=changes) if changes else row.sample())

    def _apply(self, rows: list[Row]) -> _Chunk:
        """Classify a chunk's valid rows and, unless a dry run, write them."""
        chunk = _Chunk()
        existing = _existing(rows)
        self._resolve_categories({row.category for row in rows if row.category}, chunk)
        new_rows: list[Row] = []
        updated: list[SKU] = []
        now = timezone.now()
        for row in rows:
            current = existing.get((row.source, row.sku_code))
            if current is None:
                new_rows.append(row)
                chunk.counted.append(("new", row, []))
                continue
            sku, changed = self._updated(current, row, chunk.categories.get(row.category))
            if sku is None:
                chunk.counted.append(("unchanged", row, []))
                continue
            chunk.counted.append(("updated", row, changed))
            if sku.content_hash != current["content_hash"]:
                chunk.announce.append(sku.pk)
            sku.updated_at = now
            updated.append(sku)
        if self.report.dry_run:
            return chunk
        self._join_existing(rows, existing, chunk)
        product_ids = self._product_ids(new_rows, rows, existing, chunk)
        created = _insert(SKU, [
            {
                "source": row.source, "sku_code": row.sku_code, "language": row.language,
                "title": row.title, "description": row.description, "brand": row.brand,
                "attributes": row.attributes, "category_id": chunk.categories.get(row.category),
                "product_id": product_id, "product_ref": row.product_ref,
                "content_hash": row.content_hash, "created_at": now, "updated_at": now,
            }
            for row, product_id in zip(new_rows, product_ids, strict=True)
        ])
        if updated:
            SKU.objects.bulk_update(
                updated, [*UPDATABLE_FIELDS, "content_hash", "updated_at"], batch_size=1000
            )
        chunk.announce[:0] = created
        return chunk

    def _updated(self, current: dict[str, Any], row: Row,
                 category_id: int | None) -> tuple[SKU | None, list[str]]:
        """The SKU as the row leaves it and the fields that changed; (None, []) if none did."""
        values = dict(current)
        changed = []
        for name in ("language", "title", "description", "brand", "attributes", "product_ref"):
            if name in self.present and values[name] != getattr(row, name):
                values[name] = getattr(row, name)
                changed.append(name)
        # A blank category cell keeps the SKU's category: the import only files SKUs.
        if row.category and values["category_id"] != category_id:
            values["category_id"] = category_id
            changed.append("category")
        if not changed:
            return None, []
        sku = SKU(**values)
        sku.content_hash = sku.compute_content_hash()
        return sku, changed

    def _resolve_categories(self, paths: set[str], chunk: _Chunk) -> None:
        """Category id per path; missing ones are created (or, in a dry run, listed)."""
        known = self.caches.categories
        chunk.categories = {path: known[path] for path in paths if path in known}
        missing = paths - chunk.categories.keys()
        if not missing:
            return
        found = dict(Category.objects.filter(path__in=missing).values_list("path", "pk"))
        for path in sorted(missing):
            if path in found:
                chunk.categories[path] = found[path]
                continue
            chunk.new_categories.append(path)
            chunk.categories[path] = (
                None if self.report.dry_run else Category.get_or_create_path(path).pk
            )

    def _join_existing(self, rows: list[Row], existing: dict[tuple[str, str], dict[str, Any]],
                       chunk: _Chunk) -> None:
        """Move a ref group that an earlier chunk gave a new product into an existing SKU's.

        When the file lists the group's new rows before a row for an SKU that
        already exists, the new rows got a product of their own; the existing
        SKU's product wins, as it would have had the rows come the other way round.
        A product that alignment has meanwhile merged or split keeps its history
        and is left alone.
        """
        for row in rows:
            current = existing.get((row.source, row.sku_code))
            if current is None or row.product_ref not in self.caches.fresh or row.product_ref in chunk.joined:
                continue
            created = self.caches.products[row.product_ref]
            if current["product_id"] == created:
                continue
            try:
                with transaction.atomic():
                    SKU.objects.filter(product_id=created).update(product_id=current["product_id"])
                    Product.objects.filter(pk=created).delete()
            except ProtectedError:
                continue
            chunk.products[row.product_ref] = current["product_id"]
            chunk.joined.add(row.product_ref)

    def _product_ids(self, new_rows: list[Row], rows: list[Row],
                     existing: dict[tuple[str, str], dict[str, Any]], chunk: _Chunk) -> list[int]:
        """The product each new row joins: its product_ref group's, else a new one.

        A group joins the product of an SKU that already carries the ref (in this
        chunk, or in the database), so re-importing a file with new languages adds
        them to the existing products. Without ``group_refs`` every new row gets a
        product of its own and product_ref is kept as a label only.
        """
        if not self.group_refs:
            now = timezone.now()
            return _insert(Product, [{"created_at": now, "updated_at": now}] * len(new_rows))
        known = self.caches.products
        refs = {row.product_ref for row in new_rows if row.product_ref} - known.keys()
        for row in rows:
            current = existing.get((row.source, row.sku_code))
            if current is not None and row.product_ref in refs:
                chunk.products.setdefault(row.product_ref, current["product_id"])
        unknown = refs - chunk.products.keys()
        if unknown:
            carried = SKU.objects.filter(product_ref__in=unknown).order_by("pk")
            for ref, product_id in carried.values_list("product_ref", "product_id"):
                chunk.products.setdefault(ref, product_id)
        fresh_refs = sorted(refs - chunk.products.keys())
        loners = sum(1 for row in new_rows if not row.product_ref)
        now = timezone.now()
        products = iter(_insert(
            Product, [{"created_at": now, "updated_at": now}] * (len(fresh_refs) + loners)
        ))
        for ref in fresh_refs:
            chunk.products[ref] = next(products)
        chunk.fresh.update(fresh_refs)
        return [
            (chunk.products.get(row.product_ref) or known[row.product_ref])
            if row.product_ref else next(products)
            for row in new_rows
        ]


EXISTING_FIELDS = (
    "id", "source", "sku_code", "language", "title", "description", "brand", "attributes",
    "category_id", "product_id", "product_ref", "content_hash",
)


def _existing(rows: list[Row]) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored values of the chunk's SKUs that already exist, in one query."""
    codes: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        codes[row.source].append(row.sku_code)
    query = Q()
    for source, source_codes in codes.items():
        if _is_postgresql():
            # One array parameter instead of thousands of placeholders to bind.
            in_codes = RawSQL("catalog_sku.sku_code = ANY(%s)", (source_codes,), BooleanField())
            query |= Q(in_codes, source=source)
        else:
            query |= Q(source=source, sku_code__in=source_codes)
    return {
        (values["source"], values["sku_code"]): values
        for values in SKU.objects.filter(query).values(*EXISTING_FIELDS)
    }


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (same keys, concrete column names) and return their new ids in order.

    On PostgreSQL this is COPY with ids drawn from the table's sequence first,
    several times faster than bulk_create's INSERT; elsewhere it is bulk_create.
    """
    if not rows:
        return []
    if not _is_postgresql():
        return [obj.pk for obj in model._default_manager.bulk_create([model(**row) for row in rows])]
    table = model._meta.db_table
    columns = list(rows[0])
    # Positions in [id, *columns] of the JSON columns, which COPY takes as text.
    json_columns = [
        position for position, c in enumerate(columns, start=1)
        if isinstance(model._meta.get_field(c), models.JSONField)
    ]
    stamp_columns = [
        position for position, c in enumerate(columns, start=1) if isinstance(rows[0][c], datetime)
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        names = ", ".join(quote(c) for c in ["id", *columns])
        # The raw psycopg cursor raises psycopg's errors: turn them into Django's.
        with connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {quote(table)} ({names}) FROM STDIN"
        ) as copy:
            # A chunk's rows share their timestamps: format each once, not per row.
            stamps: dict[datetime, str] = {}
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *row.values()]
                for column in json_columns:
                    values[column] = JSON_ENCODER.encode(values[column])
                for column in stamp_columns:
                    stamp = values[column]
                    values[column] = stamps.get(stamp) or stamps.setdefault(stamp, stamp.isoformat())
                copy.write_row(values)
    return ids


def import_file(
    path: str | Path,
    *,
    dry_run: bool = False,
    errors_path: str | Path | None = None,
    on_progress: ProgressCallback | None = None,
    chunk_size: int | None = None,
    group_refs: bool = True,
) -> ImportReport:
    """Import (or, with ``dry_run``, only check) one catalog CSV file.

    Rows sharing a product_ref join one product unless ``group_refs`` is off
    (then product_ref is only a label, and alignment has to find the products).
    Raises ImportFileError when the whole file is refused; invalid rows are
    counted, listed in the report and written to ``errors_path``.
    """
    chunk_size = chunk_size or settings.CATALOG_IMPORT_CHUNK_SIZE
    report = ImportReport(dry_run=dry_run, bytes_total=os.path.getsize(path))
    fmt = read_format(path)
    report.encoding, report.delimiter = fmt.label(), DELIMITER_NAMES[fmt.delimiter]
    if fmt.unknown:
        report.warnings.append(f"Unknown columns ignored: {', '.join(fmt.unknown)}.")
    duplicates = _scan(path, fmt, report, on_progress)
    if on_progress:
        on_progress(report)
    csv_errors = ErrorsCsv(errors_path, header=fmt.header, delimiter=fmt.delimiter) if errors_path else None
    writer = _Writer(fmt, report, group_refs=group_refs)
    chunk: list[Row] = []
    try:
        with open(path, encoding=fmt.encoding, newline="") as f:
            for number, cells in records(f, fmt):
                result = validate_row(number, cells, fmt, duplicates)
                if isinstance(result, Row):
                    chunk.append(result)
                else:
                    _record_invalid(report, number, cells, fmt, result, csv_errors)
                report.rows_processed += 1
                if len(chunk) >= chunk_size:
                    writer.write(chunk)
                    chunk = []
                    if on_progress:
                        on_progress(report)
            if chunk:
                writer.write(chunk)
    finally:
        if csv_errors:
            csv_errors.close()
    if on_progress:
        on_progress(report)
    return report


def _record_invalid(report: ImportReport, number: int, cells: list[str], fmt: FileFormat,
                    errors: list[RowError], csv_errors: ErrorsCsv | None) -> None:
    def cell(name: str) -> str:
        index = fmt.columns.get(name)
        return cells[index].strip()[:120] if index is not None and index < len(cells) else ""

    report.count("invalid", {
        "row": number, "source": cell("source"), "sku_code": cell("sku_code"),
        "title": cell("title"), "errors": "; ".join(str(e) for e in errors),
    })
    room = REPORTED_ERRORS - len(report.errors)
    if room > 0:
        report.errors.extend(errors[:room])
    if csv_errors:
        csv_errors.write(cells, "; ".join(str(e) for e in errors))
