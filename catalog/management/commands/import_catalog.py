"""python manage.py import_catalog PATH [--dry-run] [--errors PATH]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.csvfiles import ImportFileError
from catalog.importing import ImportReport, import_file


class Command(BaseCommand):
    help = "Import a catalog CSV file (upsert on source + sku_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count what would change; write nothing."
        )
        parser.add_argument(
            "--no-group", action="store_true",
            help="Keep product_ref as a label only: every new row gets its own product and "
            "alignment finds the products (the demo does this to show alignment at work).",
        )
        parser.add_argument(
            "--errors", metavar="PATH", help="Write the invalid rows, with an error column, to this CSV file."
        )

    def handle(self, *args: Any, **options: Any) -> str:
        show_progress = options["verbosity"] >= 1 and sys.stderr.isatty()

        def on_progress(report: ImportReport) -> None:
            if show_progress and report.rows_total:
                self.stderr.write(f"\r{report.rows_processed}/{report.rows_total} rows", ending="")

        try:
            report = import_file(
                options["path"], dry_run=options["dry_run"], errors_path=options["errors"],
                on_progress=on_progress, group_refs=not options["no_group"],
            )
        except (ImportFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if show_progress:
            self.stderr.write("")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        for error in report.errors[:20]:
            self.stderr.write(f"row {error.row}: {error}")
        if report.counts["invalid"] > 20:
            self.stderr.write(f"... {report.counts['invalid'] - 20} more invalid rows")
        if report.counts["invalid"] and options["errors"]:
            self.stderr.write(f"Invalid rows written to {options['errors']}")
        return f"{report.summary()} [{report.encoding}, {report.delimiter}-separated]"
