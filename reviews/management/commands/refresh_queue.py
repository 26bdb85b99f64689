from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alignment.models import Match
from reviews import queue


class Command(BaseCommand):
    help = "Recompute the review queue's impact order for every queued pair."

    def handle(self, *args: Any, **options: Any) -> str:
        updated = Match.refresh_review_impact(product_ids=None)
        queue.refresh_facet_counts()
        return f"Recomputed the impact of {updated} queued pairs."
