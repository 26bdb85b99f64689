"""Reading catalog CSV files: encoding, delimiter, header and rows, streamed.

A file is UTF-8 (with or without BOM) or GB18030, comma, semicolon or tab
separated, with a header row naming the columns in any case and spacing.
Anything else is refused whole with an ImportFileError that says what to fix.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

COLUMNS = (
    "source", "sku_code", "language", "title", "description", "brand", "category",
    "attributes", "product_ref",
)
REQUIRED = ("source", "sku_code", "title")
# The column our own errors file adds; ignored without a warning on re-upload.
ERROR_COLUMN = "error"
# The sniffer's regular expressions get very slow on long samples.
SNIFF_BYTES = 8 * 1024
DELIMITERS = ",;\t"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class ImportFileError(Exception):
    """The whole file is refused (encoding, header, size); nothing was written."""


@dataclass(frozen=True)
class FileFormat:
    encoding: str
    delimiter: str
    header: list[str]
    # Catalog column name -> index in the row.
    columns: dict[str, int]
    unknown: list[str]

    def label(self) -> str:
        return {"utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(self.encoding, self.encoding)


class ErrorsCsv:
    """The invalid rows as they came, plus an ``error`` column: fix and upload again.

    Cells are written verbatim, formulas included: the file goes back to the
    person who uploaded them, to be uploaded again unchanged.
    """

    def __init__(self, path: str | Path, *, header: list[str], delimiter: str) -> None:
        self.path = Path(path)
        # A re-uploaded errors file brings its old error column: replace it.
        self.keep = [i for i, name in enumerate(header) if _normalize_header(name) != ERROR_COLUMN]
        self.header = [header[i] for i in self.keep]
        self.width = len(header)
        self.delimiter = delimiter
        self.rows = 0
        self._file: TextIO | None = None
        self._writer: Any = None

    def write(self, cells: list[str], message: str) -> None:
        if self._writer is None:
            self._file = open(self.path, "w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file, delimiter=self.delimiter)
            self._writer.writerow([*self.header, ERROR_COLUMN])
        kept = [cells[i] if i < len(cells) else "" for i in self.keep]
        # Cells beyond the header go after the error column: kept, and still flagged.
        self._writer.writerow([*kept, message, *cells[self.width :]])
        self.rows += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def detect_encoding(path: str | Path) -> str:
    """"utf-8-sig" (UTF-8, with or without BOM) or "gb18030"; refuses anything else."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError(
                "The file is UTF-16. Save it as CSV UTF-8 (or GB18030) and upload it again."
            )
        f.seek(0)
        failure = _first_undecodable(f, "utf-8")
        if failure is None:
            return "utf-8-sig"
        offset, seen_non_ascii = failure
        if seen_non_ascii:
            # Valid UTF-8 text first, then a bad byte: a damaged UTF-8 file. Reading
            # it as GB18030 would turn every Chinese title into mojibake.
            raise ImportFileError(
                f"The file is not valid UTF-8: undecodable bytes at byte {offset} after "
                "valid UTF-8 text. Save it again as CSV UTF-8 and upload it again."
            )
        f.seek(0)
        if _first_undecodable(f, "gb18030") is None:
            return "gb18030"
    raise ImportFileError(
        f"The file is neither UTF-8 nor GB18030 (undecodable bytes at byte {offset}). "
        "Save it as CSV UTF-8 and upload it again."
    )


def _first_undecodable(f: Any, encoding: str) -> tuple[int, bool] | None:
    """(byte offset, whether non-ASCII text came before) of the first bad byte, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    seen_non_ascii = False
    while block := f.read(1 << 20):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            before = block[: max(exc.start, 0)]
            return offset + max(exc.start, 0), seen_non_ascii or not before.isascii()
        seen_non_ascii = seen_non_ascii or not block.isascii()
        offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset, seen_non_ascii
    return None


def _normalize_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.replace("\ufeff", "").strip().lower())


KNOWN = {_normalize_header(name): name for name in COLUMNS}


def _read_header(cells: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """(catalog column -> index, unknown column names, repeated column names)."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        key = _normalize_header(cell)
        if not key or key == ERROR_COLUMN:
            continue
        name = KNOWN.get(key)
        if name is None:
            unknown.append(cell.strip())
        elif name in columns:
            repeated.append(name)
        else:
            columns[name] = index
    return columns, unknown, repeated


def _detect_delimiter(path: str | Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as f:
        sample = f.read(SNIFF_BYTES)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    first_line = sample.split("\n", 1)[0]
    if delimiter:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        if len(_read_header(header)[0]) >= 2:
            return delimiter
    # The sniffer can be fooled by commas in descriptions; the header line is not.
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_format(path: str | Path) -> FileFormat:
    size = os.path.getsize(path)
    if size == 0:
        raise ImportFileError("The file is empty.")
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. "
            "Split it into smaller files and import them one after the other."
        )
    encoding = detect_encoding(path)
    delimiter = _detect_delimiter(path, encoding)
    with open(path, encoding=encoding, newline="") as f:
        header = next((cells for cells in csv.reader(f, delimiter=delimiter) if any(cells)), None)
    if header is None:
        raise ImportFileError("The file is empty.")
    columns, unknown, repeated = _read_header(header)
    if repeated:
        raise ImportFileError(f"Column {', '.join(repeated)} appears more than once in the header.")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        found = ", ".join(cell.strip() for cell in header if cell.strip()) or "none"
        raise ImportFileError(
            f"Missing required column(s): {', '.join(missing)}. The header has: {found}. "
            f"Expected columns: {', '.join(COLUMNS)} (source, sku_code and title are required)."
        )
    return FileFormat(encoding, delimiter, header, columns, unknown)


def records(f: TextIO, fmt: FileFormat) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) of each non-blank data row."""
    reader = csv.reader(f, delimiter=fmt.delimiter)
    number = 0
    header_seen = False
    try:
        for cells in reader:
            number += 1
            if not any(cells) or (len(cells) == 1 and not cells[0].strip()):
                continue
            if not header_seen:
                header_seen = True
                continue
            yield number, cells
    except csv.Error as exc:
        raise ImportFileError(
            f"Row {number + 1} cannot be read ({exc}); most often a quote that is never closed."
        ) from exc
