from __future__ import annotations

from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from catalog import tasks
from catalog.models import SKU, ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase

ROWS = f"{HEADER}\nshop,A,en,Kettle,,,,,\n"


class ImportUploadTestCase(ImportViewTestCase):
    url = "/imports/"

    def upload(self, content: bytes, name: str = "catalog.csv"):
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content, "text/csv")})

    def test_it_shows_the_upload_form_and_recent_imports(self):
        self.stored_job(ROWS, status=ImportJob.Status.DONE, dry_run=False, new_count=1)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url)
        assert r.status_code == 200
        assert b'enctype="multipart/form-data"' in r.content
        assert b"catalog.csv" in r.content

    def test_it_stores_the_file_and_queues_a_check(self):
        self.client.login(username="alice", password="password")
        with patch.object(tasks.import_catalog, "delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                r = self.upload(ROWS.encode())
        job = ImportJob.objects.get()
        self.assertRedirects(r, f"/imports/{job.pk}/", fetch_redirect_response=False)
        delay.assert_called_once_with(job.pk)
        assert job.dry_run and job.status == ImportJob.Status.QUEUED
        assert job.created_by == self.alice
        assert job.original_name == "catalog.csv"
        with job.file.open("rb") as f:
            assert f.read() == ROWS.encode()
        assert SKU.objects.count() == 0

    @override_settings(CATALOG_IMPORT_MAX_BYTES=10)
    def test_it_refuses_a_file_over_the_limit(self):
        self.client.login(username="alice", password="password")
        with patch.object(tasks.import_catalog, "delay") as delay:
            r = self.upload(ROWS.encode())
        assert r.status_code == 200
        assert b"the limit is 0 MB" in r.content
        assert not ImportJob.objects.exists()
        delay.assert_not_called()

    def test_it_refuses_an_empty_file_and_other_file_types(self):
        self.client.login(username="alice", password="password")
        r = self.upload(b"", name="empty.csv")
        assert b"The submitted file is empty." in r.content or b"The file is empty." in r.content
        r = self.upload(b"PK\x03\x04", name="catalog.xlsx")
        assert b"Upload a CSV file (.csv, .tsv or .txt)." in r.content
        assert not ImportJob.objects.exists()

    def test_it_is_forbidden_without_the_add_sku_permission(self):
        self.client.login(username="bob", password="password")
        assert self.client.get(self.url).status_code == 403
        assert self.upload(ROWS.encode()).status_code == 403
        assert not ImportJob.objects.exists()

    def test_it_requires_login(self):
        r = self.client.get(self.url)
        assert r.status_code == 302
        assert r["Location"].startswith("/accounts/login/")
