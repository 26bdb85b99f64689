from __future__ import annotations

from catalog.importjobs import run_import_job
from catalog.models import ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase

ROWS = f"{HEADER}\nshop,A,en,Electric kettle,,,,,\nshop,B,en,{'x' * 501},,,,,\n"


class ImportJobPageTestCase(ImportViewTestCase):
    def url(self, job):
        return f"/imports/{job.pk}/"

    def test_it_polls_every_second_while_the_job_runs(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.RUNNING, rows_total=200, rows_processed=50)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job))
        assert r.status_code == 200
        assert b'hx-trigger="every 1s"' in r.content
        assert b"50 of 200 rows" in r.content
        assert b'aria-valuenow="25"' in r.content

    def test_it_returns_only_the_status_partial_to_htmx(self):
        job = self.stored_job(ROWS, status=ImportJob.Status.RUNNING, rows_total=200, rows_processed=100)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job), headers={"HX-Request": "true"})
        assert b'id="import-status"' in r.content
        assert b"<html" not in r.content
        assert b"100 of 200 rows" in r.content
        assert r["Vary"] and "HX-Request" in r["Vary"]

    def test_it_stops_polling_and_shows_the_check_when_done(self):
        job = self.stored_job(ROWS)
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job), headers={"HX-Request": "true"})
        assert b"every 1s" not in r.content
        assert b"what importing would do" in r.content
        assert b"Import 1 new and 0 updated rows" in r.content
        assert b"Electric kettle" in r.content
        assert b"is 501 characters long; the limit is 500" in r.content
        assert f"/imports/{job.pk}/errors.csv".encode() in r.content
        assert f"/imports/{job.pk}/confirm/".encode() in r.content

    def test_it_shows_why_a_file_was_refused(self):
        job = self.stored_job("source,title\nshop,Kettle\n")
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job))
        assert b"Missing required column(s): sku_code" in r.content
        assert b"every 1s" not in r.content

    def test_it_escapes_the_file_contents(self):
        job = self.stored_job(f"{HEADER}\nshop,A,en,<script>alert(1)</script> kettle,,,,,\n")
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job))
        assert b"<script>alert(1)" not in r.content
        assert b"&lt;script&gt;alert(1)" in r.content

    def test_it_is_forbidden_without_the_add_sku_permission(self):
        job = self.stored_job(ROWS)
        self.client.login(username="bob", password="password")
        assert self.client.get(self.url(job)).status_code == 403

    def test_it_says_when_no_row_can_be_imported(self):
        job = self.stored_job(f"{HEADER}\nshop,A,ja,Kettle,,,,,\n")
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url(job))
        assert b"no row is valid" in r.content
        assert f"/imports/{job.pk}/confirm/".encode() not in r.content
