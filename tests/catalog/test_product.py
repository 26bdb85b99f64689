from __future__ import annotations

from django.contrib.auth.models import Group

from catalog.merging import merge_products, split_skus
from catalog.models import SKU, Product
from reviews import roles
from tests.base import BaseTestCase


class ProductPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        self.zh = SKU.objects.create(source="erp-cn", sku_code="100231", language="zh", title="智能电热水壶 1.7L",
                                     attributes={"容量": "1.7L"})
        self.en = SKU.objects.create(source="shop-eu", sku_code="KT-EN", language="en", title="Smart kettle 1.7L",
                                     description="Stainless <b>steel</b>")
        self.de = SKU.objects.create(source="shop-eu", sku_code="KT-DE", language="de", title="Wasserkocher 1,7 L")

    def test_it_shows_the_skus_side_by_side_by_language(self):
        merge_products(self.zh, self.en, via="review", actor=self.bob, reason="same kettle")
        self.client.login(username="bob", password="password")
        r = self.client.get(f"/products/{self.zh.product_id}/")
        assert r.status_code == 200
        columns = r.context["columns"]
        assert [code for code, name, skus in columns] == ["zh", "en", "fr", "es", "de"]
        assert [[s.sku_code for s in skus] for code, name, skus in columns] == [["100231"], ["KT-EN"], [], [], []]
        assert "智能电热水壶 1.7L".encode() in r.content
        assert b"Stainless &lt;b&gt;steel&lt;/b&gt;" in r.content
        assert b"No French description yet." in r.content

    def test_it_shows_the_merge_and_split_history(self):
        merge_products(self.zh, self.en, via="review", actor=self.bob, reason="same kettle", match_ref=42)
        merge_products(self.zh, self.de, via="auto")
        split_skus([self.de.pk], via="review", actor=self.bob, reason="different capacity")
        self.client.login(username="bob", password="password")
        r = self.client.get(f"/products/{self.zh.product_id}/")
        history = r.context["history"]
        assert [event.kind for event, codes in history] == ["split", "merge", "merge"]
        assert history[0][1] == ["shop-eu/KT-DE"]
        assert b"same kettle" in r.content
        assert b"(match 42)" in r.content
        assert b"different capacity" in r.content

    def test_it_redirects_a_merged_away_product_to_the_live_one(self):
        older, younger = sorted([self.zh.product_id, self.en.product_id])
        merge_products(self.zh, self.en, via="auto")
        self.client.login(username="bob", password="password")
        r = self.client.get(f"/products/{younger}/")
        self.assertRedirects(r, f"/products/{older}/")

    def test_it_is_not_found_for_an_unknown_product(self):
        self.client.login(username="bob", password="password")
        assert self.client.get(f"/products/{Product.objects.order_by('-pk').first().pk + 1}/").status_code == 404

    def test_it_needs_login_and_the_view_permission(self):
        url = f"/products/{self.zh.product_id}/"
        assert self.client.get(url)["Location"].startswith("/accounts/login/")
        self.client.login(username="charlie", password="password")
        assert self.client.get(url).status_code == 403
