"""CSV export of the aligned catalog: one row per live product, its SKUs per language."""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator

from catalog.models import SKU, Language

LANGUAGES = list(Language.values)
COLUMNS = ["product_id", *LANGUAGES, *(f"title_{code}" for code in LANGUAGES), "category", "sku_count"]
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def neutralise(value: str) -> str:
    """Prefix an apostrophe so a spreadsheet shows the cell as text, never runs it."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def catalog_rows() -> Iterator[list[str]]:
    """The header, then one row per live product that has SKUs, by product id.

    A language with several SKUs lists their codes separated by " | "; codes are
    written ``source/sku_code`` (a code is unique only within its source).
    """
    yield COLUMNS
    skus = (
        SKU.objects.filter(product__merged_into__isnull=True)
        .select_related("category")
        .only("product_id", "source", "sku_code", "language", "title", "category__path")
        .order_by("product_id", "language", "source", "sku_code")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for product_id, group in itertools.groupby(skus, key=lambda sku: sku.product_id):
        members = list(group)
        codes = {code: [s for s in members if s.language == code] for code in LANGUAGES}
        categories = [s.category.path for s in members if s.category_id]
        row = [
            str(product_id),
            *(" | ".join(f"{s.source}/{s.sku_code}" for s in codes[code]) for code in LANGUAGES),
            *(codes[code][0].title if codes[code] else "" for code in LANGUAGES),
            Counter(categories).most_common(1)[0][0] if categories else "",
            str(len(members)),
        ]
        yield [neutralise(cell) for cell in row]


class _Line:
    """A file-like object that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow(row)
