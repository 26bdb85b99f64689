from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from django.utils import timezone

from catalog import importing, importjobs
from catalog.importjobs import run_import_job
from catalog.models import SKU, ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase

ROWS = f"{HEADER}\nshop,A,en,Electric kettle,,,,,\nshop,B,,{'x' * 10},,,,,\nshop,C,en,Toaster,,,,,\n"


class RunImportJobTestCase(ImportViewTestCase):
    def test_it_checks_a_new_job_without_writing(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.CHECKED
        assert job.dry_run_results["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 1}
        assert (job.rows_total, job.rows_processed) == (3, 3)
        assert job.errors == [{"row": 3, "column": "language", "message": job.errors[0]["message"]}]
        assert job.errors[0]["message"].startswith("could not tell the language")
        assert job.encoding == "UTF-8" and job.delimiter == "comma"
        assert job.errors_file.name.endswith(".csv")
        assert job.progress_percent() == 100
        assert SKU.objects.count() == 0

    def test_it_imports_a_confirmed_job_and_records_counts(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        assert importjobs.confirm_job(job)
        with self.captureOnCommitCallbacks(execute=True):
            run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        assert (job.new_count, job.invalid_count) == (2, 1)
        assert job.finished_at is not None
        assert SKU.objects.count() == 2

    def test_it_reports_progress_while_it_runs(self):
        job = self.stored_job(f"{HEADER}\n" + "".join(f"shop,K{i},en,Kettle {i},,,,,\n" for i in range(7)))
        seen = []
        real = importing._Writer.write

        def spy(writer, rows):
            seen.append(ImportJob.objects.values_list("rows_total", "rows_processed").get(pk=job.pk))
            return real(writer, rows)

        with self.settings(CATALOG_IMPORT_CHUNK_SIZE=3), patch.object(importing._Writer, "write", spy):
            run_import_job(job.pk)
        assert seen == [(7, 0), (7, 3), (7, 6)]

    def test_it_records_why_a_file_was_refused(self):
        job = self.stored_job("")
        run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert job.error_message == "The file is empty."

    def test_it_records_an_unexpected_failure_without_raising(self):
        job = self.stored_job(ROWS)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
        importjobs.confirm_job(job)
        with patch.object(importing._Writer, "write", side_effect=RuntimeError("boom")):
            with self.assertLogs("catalog.importjobs", "ERROR"):
                run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert job.error_message.startswith("The import stopped on an unexpected error.")

    def test_it_does_nothing_for_a_job_that_is_running_or_finished(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.RUNNING)
        assert run_import_job(job.pk) is None
        done = self.stored_job(ROWS, status=ImportJob.Status.DONE, dry_run=False)
        assert run_import_job(done.pk) is None
        assert SKU.objects.count() == 0

    def test_it_takes_over_a_job_abandoned_by_a_dead_worker(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.RUNNING, dry_run=False)
        ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=2))
        with self.captureOnCommitCallbacks(execute=True):
            assert run_import_job(job.pk) is not None
        assert SKU.objects.count() == 2
