from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command

from catalog.models import SKU
from tests.catalog.csvfiles import HEADER, CsvFilesMixin

ROWS = f"{HEADER}\nshop,A,en,Electric kettle,,,,,\nshop,B,en,Toaster,,,,\"[1]\",\n"


class ImportCatalogCommandTestCase(CsvFilesMixin):
    def call(self, *args):
        out, err = StringIO(), StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("import_catalog", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_imports_and_prints_a_summary(self):
        out, err = self.call(str(self.csv_file(ROWS)))
        assert "2 rows: 1 new, 0 updated, 0 unchanged, 1 invalid [UTF-8, comma-separated]" in out
        assert "row 3: attributes: must be a JSON object" in err
        assert list(SKU.objects.values_list("sku_code", flat=True)) == ["A"]

    def test_it_writes_nothing_with_dry_run(self):
        out, _ = self.call(str(self.csv_file(ROWS)), "--dry-run")
        assert "1 new" in out and "dry run: nothing was written" in out
        assert SKU.objects.count() == 0

    def test_it_writes_invalid_rows_to_the_errors_file(self):
        errors = self.tmp / "errors.csv"
        _, err = self.call(str(self.csv_file(ROWS)), "--dry-run", "--errors", str(errors))
        lines = errors.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].endswith(",error")
        assert lines[1].startswith("shop,B,en,Toaster")
        assert f"Invalid rows written to {errors}" in err

    def test_it_fails_with_a_clear_message_for_a_refused_file(self):
        with self.assertRaisesMessage(CommandError, "Missing required column(s): sku_code, title"):
            self.call(str(self.csv_file("source\nshop\n")))

    def test_it_fails_with_a_clear_message_for_a_missing_file(self):
        with self.assertRaisesMessage(CommandError, "No such file"):
            self.call(str(self.tmp / "nope.csv"))

    def test_it_keeps_product_ref_as_a_label_only_with_no_group(self):
        rows = f"{HEADER}\nshop,K1,en,Electric kettle 1.7 L,,,,,P-1\nshop,K2,de,\"Wasserkocher 1,7 l\",,,,,P-1\n"
        self.call(str(self.csv_file(rows)), "--no-group")
        kettles = SKU.objects.filter(product_ref="P-1")
        assert kettles.count() == 2
        assert len({sku.product_id for sku in kettles}) == 2
