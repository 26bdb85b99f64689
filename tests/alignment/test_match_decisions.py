from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from alignment.models import Match
from catalog.merging import merge_products
from catalog.models import SKU, Product, ProductEvent
from tests.base import BaseTestCase


def make_sku(code: str, language: str) -> SKU:
    return SKU.objects.create(source="shop", sku_code=code, language=language, title=code)


def make_match(a: SKU, b: SKU, status: str = Match.Status.PENDING, p: float = 0.8) -> Match:
    first, second = (a, b) if a.pk < b.pk else (b, a)
    return Match.objects.create(
        sku_a=first, sku_b=second, probability=p, raw_score=p, scorer="lexical",
        status=status, hash_a=first.content_hash, hash_b=second.content_hash,
    )


class MatchDecisionsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = make_sku("A", "en")
        self.b = make_sku("B", "de")

    def test_it_merges_the_products_on_confirm(self):
        match = make_match(self.a, self.b)
        event = match.confirm(by=self.bob)
        match.refresh_from_db()
        assert match.status == Match.Status.CONFIRMED
        assert match.decided_at is not None
        assert SKU.objects.get(pk=self.b.pk).product_id == self.a.product_id
        assert event.actor == self.bob
        assert event.via == "review"
        assert event.match_ref == match.pk

    def test_it_keeps_products_apart_on_reject(self):
        match = make_match(self.a, self.b)
        assert match.reject(by=self.bob) is None
        match.refresh_from_db()
        assert match.status == Match.Status.REJECTED
        assert SKU.objects.get(pk=self.b.pk).product_id != self.a.product_id

    def test_it_splits_an_audited_auto_merge_on_reject(self):
        c = make_sku("C", "en")
        merge_products(self.a, c, via="auto")
        match = make_match(self.a, self.b, Match.Status.AUTO_MERGED, 0.95)
        merge_products(self.a, self.b, via="auto", match_ref=match.pk)
        event = match.reject(by=self.bob)
        assert event.kind == ProductEvent.Kind.SPLIT
        assert event.sku_ids == [self.b.pk]
        assert SKU.objects.get(pk=self.b.pk).product_id != self.a.product_id
        assert SKU.objects.get(pk=c.pk).product_id == self.a.product_id

    def test_it_decides_on_the_skus_the_caller_read_under_its_locks(self):
        match = make_match(self.a, self.b)
        c = make_sku("C", "en")
        with transaction.atomic():
            list(Product.objects.select_for_update().filter(pk__in=[self.a.product_id, self.b.product_id]))
            skus = SKU.objects.in_bulk([match.sku_a_id, match.sku_b_id])
            match.sku_a, match.sku_b = skus[match.sku_a_id], skus[match.sku_b_id]
            with CaptureQueriesContext(connection) as queries:
                event = match.confirm(by=self.bob, skus_locked=True)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "SAVEPOINT" not in sql and "FOR UPDATE" not in sql
        assert event.sku_ids == [self.b.pk]
        match.refresh_from_db()
        assert match.status == Match.Status.CONFIRMED
        assert match.decided_texts["b"]["title"] == "B"
        other = make_match(self.a, c)
        with transaction.atomic():
            skus = SKU.objects.in_bulk([other.sku_a_id, other.sku_b_id])
            other.sku_a, other.sku_b = skus[other.sku_a_id], skus[other.sku_b_id]
            assert other.reject(by=self.bob, skus_locked=True) is None
        other.refresh_from_db()
        assert other.status == Match.Status.REJECTED

    def test_it_reopens_with_the_earlier_texts(self):
        match = make_match(self.a, self.b, Match.Status.REJECTED)
        match.claimed_by = self.bob
        match.save()
        match.reopen(reopened_from={"status": "rejected", "a": {"title": "old"}})
        match.refresh_from_db()
        assert match.status == Match.Status.PENDING
        assert match.claimed_by is None
        assert match.decided_at is None
        assert match.reopened_from["status"] == "rejected"

    def test_it_marks_stale(self):
        match = make_match(self.a, self.b)
        match.mark_stale()
        match.refresh_from_db()
        assert match.status == Match.Status.STALE
