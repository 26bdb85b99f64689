"""Celery tasks: thin adapters over plain functions (routed to the "scoring" queue).

Settings route ``alignment.*`` to the scoring queue and set soft and hard time
limits; every task here is safe to run twice (see each function it calls).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.conf import settings

from alignment import queueing, warmup
from alignment.scorers import ScoringError, get_scorer

logger = logging.getLogger(__name__)

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


# Connected after one_thread_per_process: the model loads with the thread count set.
@worker_process_init.connect(dispatch_uid="alignment.warm_up_scorer")
def warm_up_scorer(**kwargs: Any) -> None:
    """Load the scorer and score a sample batch before this worker process takes work.

    Runs in the pool process, after the fork: the model lives in the process that
    uses it. Celery hands the process work only once this returns, so the first
    chunk finds the model loaded (and Qwen3 compiled) instead of paying for it;
    CELERY_WORKER_PROC_ALIVE_TIMEOUT allows for the time it takes. Skipped when
    ALIGNMENT_WARMUP is off and in workers that do not consume the scoring queue.
    A failure is logged, not raised: the chunks then meet it as they would have.
    """
    if not settings.ALIGNMENT_WARMUP or not _consumes(align_skus):
        return
    try:
        scorer = get_scorer()
        seconds = warmup.warm_up(scorer)
    except Exception:  # noqa: BLE001 - missing weights, a compiler failure: never stop the worker
        logger.exception("Warming up the scorer failed; the first chunk will load it")
        return
    logger.info("Scorer %s (%s) warmed up in %.1f s", scorer.name, scorer.model_revision, seconds)


def _consumes(task: Task) -> bool:
    """Whether this worker consumes the queue the task is routed to (celery worker -Q)."""
    queue = task.app.amqp.router.route({}, task.name)["queue"].name
    return queue in task.app.amqp.queues.consume_from


@shared_task(name="alignment.sweep_pending", acks_late=True)
def sweep_pending() -> int:
    """Re-enqueue SKUs whose alignment is overdue (a lost task, Redis down at save time)."""
    return queueing.sweep_pending()


@shared_task(name="alignment.rescore_category", **SCORING)
def rescore_category(run_id: int) -> int:
    """Re-score the open pairs of a newly published instruction template (a RescoreRun)."""
    from alignment import rescoring  # imports this module: import it when run

    return rescoring.rescore_run(run_id).pk
