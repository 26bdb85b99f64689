from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command

from alignment.export import neutralise
from catalog import merging
from catalog.models import SKU, Category
from reviews import roles
from tests.base import BaseTestCase


class ExportTestCase(BaseTestCase):
    url = "/exports/catalog.csv"

    def setUp(self):
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        self.en = SKU.objects.create(source="shop", sku_code="K-1", language="en", title="Kettle 1.7 L", category=kettles)
        self.zh = SKU.objects.create(source="cn", sku_code="KT-1", language="zh", title="电热水壶 1.7L", category=kettles)
        self.de = SKU.objects.create(source="shop", sku_code="=HYPERLINK(1)", language="de", title="-Wasserkocher", category=kettles)
        self.lone = SKU.objects.create(source="shop", sku_code="T-9", language="fr", title="@Grille-pain")
        merging.merge_products(self.en, self.zh, via="admin")
        merging.merge_products(self.en, self.de, via="admin")
        self.en.refresh_from_db()

    def rows(self, response):
        content = b"".join(response.streaming_content).decode("utf-8")
        assert content.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(content[1:])))

    def test_it_streams_one_row_per_live_product(self):
        self.client.login(username="alice", password="password")
        r = self.client.get(self.url)
        assert r.status_code == 200
        assert r.streaming
        assert r["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment;" in r["Content-Disposition"]
        rows = self.rows(r)
        assert [row["product_id"] for row in rows] == [str(self.en.product_id), str(self.lone.product_id)]
        kettle = rows[0]
        assert kettle["en"] == "shop/K-1"
        assert kettle["zh"] == "cn/KT-1"
        assert kettle["title_zh"] == "电热水壶 1.7L"
        assert kettle["fr"] == ""
        assert kettle["category"] == "Home > Kitchen > Kettles"
        assert kettle["sku_count"] == "3"

    def test_it_neutralises_formulas(self):
        self.client.login(username="alice", password="password")
        rows = self.rows(self.client.get(self.url))
        assert rows[0]["de"] == "shop/=HYPERLINK(1)"  # starts with "shop", harmless
        assert rows[0]["title_de"] == "'-Wasserkocher"
        assert rows[1]["title_fr"] == "'@Grille-pain"
        for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
            assert neutralise(value) == "'" + value
        assert neutralise("Kettle = 1.7 L") == "Kettle = 1.7 L"

    def test_it_needs_catalog_view_permissions(self):
        self.client.login(username="charlie", password="password")
        assert self.client.get(self.url).status_code == 403
        self.client.logout()
        assert self.client.get(self.url).status_code == 302

    def test_the_command_writes_the_same_csv(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "catalog.csv"
            err = io.StringIO()
            call_command("export_catalog", str(path), stderr=err)
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert len(rows) == 2
        assert rows[0]["en"] == "shop/K-1"
        assert "Exported 2 products" in err.getvalue()
