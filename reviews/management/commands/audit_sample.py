from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.audit import sample_auto_merges


class Command(BaseCommand):
    help = "Sample a share of automatic merges into the review queue for a blind precision check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rate",
            type=float,
            default=None,
            help=f"Share of automatic merges to sample (default REVIEWS_AUDIT_SAMPLE_RATE = "
            f"{settings.REVIEWS_AUDIT_SAMPLE_RATE}).",
        )

    def handle(self, *args: Any, rate: float | None, **options: Any) -> str:
        try:
            sampled = sample_auto_merges(rate=rate)
        except ValueError as error:
            raise CommandError(str(error)) from None
        return f"Sampled {sampled} automatic merges for blind review."
