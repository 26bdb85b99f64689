from __future__ import annotations

import contextlib
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alignment import export


class Command(BaseCommand):
    help = "Write the aligned catalog as CSV: one row per live product, its SKU codes per language."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Output file, or - for standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        lines = 0
        output = (
            contextlib.nullcontext(sys.stdout)
            if path == "-"
            # utf-8-sig: spreadsheets read the Chinese titles right.
            else open(path, "w", encoding="utf-8-sig", newline="")
        )
        with output as out:
            for line in export.csv_lines(export.catalog_rows()):
                out.write(line)
                lines += 1
        # The summary goes to stderr, so "-" writes nothing but CSV.
        self.stderr.write(f"Exported {lines - 1} products to {path}")
