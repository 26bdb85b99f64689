from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog import importjobs, tasks
from catalog.importjobs import run_import_job
from catalog.models import ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase

# One valid row and one invalid one: the check stores the upload and an invalid rows' CSV.
ROWS = f"{HEADER}\nshop,A,en,Electric kettle,,,,,\nshop,B,en,Toaster,,,,[1],\n"


class PurgeImportFilesTestCase(ImportViewTestCase):
    def finished_job(self, *, days_ago: int, status: str = ImportJob.Status.CHECKED) -> ImportJob:
        """A checked upload (file and invalid rows' CSV stored), finished ``days_ago`` days ago."""
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, finished_at=timezone.now() - timedelta(days=days_ago, minutes=5)
        )
        job.refresh_from_db()
        assert job.errors_file
        return job

    def stored(self, job: ImportJob) -> list[Path]:
        return [Path(f.path) for f in (job.file, job.errors_file)]

    def purge(self, **kwargs) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return importjobs.purge_old_files(**kwargs)

    def test_it_deletes_the_files_of_imports_finished_before_the_retention_period(self):
        old = self.finished_job(days_ago=31, status=ImportJob.Status.DONE)
        files = self.stored(old)
        assert all(path.exists() for path in files)
        assert self.purge() == 1
        assert not any(path.exists() for path in files)
        old.refresh_from_db()
        # The record and its summary stay; the file fields no longer point at anything.
        assert old.original_name == "catalog.csv"
        assert old.dry_run_results["counts"]["new"] == 1 and old.invalid_count == 1
        assert old.errors and old.errors[0]["row"] == 3
        assert (old.file.name, old.errors_file.name) == ("", "")
        assert old.files_purged_at is not None and old.files_kept_days == 31
        assert self.purge() == 0  # idempotent

    def test_it_keeps_the_files_of_recent_imports(self):
        assert settings.CATALOG_IMPORT_FILE_RETENTION_DAYS == 30
        recent = self.finished_job(days_ago=29)
        assert self.purge() == 0
        assert all(path.exists() for path in self.stored(recent))
        assert self.purge(days=7) == 1

    def test_it_never_deletes_the_file_of_a_queued_or_running_import(self):
        # Checked long ago and confirmed only now: the import is queued, its file still to be read.
        confirmed = self.finished_job(days_ago=40)
        assert importjobs.confirm_job(confirmed)
        running = self.finished_job(days_ago=40, status=ImportJob.Status.RUNNING)
        assert self.purge() == 0
        for job in (confirmed, running):
            assert all(path.exists() for path in self.stored(job))
            assert not job.purge_files()
        assert not ImportJob.objects.filter(files_purged_at__isnull=False).exists()

    def test_a_check_whose_file_was_deleted_can_no_longer_be_confirmed(self):
        job = self.finished_job(days_ago=31)
        self.purge()
        assert not importjobs.confirm_job(job)
        self.client.login(username="alice", password="password")
        r = self.client.post(f"/imports/{job.pk}/confirm/", follow=True)
        assert b"This file was deleted 31 days after its check; upload it again" in r.content
        job.refresh_from_db()
        assert job.status == ImportJob.Status.CHECKED

    def test_the_import_page_says_the_file_was_removed_instead_of_linking_to_it(self):
        job = self.finished_job(days_ago=31)
        self.purge()
        self.client.login(username="alice", password="password")
        r = self.client.get(f"/imports/{job.pk}/")
        assert b"File removed after 31 days" in r.content
        assert b"Electric kettle" in r.content  # the summary stays
        assert f"/imports/{job.pk}/errors.csv".encode() not in r.content
        assert f"/imports/{job.pk}/confirm/".encode() not in r.content
        assert b"Upload it again" in r.content
        assert self.client.get(f"/imports/{job.pk}/errors.csv").status_code == 404
        assert b"file removed" in self.client.get("/imports/").content

    def test_the_admin_shows_the_file_as_removed(self):
        job = self.finished_job(days_ago=31)
        stored_as = job.file.name
        User.objects.create_superuser("root", "root@example.org", "password")
        self.client.login(username="root", password="password")
        r = self.client.get(f"/admin/catalog/importjob/{job.pk}/change/")
        assert stored_as.encode() in r.content
        assert f"/imports/{job.pk}/errors.csv".encode() in r.content
        self.purge()
        r = self.client.get(f"/admin/catalog/importjob/{job.pk}/change/")
        assert r.status_code == 200
        assert b"removed after 31 days" in r.content
        assert stored_as.encode() not in r.content and b"/media/" not in r.content

    def test_it_deletes_the_files_with_the_import_record(self):
        one, many = self.finished_job(days_ago=1), self.finished_job(days_ago=2)
        files = self.stored(one) + self.stored(many)
        with self.captureOnCommitCallbacks(execute=True):
            one.delete()
            ImportJob.objects.filter(pk=many.pk).delete()  # the admin's bulk delete
        assert not any(path.exists() for path in files)

    def test_the_command_uses_the_retention_setting_or_days_given(self):
        self.finished_job(days_ago=10)
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("purge_import_files", stdout=out)
            call_command("purge_import_files", "--days", "0", stdout=out)
            call_command("purge_import_files", "--days", "7", stdout=out)
        assert out.getvalue().splitlines() == [
            "Deleted the stored files of 0 imports finished more than 30 days ago.",
            "Retention 0 days: import files are kept forever, none was deleted.",
            "Deleted the stored files of 1 imports finished more than 7 days ago.",
        ]
        with self.assertRaisesMessage(CommandError, "0 (keep files forever) or more days"):
            call_command("purge_import_files", "--days", "-1")

    def test_beat_runs_the_task_daily(self):
        self.finished_job(days_ago=31)
        entry = settings.CELERY_BEAT_SCHEDULE["catalog-purge-import-files"]
        assert entry["task"] == tasks.purge_import_files.name == "catalog.purge_import_files"
        assert settings.CELERY_TASK_ROUTES["catalog.*"] == {"queue": "default"}
        with self.captureOnCommitCallbacks(execute=True):
            assert tasks.purge_import_files() == 1
