"""python manage.py purge_import_files [--days N]"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importjobs import purge_old_files


class Command(BaseCommand):
    help = "Delete the stored files of finished imports older than the retention period (records stay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep the files of imports finished within this many days (default "
            f"CATALOG_IMPORT_FILE_RETENTION_DAYS = {settings.CATALOG_IMPORT_FILE_RETENTION_DAYS}; 0 keeps all).",
        )

    def handle(self, *args: Any, days: int | None, **options: Any) -> str:
        try:
            purged = purge_old_files(days=days)
        except ValueError as error:
            raise CommandError(str(error)) from None
        days = settings.CATALOG_IMPORT_FILE_RETENTION_DAYS if days is None else days
        if days == 0:
            return "Retention 0 days: import files are kept forever, none was deleted."
        return f"Deleted the stored files of {purged} imports finished more than {days} days ago."
