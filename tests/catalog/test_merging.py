from __future__ import annotations

from django.db import transaction

from catalog.merging import MergeError, merge_products, split_skus
from catalog.models import SKU, Product, ProductEvent
from tests.base import BaseTestCase


def make_sku(code: str, language: str = "en", **fields) -> SKU:
    return SKU.objects.create(source="shop", sku_code=code, language=language, title=code, **fields)


class MergeProductsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = make_sku("A", "en")
        self.b = make_sku("B", "de")
        self.c = make_sku("C", "fr")

    def test_it_keeps_the_older_product_id(self):
        older = self.a.product_id
        event = merge_products(self.b, self.a, via="review", actor=self.alice, reason="same kettle")
        self.b.refresh_from_db()
        assert self.b.product_id == older
        assert self.b.product_id == self.a.product_id
        assert event.product_id == older
        assert event.kind == ProductEvent.Kind.MERGE
        assert event.actor == self.alice
        assert event.via == "review"
        assert event.reason == "same kettle"

    def test_it_points_the_absorbed_product_at_the_survivor(self):
        absorbed = self.b.product
        merge_products(self.a, self.b, via="auto", match_ref=42)
        absorbed.refresh_from_db()
        assert absorbed.merged_into_id == self.a.product_id
        assert absorbed.resolve().pk == self.a.product_id
        assert list(Product.objects.live().filter(pk=absorbed.pk)) == []
        assert ProductEvent.objects.get().match_ref == 42

    def test_it_moves_every_sku_of_the_absorbed_product(self):
        merge_products(self.b, self.c, via="auto")
        event = merge_products(self.a, self.c, via="auto")
        assert sorted(event.sku_ids) == sorted([self.b.pk, self.c.pk])
        assert set(SKU.objects.values_list("product_id", flat=True)) == {self.a.product_id}

    def test_it_does_nothing_when_already_together(self):
        merge_products(self.a, self.b, via="auto")
        assert merge_products(self.b, self.a, via="auto") is None
        assert ProductEvent.objects.count() == 1

    def test_it_follows_stale_sku_objects(self):
        stale_c = SKU.objects.get(pk=self.c.pk)
        merge_products(self.b, self.c, via="auto")
        event = merge_products(self.a, stale_c, via="auto")
        assert sorted(event.sku_ids) == sorted([self.b.pk, self.c.pk])

    def test_it_merges_under_the_callers_locks_without_locking_again(self):
        with transaction.atomic():
            list(Product.objects.select_for_update().filter(pk__in=[self.a.product_id, self.b.product_id]))
            a, b = SKU.objects.get(pk=self.a.pk), SKU.objects.get(pk=self.b.pk)
            # The products (one read), the absorbed product's SKUs, the move, both
            # products' rows and the event: no locking read, no second read of the SKUs.
            with self.assertNumQueries(6):
                event = merge_products(b, a, via="review", locked=True)
        assert event.product_id == self.a.product_id
        assert event.sku_ids == [self.b.pk]
        assert b.product_id == a.product_id == self.a.product_id
        assert Product.objects.get(pk=self.b.product_id).merged_into_id == self.a.product_id


class SplitSkusTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = make_sku("A", "en")
        self.b = make_sku("B", "de")
        self.c = make_sku("C", "fr")
        merge_products(self.a, self.b, via="auto")
        self.merge = merge_products(self.a, self.c, via="review", actor=self.bob)

    def test_it_moves_skus_to_a_new_product_and_records_it(self):
        product = self.a.product
        event = split_skus([self.c.pk], via="undo", actor=self.bob, reason="undo", match_ref=7)
        self.c.refresh_from_db()
        assert self.c.product_id not in (product.pk,)
        assert event.kind == ProductEvent.Kind.SPLIT
        assert event.product_id == product.pk
        assert event.other_product_id == self.c.product_id
        assert event.sku_ids == [self.c.pk]
        assert event.match_ref == 7
        assert SKU.objects.get(pk=self.b.pk).product_id == product.pk

    def test_it_undoes_exactly_what_a_merge_moved(self):
        split_skus(self.merge.sku_ids, via="undo", actor=self.bob)
        a, b, c = (SKU.objects.get(pk=s.pk) for s in (self.a, self.b, self.c))
        assert a.product_id == b.product_id
        assert c.product_id != a.product_id

    def test_it_refuses_to_empty_a_product(self):
        ids = [self.a.pk, self.b.pk, self.c.pk]
        with self.assertRaisesMessage(MergeError, "at least one must stay"):
            split_skus(ids, via="admin")
        assert ProductEvent.objects.filter(kind=ProductEvent.Kind.SPLIT).count() == 0

    def test_it_refuses_skus_of_different_products(self):
        d = make_sku("D", "es")
        with self.assertRaisesMessage(MergeError, "different products"):
            split_skus([self.c.pk, d.pk], via="admin")
        assert SKU.objects.get(pk=self.c.pk).product_id == self.a.product_id

    def test_it_refuses_unknown_and_empty_ids(self):
        with self.assertRaisesMessage(MergeError, "Unknown SKU ids: 999999"):
            split_skus([999999], via="admin")
        with self.assertRaisesMessage(MergeError, "at least one SKU"):
            split_skus([], via="admin")
