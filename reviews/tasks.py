"""Periodic upkeep of the review queue (thin tasks: the work is in reviews.audit and Match)."""

from __future__ import annotations

from celery import shared_task

from alignment.models import Match
from reviews.audit import sample_auto_merges


@shared_task(name="reviews.sample_auto_merges")
def sample_auto_merges_task() -> int:
    """Queue the day's share of automatic merges for a blind check. Idempotent."""
    return sample_auto_merges()


@shared_task(name="reviews.refresh_review_impact")
def refresh_review_impact_task() -> int:
    """Recompute the queue order of every queued pair (new pairs, merges by the pipeline)."""
    return Match.refresh_review_impact()
