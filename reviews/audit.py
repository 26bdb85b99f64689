"""Blind audit of automatic merges: a share of them goes to the review queue."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction

from alignment.models import Match

BUCKETS = 10_000


def in_sample(match_id: int, rate: float) -> bool:
    """Whether a match falls in the sample: a fixed hash of its id, so reruns pick the same ones."""
    digest = hashlib.blake2b(f"audit:{match_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS < round(rate * BUCKETS)


def sample_auto_merges(*, rate: float | None = None) -> int:
    """Queue ``rate`` (REVIEWS_AUDIT_SAMPLE_RATE) of automatic merges for a blind check.

    Idempotent: a merge is sampled or not by a hash of its id, so running this
    every day samples the same share of new merges and never re-samples old ones.
    Nothing is un-merged: a sampled pair stays merged until a reviewer rejects it.
    Returns how many pairs were newly sampled.
    """
    rate = settings.REVIEWS_AUDIT_SAMPLE_RATE if rate is None else rate
    if not 0 <= rate <= 1:
        raise ValueError("The audit sample rate must be between 0 and 1.")
    candidates = Match.objects.filter(status=Match.Status.AUTO_MERGED, is_audit_sample=False)
    chosen = [pk for pk in candidates.values_list("pk", flat=True).iterator() if in_sample(pk, rate)]
    sampled = 0
    for start in range(0, len(chosen), 500):
        with transaction.atomic():
            for match in Match.objects.select_for_update().filter(
                pk__in=chosen[start : start + 500], status=Match.Status.AUTO_MERGED, is_audit_sample=False
            ):
                match.sample_for_audit()
                sampled += 1
    if sampled:
        Match.refresh_review_impact(product_ids=None)
    return sampled
