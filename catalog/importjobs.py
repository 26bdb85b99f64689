"""Stored uploads (ImportJob): checked first, imported after confirmation, run by a task."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from catalog.csvfiles import ImportFileError
from catalog.importing import ImportReport, import_file
from catalog.models import ImportJob

logger = logging.getLogger(__name__)


def claim_job(job_id: int) -> ImportJob | None:
    """Mark a queued job running; None if another worker has it (or it is finished).

    A job left "running" longer than the task time limit was abandoned by a dead
    worker: it may be claimed again, and re-running an import is safe.
    """
    abandoned = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED)
        | Q(status=ImportJob.Status.RUNNING, updated_at__lt=abandoned),
        pk=job_id,
    ).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), finished_at=None,
        updated_at=timezone.now(), rows_processed=0, bytes_processed=0, error_message="",
        new_count=0, updated_count=0, unchanged_count=0, invalid_count=0,
    )
    return ImportJob.objects.get(pk=job_id) if claimed else None


def run_import_job(job_id: int) -> ImportJob | None:
    """Run the queued pass of a stored upload: the check, or the import after confirm.

    Returns the finished job, or None when there was nothing to claim.
    """
    job = claim_job(job_id)
    if job is None:
        return None

    def on_progress(report: ImportReport) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_total=report.rows_total, rows_processed=report.rows_processed,
            bytes_total=report.bytes_total, bytes_processed=report.bytes_processed,
            new_count=report.counts["new"], updated_count=report.counts["updated"],
            unchanged_count=report.counts["unchanged"], invalid_count=report.counts["invalid"],
            updated_at=timezone.now(),
        )

    with tempfile.TemporaryDirectory() as scratch:
        errors_path = Path(scratch) / f"import-{job.pk}-errors.csv"
        try:
            report = import_file(
                job.file.path, dry_run=job.dry_run, errors_path=errors_path, on_progress=on_progress
            )
        except ImportFileError as exc:
            return _finish(job, status=ImportJob.Status.FAILED, error_message=str(exc))
        except Exception:
            logger.exception("import job %s failed", job.pk)
            job.refresh_from_db()
            message = "The import stopped on an unexpected error."
            if not job.dry_run and job.rows_processed:
                message += (
                    f" The chunks before row {job.rows_processed + 1} were imported; importing "
                    "the same file again is safe and finishes the rest."
                )
            return _finish(job, status=ImportJob.Status.FAILED, error_message=message)
        job.refresh_from_db()
        if errors_path.exists():
            stem = Path(job.original_name).stem[:80] or "catalog"
            with open(errors_path, "rb") as f:
                job.errors_file.save(f"{stem}-errors.csv", File(f), save=False)
        else:
            job.errors_file = ""
    if job.dry_run:
        job.dry_run_results = report.as_json()
    else:
        job.results = report.as_json()
    job.new_count, job.updated_count = report.counts["new"], report.counts["updated"]
    job.unchanged_count, job.invalid_count = report.counts["unchanged"], report.counts["invalid"]
    job.rows_total, job.rows_processed = report.rows_total, report.rows_processed
    job.bytes_processed = report.bytes_total
    job.encoding, job.delimiter = report.encoding, report.delimiter
    job.warnings = report.warnings
    job.errors = [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]
    status = ImportJob.Status.CHECKED if job.dry_run else ImportJob.Status.DONE
    return _finish(job, status=status)


def _finish(job: ImportJob, *, status: str, error_message: str = "") -> ImportJob:
    job.status = status
    job.error_message = error_message
    job.finished_at = timezone.now()
    job.save()
    return job


def confirm_job(job: ImportJob) -> bool:
    """Turn a checked job into a queued real import; False if it was not waiting (or its file was purged)."""
    return bool(ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.CHECKED, files_purged_at__isnull=True
    ).update(
        status=ImportJob.Status.QUEUED, dry_run=False, updated_at=timezone.now(),
    ))


def purge_old_files(*, days: int | None = None) -> int:
    """Delete the stored files of imports finished more than ``days`` ago; return how many imports.

    ``days`` defaults to CATALOG_IMPORT_FILE_RETENTION_DAYS; 0 keeps files forever.
    The records stay, with their counts, samples and first invalid rows, and the
    import page says when the files went. Queued and running imports keep their
    files whatever their age; a check never confirmed counts as finished.
    Idempotent: a job's files are purged once.
    """
    days = settings.CATALOG_IMPORT_FILE_RETENTION_DAYS if days is None else days
    if days < 0:
        raise ValueError("The retention period must be 0 (keep files forever) or more days.")
    if days == 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    old = ImportJob.objects.filter(
        status__in=ImportJob.FINISHED, finished_at__lt=cutoff, files_purged_at__isnull=True
    ).order_by("pk")
    return sum(job.purge_files() for job in old.only("pk"))
