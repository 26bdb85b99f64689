from __future__ import annotations

from django.contrib.auth.models import Group

from catalog.models import SKU, Category, ImportJob
from catalog.signals import sku_changed
from reviews import roles
from tests.base import BaseTestCase


class CatalogAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        self.zh = SKU.objects.create(source="erp-cn", sku_code="100231", language="zh", title="电热水壶",
                                     category=kettles)
        self.en = SKU.objects.create(source="shop-eu", sku_code="KT-EN", language="en", title="Electric kettle",
                                     product=self.zh.product, category=kettles)
        self.chair = SKU.objects.create(source="shop-eu", sku_code="CH-DE", language="de", title="Bürostuhl")
        self.client.login(username="alice", password="password")

    def test_it_shows_a_products_skus_in_language_columns(self):
        r = self.client.get(f"/admin/catalog/product/{self.zh.product_id}/change/")
        assert r.status_code == 200
        assert b"SKUs side by side" in r.content
        assert b'data-language="zh"' in r.content and b'data-language="de"' in r.content
        assert "电热水壶".encode() in r.content
        assert [code for code, name, skus in r.context["columns"]] == ["zh", "en", "fr", "es", "de"]
        assert [len(skus) for code, name, skus in r.context["columns"]] == [1, 1, 0, 0, 0]

    def test_it_filters_skus_by_language_source_and_category(self):
        r = self.client.get("/admin/catalog/sku/", {"language": "de"})
        assert [s.sku_code for s in r.context["cl"].result_list] == ["CH-DE"]
        r = self.client.get("/admin/catalog/sku/", {"source": "erp-cn"})
        assert [s.sku_code for s in r.context["cl"].result_list] == ["100231"]
        r = self.client.get("/admin/catalog/sku/", {"category__id__exact": self.zh.category_id})
        assert sorted(s.sku_code for s in r.context["cl"].result_list) == ["100231", "KT-EN"]

    def test_it_searches_skus_and_products(self):
        r = self.client.get("/admin/catalog/sku/", {"q": "kettle"})
        assert [s.sku_code for s in r.context["cl"].result_list] == ["KT-EN"]
        r = self.client.get("/admin/catalog/product/", {"q": "KT-EN"})
        assert [p.pk for p in r.context["cl"].result_list] == [self.zh.product_id]

    def test_it_announces_an_sku_whose_text_was_edited(self):
        announced = []
        sku_changed.connect(lambda sender, sku_ids, **kw: announced.append(sku_ids), weak=False, dispatch_uid="t-admin")
        self.addCleanup(sku_changed.disconnect, dispatch_uid="t-admin")
        data = {
            "source": "shop-eu", "sku_code": "KT-EN", "language": "en", "title": "Electric kettle 1.7 L",
            "description": "", "brand": "", "attributes": "{}", "category": self.en.category_id, "product_ref": "",
        }
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"/admin/catalog/sku/{self.en.pk}/change/", data)
        assert r.status_code == 302
        assert announced == [[self.en.pk]]
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/admin/catalog/sku/{self.en.pk}/change/", data)
        assert announced == [[self.en.pk]]

    def test_it_sends_import_uploads_to_the_import_page(self):
        r = self.client.get("/admin/catalog/importjob/add/")
        self.assertRedirects(r, "/imports/", fetch_redirect_response=False)
        assert self.client.get("/admin/catalog/importjob/").status_code == 200
        assert not ImportJob.objects.exists()

    def test_it_keeps_product_history_read_only(self):
        r = self.client.get("/admin/catalog/productevent/add/")
        assert r.status_code == 403
