"""Celery tasks: thin adapters over plain functions (routed to the "scoring" queue).

Settings route ``alignment.*`` to the scoring queue and set soft and hard time
limits; every task here is safe to run twice (see each function it calls).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from alignment import queueing
from alignment.scorers import ScoringError

# Tasks that run a scorer: late acks (a task lost with its worker runs again),
# retries with backoff for transient scoring errors only, and time limits.
SCORING = {
    "acks_late": True,
    # Only transient scoring errors reach Celery: permanent ones are handled inside.
    "autoretry_for": (ScoringError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@worker_process_init.connect(dispatch_uid="alignment.one_thread_per_process")
def one_thread_per_process(**kwargs: Any) -> None:
    """Run each worker process's embedding and matrix code on one thread.

    A worker runs one process per core (--concurrency); OpenMP/BLAS threads on
    top fight over the same cores and, measured on a busy 2-core machine, made
    e5 embedding about 10x slower. Set before the models load (they load lazily
    in the pool process); an explicit environment variable wins.
    """
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    threads = os.environ["OMP_NUM_THREADS"]
    if "torch" in sys.modules and threads.isdigit() and int(threads) > 0:
        # Imported before the fork, torch kept the parent's thread count.
        sys.modules["torch"].set_num_threads(int(threads))


@shared_task(name="alignment.align_skus", **SCORING)
def align_skus(items: list[list[Any]]) -> dict[str, Any]:
    """Align a chunk of [sku_id, content_hash] pairs.

    Idempotent: Matches are upserted per pair, and a SKU whose text changed since
    it was enqueued is skipped (its newer task aligns it).
    """
    return queueing.align_enqueued(items).as_dict()


@shared_task(name="alignment.sweep_pending", acks_late=True)
def sweep_pending() -> int:
    """Re-enqueue SKUs whose alignment is overdue (a lost task, Redis down at save time)."""
    return queueing.sweep_pending()


@shared_task(name="alignment.rescore_category", **SCORING)
def rescore_category(run_id: int) -> int:
    """Re-score the open pairs of a newly published instruction template (a RescoreRun)."""
    from alignment import rescoring  # imports this module: import it when run

    return rescoring.rescore_run(run_id).pk
