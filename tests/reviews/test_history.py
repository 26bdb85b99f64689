from __future__ import annotations

from django.urls import reverse

from catalog.merging import merge_products
from reviews import decisions
from tests.reviews.base import ReviewTestCase


class ProductHistoryViewTestCase(ReviewTestCase):
    def test_it_lists_every_merge_and_split_with_who_made_it(self):
        de = self.sku("K1-de", "de", "Philips Wasserkocher 1,7 l")
        merge_products(self.kettle_en, de, via="auto", reason="p=0.97")
        confirm = decisions.record_decision(self.same.pk, by=self.bob, action="confirm", note="same HD9350")
        decisions.undo_decision(confirm.pk, by=self.bob)
        self.login(self.bob)
        product = self.product_of(self.kettle_en)
        response = self.client.get(reverse("reviews:history", args=[product]))
        body = response.content.decode()
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [row["event"].kind for row in rows] == ["split", "merge", "merge"]
        assert [row["event"].via for row in rows] == ["undo", "review", "auto"]
        assert "automatic merge (alignment)" in body
        assert "review decision · bob" in body
        assert "“same HD9350”" in body
        assert f"undo of #{confirm.pk}" in body
        assert "Philips Wasserkocher 1,7 l" in body

    def test_it_shows_the_live_product_for_a_merged_away_id(self):
        absorbed = self.kettle_zh.product_id  # the younger product: merged away
        merge_products(self.kettle_en, self.kettle_zh, via="auto")
        live = self.product_of(self.kettle_en)
        assert live != absorbed
        self.login(self.bob)
        response = self.client.get(reverse("reviews:history", args=[absorbed]))
        assert response.context["live"].pk == live
        assert f"Product {absorbed} was merged into product {live}" in response.content.decode()
        assert [row["event"].kind for row in response.context["rows"]] == ["merge"]

    def test_it_needs_the_review_permission(self):
        self.login(self.charlie)
        assert self.client.get(reverse("reviews:history", args=[self.kettle_en.product_id])).status_code == 403
