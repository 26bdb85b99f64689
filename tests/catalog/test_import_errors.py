from __future__ import annotations

from catalog.importjobs import run_import_job
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase


class ImportErrorsTestCase(ImportViewTestCase):
    def test_it_downloads_the_invalid_rows_with_an_error_column(self):
        job = self.stored_job(f"{HEADER}\nshop,A,en,Kettle,,,,[1],\nshop,B,en,Toaster,,,,,\n")
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        r = self.client.get(f"/imports/{job.pk}/errors.csv")
        assert r.status_code == 200
        assert 'attachment; filename="catalog-errors.csv"' in r["Content-Disposition"]
        text = b"".join(r.streaming_content).decode("utf-8-sig").splitlines()
        assert text[0] == f"{HEADER},error"
        assert text[1].startswith("shop,A,en,Kettle")
        assert "must be a JSON object" in text[1]
        assert len(text) == 2

    def test_it_is_not_found_when_every_row_was_valid(self):
        job = self.stored_job(f"{HEADER}\nshop,B,en,Toaster,,,,,\n")
        run_import_job(job.pk)
        self.client.login(username="alice", password="password")
        assert self.client.get(f"/imports/{job.pk}/errors.csv").status_code == 404

    def test_it_is_forbidden_without_the_add_sku_permission(self):
        job = self.stored_job(f"{HEADER}\nshop,A,en,Kettle,,,,[1],\n")
        run_import_job(job.pk)
        self.client.login(username="charlie", password="password")
        assert self.client.get(f"/imports/{job.pk}/errors.csv").status_code == 403
