from __future__ import annotations

from unittest.mock import patch

from django.test import override_settings

from catalog.csvfiles import ImportFileError
from catalog.importing import import_file
from catalog.models import SKU, Category, Product
from catalog.signals import sku_changed
from tests.catalog.csvfiles import HEADER, CsvFilesMixin

KETTLES = f"""{HEADER}
erp-cn,100231,zh,智能电热水壶 1.7L,304不锈钢内胆,Aquora,Home > Kitchen > Kettles,"{{""容量"": ""1.7L""}}",P-1
shop-eu,AQ-KT17-EN,en,Smart Electric Kettle 1.7L,Stainless steel,Aquora,Home > Kitchen > Kettles,"{{""capacity"": ""1.7 L""}}",P-1
shop-eu,AQ-KT17-FR,FR,Bouilloire électrique 1.7L,Inox,Aquora,Home > Kitchen > Kettles,{{}},P-1
shop-eu,CHAIR-1-DE,de,Ergonomischer Bürostuhl,Mit Lordosenstütze,Sitzwohl,Home > Office > Chairs,,
"""


class ImportFileTestCase(CsvFilesMixin):
    def setUp(self) -> None:
        super().setUp()
        self.announced: list[list[int]] = []

        def receiver(sender, sku_ids, **kwargs):
            self.announced.append(sku_ids)

        sku_changed.connect(receiver, weak=False, dispatch_uid="test-importing")
        self.addCleanup(sku_changed.disconnect, dispatch_uid="test-importing")

    def run_import(self, path, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return import_file(path, **kwargs)

    def test_it_imports_rows_with_categories_and_attributes(self):
        report = self.run_import(self.csv_file(KETTLES))
        assert report.counts == {"new": 4, "updated": 0, "unchanged": 0, "invalid": 0}
        sku = SKU.objects.get(source="erp-cn", sku_code="100231")
        assert sku.title == "智能电热水壶 1.7L"
        assert sku.attributes == {"容量": "1.7L"}
        assert sku.category.path == "Home > Kitchen > Kettles"
        assert sku.content_hash == sku.compute_content_hash()
        assert SKU.objects.get(sku_code="AQ-KT17-FR").language == "fr"
        assert set(Category.objects.values_list("path", flat=True)) == {
            "Home", "Home > Kitchen", "Home > Kitchen > Kettles", "Home > Office", "Home > Office > Chairs",
        }

    def test_it_groups_rows_sharing_a_product_ref_into_one_product(self):
        self.run_import(self.csv_file(KETTLES), chunk_size=2)
        kettles = SKU.objects.filter(product_ref="P-1")
        assert kettles.count() == 3
        assert kettles.values("product").distinct().count() == 1
        chair = SKU.objects.get(sku_code="CHAIR-1-DE")
        assert chair.product_id not in set(kettles.values_list("product", flat=True))
        assert Product.objects.count() == 2

    def test_it_adds_a_new_language_to_the_product_of_its_product_ref(self):
        self.run_import(self.csv_file(KETTLES))
        product = SKU.objects.get(sku_code="100231").product_id
        more = f"{HEADER}\nshop-es,AQ-KT17-ES,es,Hervidor eléctrico 1.7L,Acero inoxidable,Aquora,,,P-1\n"
        self.run_import(self.csv_file(more, name="more.csv"))
        assert SKU.objects.get(sku_code="AQ-KT17-ES").product_id == product

    def test_it_announces_new_skus_after_commit(self):
        self.run_import(self.csv_file(KETTLES))
        assert sorted(pk for ids in self.announced for pk in ids) == sorted(SKU.objects.values_list("pk", flat=True))

    @override_settings(CATALOG_IMPORT_CHUNK_SIZE=2)
    def test_it_announces_in_chunks(self):
        self.run_import(self.csv_file(KETTLES))
        assert [len(ids) for ids in self.announced] == [2, 2]

    def test_it_changes_nothing_when_the_same_file_is_imported_again(self):
        path = self.csv_file(KETTLES)
        self.run_import(path)
        before = list(SKU.objects.order_by("pk").values_list("pk", "updated_at", "product_id"))
        self.announced.clear()
        report = self.run_import(path)
        assert report.counts == {"new": 0, "updated": 0, "unchanged": 4, "invalid": 0}
        assert self.announced == []
        assert list(SKU.objects.order_by("pk").values_list("pk", "updated_at", "product_id")) == before
        assert Product.objects.count() == 2

    def test_it_updates_and_announces_only_rows_whose_text_changed(self):
        self.run_import(self.csv_file(KETTLES))
        self.announced.clear()
        changed = KETTLES.replace("Smart Electric Kettle 1.7L", "Smart Electric Kettle 1.7 L white").replace(
            "Home > Office > Chairs", "Home > Office > Seating"
        )
        report = self.run_import(self.csv_file(changed, name="changed.csv"))
        assert report.counts == {"new": 0, "updated": 2, "unchanged": 2, "invalid": 0}
        english = SKU.objects.get(sku_code="AQ-KT17-EN")
        assert english.title == "Smart Electric Kettle 1.7 L white"
        assert english.content_hash == english.compute_content_hash()
        # The chair only moved category: updated, but its text (what alignment reads) did not change.
        assert SKU.objects.get(sku_code="CHAIR-1-DE").category.path == "Home > Office > Seating"
        assert self.announced == [[english.pk]]
        assert {s["sku_code"]: s["changes"] for s in report.samples["updated"]} == {
            "AQ-KT17-EN": ["title"], "CHAIR-1-DE": ["category"],
        }

    def test_it_keeps_values_of_columns_the_file_does_not_have(self):
        self.run_import(self.csv_file(KETTLES))
        titles_only = "source,sku_code,language,title\nshop-eu,AQ-KT17-EN,en,Smart Electric Kettle 1.7L\n"
        report = self.run_import(self.csv_file(titles_only, name="titles.csv"))
        assert report.counts["unchanged"] == 1
        english = SKU.objects.get(sku_code="AQ-KT17-EN")
        assert english.description == "Stainless steel"
        assert english.attributes == {"capacity": "1.7 L"}

    def test_it_writes_nothing_in_a_dry_run(self):
        report = self.run_import(self.csv_file(KETTLES), dry_run=True)
        assert report.counts == {"new": 4, "updated": 0, "unchanged": 0, "invalid": 0}
        assert report.new_categories == ["Home > Kitchen > Kettles", "Home > Office > Chairs"]
        assert SKU.objects.count() == 0
        assert Product.objects.count() == 0
        assert Category.objects.count() == 0
        assert self.announced == []

    def test_it_reads_gb18030_files(self):
        report = self.run_import(self.csv_file(KETTLES, encoding="gb18030"))
        assert report.encoding == "GB18030"
        assert SKU.objects.get(sku_code="100231").title == "智能电热水壶 1.7L"

    def test_it_reads_utf8_with_a_byte_order_mark(self):
        report = self.run_import(self.csv_file(KETTLES, encoding="utf-8-sig"))
        assert report.counts["new"] == 4
        assert SKU.objects.filter(source="erp-cn").exists()

    def test_it_reads_semicolon_separated_files(self):
        text = (
            "Source;SKU Code;Language;Title;Description\n"
            'shop-fr;K-1;fr;Bouilloire 1,7 L;"Inox, sans BPA; 2200 W"\n'
        )
        report = self.run_import(self.csv_file(text))
        assert report.delimiter == "semicolon"
        assert SKU.objects.get(sku_code="K-1").description == "Inox, sans BPA; 2200 W"

    def test_it_reads_tab_separated_files_with_multiline_cells(self):
        text = 'source\tsku_code\tlanguage\ttitle\tdescription\nshop-de\tK-2\tde\tWasserkocher\t"Zeile eins\nZeile zwei"\n'
        report = self.run_import(self.csv_file(text, name="catalog.tsv"))
        assert report.delimiter == "tab"
        assert SKU.objects.get(sku_code="K-2").description == "Zeile eins\nZeile zwei"

    def test_it_refuses_a_file_that_is_neither_utf8_nor_gb18030(self):
        text = f"{HEADER}\nshop-fr,K-1,fr,Café crème à l'été,,,,,\n"
        with self.assertRaisesMessage(ImportFileError, "neither UTF-8 nor GB18030"):
            self.run_import(self.csv_file(text, encoding="latin-1"))
        assert SKU.objects.count() == 0

    def test_it_refuses_damaged_utf8_rather_than_reading_it_as_gb18030(self):
        path = self.csv_file(KETTLES)
        path.write_bytes(path.read_bytes() + b"shop-eu,X,en,Broken \xff title,,,,,\n")
        with self.assertRaisesMessage(ImportFileError, "not valid UTF-8"):
            self.run_import(path)
        assert SKU.objects.count() == 0

    def test_it_refuses_utf16(self):
        with self.assertRaisesMessage(ImportFileError, "UTF-16"):
            self.run_import(self.csv_file(KETTLES, encoding="utf-16"))

    def test_it_refuses_a_file_without_a_required_column(self):
        text = "source,language,title\nshop-eu,en,Kettle\n"
        with self.assertRaisesMessage(ImportFileError, "Missing required column(s): sku_code"):
            self.run_import(self.csv_file(text))

    def test_it_refuses_an_empty_file(self):
        with self.assertRaisesMessage(ImportFileError, "The file is empty."):
            self.run_import(self.csv_file(""))

    def test_it_refuses_a_header_without_rows(self):
        with self.assertRaisesMessage(ImportFileError, "header but no rows"):
            self.run_import(self.csv_file(HEADER + "\n\n"))

    @override_settings(CATALOG_IMPORT_MAX_BYTES=100)
    def test_it_refuses_a_file_over_the_size_limit(self):
        with self.assertRaisesMessage(ImportFileError, "the limit is 0 MB"):
            self.run_import(self.csv_file(KETTLES))

    def test_it_reports_unknown_columns_once(self):
        text = "source,sku_code,language,title,colour,price\nshop,A,en,Kettle,white,10\nshop,B,en,Toaster,red,20\n"
        report = self.run_import(self.csv_file(text))
        assert report.warnings == ["Unknown columns ignored: colour, price."]
        assert report.counts["new"] == 2

    def test_it_reports_every_row_of_a_duplicated_code_and_imports_none_of_them(self):
        text = (
            f"{HEADER}\n"
            "shop,A,en,Kettle white,,,,,\n"
            "shop,B,en,Toaster,,,,,\n"
            "shop,A,en,Kettle black,,,,,\n"
            "other,A,en,Kettle from another source,,,,,\n"
        )
        report = self.run_import(self.csv_file(text))
        assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 2}
        messages = {e.row: e.message for e in report.errors}
        assert "also appears on row(s) 4" in messages[2]
        assert "also appears on row(s) 2" in messages[4]
        assert not SKU.objects.filter(source="shop", sku_code="A").exists()
        assert SKU.objects.filter(source="other", sku_code="A").exists()

    def test_it_reports_over_long_fields_and_imports_the_other_rows(self):
        text = f"{HEADER}\nshop,A,en,{'x' * 501},,,,,\nshop,B,en,Toaster,,,,,\n"
        report = self.run_import(self.csv_file(text))
        assert [(e.row, e.column) for e in report.errors] == [(2, "title")]
        assert "501 characters long; the limit is 500" in report.errors[0].message
        assert list(SKU.objects.values_list("sku_code", flat=True)) == ["B"]

    def test_it_reports_attributes_that_are_not_a_json_object(self):
        text = (
            f"{HEADER}\n"
            'shop,A,en,Kettle,,,,"[""white""]",\n'
            "shop,B,en,Toaster,,,,{colour: red},\n"
        )
        report = self.run_import(self.csv_file(text))
        messages = {e.row: str(e) for e in report.errors}
        assert messages[2] == 'attributes: must be a JSON object like {"colour": "white"}, not a list'
        assert messages[3].startswith("attributes: is not valid JSON")
        assert SKU.objects.count() == 0

    def test_it_keeps_a_formula_looking_cell_as_text(self):
        text = f'{HEADER}\nshop,A,en,"=HYPERLINK(""http://evil.example"",""Kettle"")",+1 cup,,,,\n'
        self.run_import(self.csv_file(text))
        sku = SKU.objects.get(sku_code="A")
        assert sku.title == '=HYPERLINK("http://evil.example","Kettle")'
        assert sku.description == "+1 cup"

    def test_it_reports_a_language_it_does_not_support(self):
        text = f"{HEADER}\nshop,A,ja,電気ケトル,,,,,\n"
        report = self.run_import(self.csv_file(text))
        assert str(report.errors[0]) == "language: 'ja' is not one of zh, en, fr, es, de"

    def test_it_detects_a_missing_language_and_reports_one_it_cannot_tell(self):
        text = (
            f"{HEADER}\n"
            "shop,A,,Wasserkocher aus Edelstahl mit Temperaturwahl,,,,,\n"
            "shop,B,,USB-C 65W,,,,,\n"
        )
        report = self.run_import(self.csv_file(text))
        assert SKU.objects.get(sku_code="A").language == "de"
        assert report.errors[0].row == 3
        assert report.errors[0].column == "language"
        assert report.errors[0].message.startswith("could not tell the language (")

    def test_it_reports_rows_with_more_cells_than_the_header(self):
        text = "source,sku_code,title\nshop,A,Kettle, 1.7 L\n"
        report = self.run_import(self.csv_file(text))
        assert "the row has 4 cells but the header has 3 columns" in report.errors[0].message

    def test_it_writes_the_invalid_rows_to_an_errors_file_that_can_be_fixed_and_imported(self):
        text = f"{HEADER}\nshop,A,en,{'x' * 501},,,,,\nshop,B,en,Toaster,,,,,\n"
        errors_path = self.tmp / "errors.csv"
        self.run_import(self.csv_file(text), errors_path=errors_path)
        written = errors_path.read_text(encoding="utf-8-sig").splitlines()
        assert written[0] == f"{HEADER},error"
        assert written[1].startswith("shop,A,en,xxx")
        assert written[1].endswith(",title: is 501 characters long; the limit is 500")
        assert len(written) == 2

        fixed = errors_path.read_text(encoding="utf-8-sig").replace("x" * 501, "Kettle")
        report = self.run_import(self.csv_file(fixed, name="fixed.csv"))
        assert report.warnings == []
        assert report.counts["new"] == 1
        assert SKU.objects.get(sku_code="A").title == "Kettle"

    def test_it_writes_no_errors_file_when_every_row_is_valid(self):
        errors_path = self.tmp / "errors.csv"
        self.run_import(self.csv_file(KETTLES), errors_path=errors_path)
        assert not errors_path.exists()

    def test_it_leaves_no_part_of_a_failed_chunk_behind(self):
        real_bulk_update = SKU.objects.bulk_update
        self.run_import(self.csv_file(KETTLES))
        changed = KETTLES.replace("Smart Electric Kettle", "Smart Kettle").replace(
            "CHAIR-1-DE", "CHAIR-2-DE"
        )
        # The first chunk (2 rows) commits; the second fails halfway: its new
        # chair was created before the update failed and must be rolled back.
        calls = []

        def failing_bulk_update(objs, fields, **kwargs):
            calls.append(len(objs))
            if len(calls) == 2:
                raise RuntimeError("database went away")
            return real_bulk_update(objs, fields, **kwargs)

        with patch.object(SKU.objects, "bulk_update", side_effect=failing_bulk_update):
            with self.assertRaises(RuntimeError):
                self.run_import(self.csv_file(changed.replace("Bouilloire", "Bouilloire neuve"), name="c.csv"),
                                chunk_size=2)
        assert SKU.objects.get(sku_code="AQ-KT17-EN").title == "Smart Kettle 1.7L"
        assert SKU.objects.get(sku_code="AQ-KT17-FR").title == "Bouilloire électrique 1.7L"
        assert not SKU.objects.filter(sku_code="CHAIR-2-DE").exists()
        assert Product.objects.count() == 2

    def test_it_writes_the_same_through_bulk_create_where_copy_is_not_available(self):
        with patch("catalog.importing._is_postgresql", return_value=False):
            report = self.run_import(self.csv_file(KETTLES), chunk_size=2)
            again = self.run_import(self.csv_file(KETTLES, name="again.csv"))
        assert report.counts["new"] == 4 and again.counts["unchanged"] == 4
        kettles = SKU.objects.filter(product_ref="P-1")
        assert kettles.values("product").distinct().count() == 1
        assert SKU.objects.get(sku_code="100231").attributes == {"容量": "1.7L"}
        assert sorted(pk for ids in self.announced for pk in ids) == sorted(SKU.objects.values_list("pk", flat=True))

    def test_it_joins_a_group_to_an_existing_sku_listed_after_the_new_rows(self):
        chair = f"{HEADER}\nshop-eu,CHAIR-1-DE,de,Ergonomischer Bürostuhl,,,,,\n"
        self.run_import(self.csv_file(chair))
        existing_product = SKU.objects.get(sku_code="CHAIR-1-DE").product_id
        grouped = (
            f"{HEADER}\n"
            "shop-eu,CHAIR-1-EN,en,Ergonomic office chair,,,,,P-CHAIR\n"
            "shop-eu,CHAIR-1-FR,fr,Chaise de bureau ergonomique,,,,,P-CHAIR\n"
            "shop-eu,CHAIR-1-DE,de,Ergonomischer Bürostuhl,,,,,P-CHAIR\n"
        )
        self.run_import(self.csv_file(grouped, name="grouped.csv"), chunk_size=2)
        products = set(SKU.objects.values_list("product_id", flat=True))
        assert products == {existing_product}
        assert Product.objects.count() == 1

    def test_it_replaces_the_error_column_of_a_reuploaded_errors_file(self):
        text = f"{HEADER},error\nshop,A,ja,Kettle,,,,,,old problem\nshop,B,en,Toaster,,,,,,\n"
        errors_path = self.tmp / "errors.csv"
        report = self.run_import(self.csv_file(text), errors_path=errors_path)
        assert report.warnings == []
        lines = errors_path.read_text(encoding="utf-8-sig").splitlines()
        assert lines == [
            f"{HEADER},error",
            "shop,A,ja,Kettle,,,,,,\"language: 'ja' is not one of zh, en, fr, es, de\"",
        ]

    def test_it_keeps_cells_beyond_the_header_in_the_errors_file(self):
        text = "source,sku_code,title\nshop,A,Kettle, 1.7 L\n"
        errors_path = self.tmp / "errors.csv"
        self.run_import(self.csv_file(text), errors_path=errors_path)
        lines = errors_path.read_text(encoding="utf-8-sig").splitlines()
        assert lines[1].startswith("shop,A,Kettle,")
        assert lines[1].endswith(", 1.7 L")

    def test_it_leaves_a_group_alone_once_alignment_merged_its_new_product(self):
        from catalog import importing
        from catalog.merging import merge_products

        setup = f"{HEADER}\nshop-eu,CHAIR-1-DE,de,Ergonomischer Bürostuhl,,,,,\nshop-uk,OTHER,en,Office chair,,,,,\n"
        self.run_import(self.csv_file(setup))
        grouped = (
            f"{HEADER}\n"
            "shop-eu,CHAIR-1-EN,en,Ergonomic office chair,,,,,P-CHAIR\n"
            "shop-eu,CHAIR-1-FR,fr,Chaise de bureau ergonomique,,,,,P-CHAIR\n"
            "shop-eu,CHAIR-1-DE,de,Ergonomischer Bürostuhl,,,,,P-CHAIR\n"
        )
        real_write = importing._Writer.write
        chunks = []

        def write_then_align(writer, rows):
            real_write(writer, rows)
            chunks.append(len(rows))
            if len(chunks) == 1:
                # Alignment merges the new chair into another product between two chunks.
                merge_products(SKU.objects.get(sku_code="CHAIR-1-EN"), SKU.objects.get(sku_code="OTHER"), via="auto")

        with patch.object(importing._Writer, "write", write_then_align):
            report = self.run_import(self.csv_file(grouped, name="grouped.csv"), chunk_size=2)
        assert report.counts["new"] == 2 and report.counts["updated"] == 1
        other = SKU.objects.get(sku_code="OTHER").product
        assert SKU.objects.get(sku_code="CHAIR-1-FR").product == other
        assert Product.objects.filter(merged_into=other).count() == 1

    def test_it_counts_and_writes_a_chunk_again_when_another_import_created_its_codes(self):
        from catalog import importing

        path = self.csv_file(KETTLES)
        self.run_import(path)
        real_existing = importing._existing
        calls = []

        def missing_once(rows):
            # The first look misses the SKUs, as if another import created them just after.
            calls.append(len(rows))
            return {} if len(calls) == 1 else real_existing(rows)

        changed = KETTLES.replace("Smart Electric Kettle 1.7L", "Smart Electric Kettle 1.7 L")
        with patch.object(importing, "_existing", side_effect=missing_once):
            report = self.run_import(self.csv_file(changed, name="changed.csv"))
        assert calls == [4, 4]
        assert report.counts == {"new": 0, "updated": 1, "unchanged": 3, "invalid": 0}
        assert SKU.objects.count() == 4
        assert SKU.objects.get(sku_code="AQ-KT17-EN").title == "Smart Electric Kettle 1.7 L"

    def test_it_refuses_a_file_whose_quote_is_never_closed(self):
        text = f'{HEADER}\nshop,A,en,"Kettle,,,,,\n' + "shop,B,en,Toaster,,,,,\n" * 8000
        with self.assertRaisesMessage(ImportFileError, "Row 2 cannot be read"):
            self.run_import(self.csv_file(text))
        assert SKU.objects.count() == 0

    def test_it_reports_a_cell_with_a_nul_character(self):
        text = f"{HEADER}\nshop,A,en,Kettle\x00,,,,,\nshop,B,en,Toaster,,,,,\n"
        report = self.run_import(self.csv_file(text))
        assert str(report.errors[0]) == "title: contains a NUL character"
        assert list(SKU.objects.values_list("sku_code", flat=True)) == ["B"]

    def test_it_reads_the_delimiter_from_the_header_when_the_sniffer_cannot_tell(self):
        text = "source;sku_code;title\nshop;A;Kettle\n"
        report = self.run_import(self.csv_file(text))
        assert report.delimiter == "semicolon"
        assert SKU.objects.get(sku_code="A").title == "Kettle"
