"""Alignment as background work: each SKU's state, the enqueue after commit, the sweep.

Nothing is lost: a SKU carries its ``AlignmentState`` (pending, done, failed, and
the content hash it was aligned at). Saves mark SKUs pending and enqueue them
after the transaction commits; a broker failure is logged and leaves them
pending; the periodic sweep (``alignment.sweep_pending``, ``align --pending``)
enqueues every SKU whose alignment is overdue.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alignment.models import AlignmentState
from alignment.pipeline import AlignmentSummary, align_skus
from alignment.scorers import Scorer, ScoringError
from catalog.models import SKU

logger = logging.getLogger(__name__)


def align_enqueued(items: Iterable[Iterable[Any]], *, scorer: Scorer | None = None) -> AlignmentSummary:
    """The task's work: align [sku_id, content_hash] pairs; permanent errors fail the SKUs."""
    expected = {int(sku_id): str(content_hash) for sku_id, content_hash in items}
    try:
        return align_skus(list(expected), expected_hashes=expected, scorer=scorer)
    except ScoringError as exc:
        if not exc.permanent:
            raise
        logger.error("Alignment failed for SKUs %s: %s", sorted(expected), exc)
        mark_failed(expected, str(exc))
        return AlignmentSummary()


def enqueue_alignment(sku_ids: Iterable[int]) -> int:
    """Mark SKUs pending and enqueue them in chunks after the current transaction commits.

    A broker failure is logged and never breaks the save: the SKUs stay pending and
    the periodic sweep enqueues them once the broker is back. Returns the number
    of SKUs marked.
    """
    wanted = {int(i) for i in sku_ids}
    hashes = dict(SKU.objects.filter(pk__in=wanted).values_list("pk", "content_hash"))
    present = sorted(hashes)  # a SKU deleted meanwhile needs nothing
    if not present:
        return 0
    AlignmentState.objects.bulk_create([AlignmentState(sku_id=i) for i in present], ignore_conflicts=True)
    AlignmentState.objects.filter(sku_id__in=present).update(
        status=AlignmentState.Status.PENDING, updated_at=timezone.now()
    )
    size = settings.ALIGNMENT_TASK_CHUNK_SIZE
    for start in range(0, len(present), size):
        chunk = [[i, hashes[i]] for i in present[start : start + size]]
        transaction.on_commit(functools.partial(_send, chunk))
    return len(present)


def _send(chunk: list[list[Any]]) -> None:
    from alignment import tasks

    try:
        tasks.align_skus.delay(chunk)
    except Exception:  # the broker is down or refused: the sweep retries later
        logger.exception("Could not enqueue alignment of %d SKUs; they stay pending", len(chunk))


def sweep_pending(*, grace_seconds: int | None = None) -> int:
    """Enqueue every SKU whose alignment is overdue; return how many."""
    grace = settings.ALIGNMENT_PENDING_GRACE_SECONDS if grace_seconds is None else grace_seconds
    return enqueue_alignment(skus_needing_alignment(grace_seconds=grace))


def mark_failed(sku_ids: Iterable[int], error: str) -> None:
    """A permanent scoring error: the SKUs wait for a person (or a new text)."""
    ids = list(SKU.objects.filter(pk__in=list(sku_ids)).values_list("pk", flat=True))
    AlignmentState.objects.bulk_create([AlignmentState(sku_id=i) for i in ids], ignore_conflicts=True)
    AlignmentState.objects.filter(sku_id__in=ids).update(
        status=AlignmentState.Status.FAILED, error=error[:2000], updated_at=timezone.now()
    )


def skus_needing_alignment(*, grace_seconds: int) -> list[int]:
    """SKUs whose alignment is due: no state, pending or failed too long, or aligned at an old text."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    no_state = SKU.objects.filter(alignment__isnull=True, updated_at__lt=cutoff)
    stuck = SKU.objects.filter(
        alignment__status=AlignmentState.Status.PENDING, alignment__updated_at__lt=cutoff
    )
    outdated = SKU.objects.filter(alignment__status=AlignmentState.Status.DONE).exclude(
        alignment__aligned_hash=F("content_hash")
    ).filter(alignment__updated_at__lt=cutoff)
    ids: set[int] = set()
    for queryset in (no_state, stuck, outdated):
        ids.update(queryset.values_list("pk", flat=True))
    return sorted(ids)
