from __future__ import annotations

from unittest.mock import patch

from catalog import tasks
from catalog.importjobs import run_import_job
from catalog.models import SKU, ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase

ROWS = f"{HEADER}\nshop,A,en,Electric kettle,,,,,\nshop,B,en,Toaster,,,,,\n"


class ImportConfirmTestCase(ImportViewTestCase):
    def confirm(self, job):
        with patch.object(tasks.import_catalog, "delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                r = self.client.post(f"/imports/{job.pk}/confirm/")
        return r, delay

    def test_it_queues_the_real_import_of_a_checked_file(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r, delay = self.confirm(job)
        self.assertRedirects(r, f"/imports/{job.pk}/", fetch_redirect_response=False)
        delay.assert_called_once_with(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.QUEUED and not job.dry_run

    def test_the_whole_flow_checks_then_imports_the_same_stored_file(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        assert SKU.objects.count() == 0
        self.client.login(username="alice", password="password")
        self.confirm(job)
        with self.captureOnCommitCallbacks(execute=True):
            run_import_job(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        assert job.dry_run_results["counts"]["new"] == 2
        assert job.results["counts"]["new"] == 2
        assert sorted(SKU.objects.values_list("sku_code", flat=True)) == ["A", "B"]
        r = self.client.get(f"/imports/{job.pk}/")
        assert b"Imported" in r.content

    def test_it_does_not_import_twice(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        self.confirm(job)
        r, delay = self.confirm(job)
        delay.assert_not_called()
        r = self.client.get(r["Location"])
        assert b"not waiting for confirmation" in r.content

    def test_it_does_not_import_a_file_that_was_not_checked(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.FAILED)
        self.client.login(username="alice", password="password")
        r, delay = self.confirm(job)
        delay.assert_not_called()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED

    def test_it_only_accepts_post_from_importers(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.CHECKED)
        self.client.login(username="alice", password="password")
        assert self.client.get(f"/imports/{job.pk}/confirm/").status_code == 405
        self.client.login(username="bob", password="password")
        r, delay = self.confirm(job)
        assert r.status_code == 403
        delay.assert_not_called()

    def test_the_flow_from_upload_to_import(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.login(username="alice", password="password")
        with patch.object(tasks.import_catalog, "delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                r = self.client.post("/imports/", {"file": SimpleUploadedFile("shop.csv", ROWS.encode())})
        job = ImportJob.objects.get()
        delay.assert_called_once_with(job.pk)
        tasks.import_catalog(job.pk)  # what the worker does with the queued check
        page = self.client.get(r["Location"])
        assert b"Import 2 new and 0 updated rows" in page.content
        assert SKU.objects.count() == 0
        r, delay = self.confirm(job)
        delay.assert_called_once_with(job.pk)
        with self.captureOnCommitCallbacks(execute=True):
            tasks.import_catalog(job.pk)
        page = self.client.get(r["Location"])
        assert b"Imported" in page.content
        assert sorted(SKU.objects.values_list("sku_code", flat=True)) == ["A", "B"]
