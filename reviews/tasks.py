"""Upkeep of the review queue, periodic or asked for (thin tasks: the work is in reviews.audit,
reviews.queue and Match)."""

from __future__ import annotations

from celery import shared_task

from alignment.models import Match
from reviews import queue
from reviews.audit import sample_auto_merges


@shared_task(name="reviews.sample_auto_merges")
def sample_auto_merges_task() -> int:
    """Queue the day's share of automatic merges for a blind check. Idempotent."""
    return sample_auto_merges()


@shared_task(name="reviews.refresh_review_impact")
def refresh_review_impact_task() -> int:
    """Recompute the queue order of every queued pair (new pairs, merges by the pipeline)."""
    return Match.refresh_review_impact()


@shared_task(name="reviews.refresh_facet_counts")
def refresh_facet_counts_task() -> int:
    """Recount the queue's facet counts for every web process (asked for by a page that
    found them due: reviews.queue.facet_counts). Safe to run twice."""
    return queue.refresh_facet_counts()["total"]
