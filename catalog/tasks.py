"""Catalog tasks: thin adapters over catalog.importjobs."""

from __future__ import annotations

from celery import shared_task

from catalog import importjobs


@shared_task(name="catalog.import_catalog", acks_late=True)
def import_catalog(job_id: int) -> None:
    """Run the queued pass (check or import) of an ImportJob.

    Idempotent: the job is claimed with a conditional update, so a redelivered
    message for a job already running or finished does nothing, and re-running
    an import upserts the same rows to the same state.
    """
    importjobs.run_import_job(job_id)


@shared_task(name="catalog.purge_import_files", acks_late=True)
def purge_import_files() -> int:
    """Delete the stored files of imports older than the retention period. Idempotent."""
    return importjobs.purge_old_files()
