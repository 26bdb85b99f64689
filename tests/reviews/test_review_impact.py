from __future__ import annotations

import random

from alignment.models import Match
from catalog.merging import merge_products
from catalog.models import SKU
from tests.reviews.base import ReviewTestCase


class ReviewImpactTestCase(ReviewTestCase):
    """Match.refresh_review_impact against a brute-force count on a random catalog."""

    def setUp(self) -> None:
        super().setUp()
        rng = random.Random(5)
        skus = [self.sku(f"R{i}", "en" if i % 2 else "de", f"Item {i}") for i in range(30)]
        for _ in range(12):
            a, b = rng.sample(skus, 2)
            merge_products(a, b, via="auto")
        seen = set()
        statuses = ["pending"] * 5 + ["discarded", "rejected", "auto_merged"]
        while len(seen) < 45:
            a, b = sorted(rng.sample(skus, 2), key=lambda s: s.pk)
            if (a.pk, b.pk) not in seen:
                seen.add((a.pk, b.pk))
                self.match(a, b, rng.uniform(0.5, 0.95), rng.choice(statuses),
                           is_audit_sample=rng.random() < 0.5)

    def expected(self) -> dict[int, int]:
        product = dict(SKU.objects.values_list("pk", "product_id"))
        size: dict[int, int] = {}
        for p in product.values():
            size[p] = size.get(p, 0) + 1
        queued = [(m.pk, product[m.sku_a_id], product[m.sku_b_id]) for m in Match.objects.in_review_queue()]
        out = {}
        for pk, pa, pb in queued:
            touching = {other for other, oa, ob in queued if {oa, ob} & {pa, pb}}
            out[pk] = size[pa] + (size[pb] if pb != pa else 0) + len(touching) - 1
        return out

    def stored(self) -> dict[int, int]:
        return dict(Match.objects.in_review_queue().values_list("pk", "review_impact"))

    def test_it_counts_skus_and_neighbouring_queued_pairs_for_every_pair(self):
        Match.objects.update(review_impact=0)
        updated = Match.refresh_review_impact()
        assert updated == len(self.expected())
        assert self.stored() == self.expected()
        for match in Match.objects.in_review_queue().select_related("sku_a", "sku_b"):
            assert match.review_languages == "-".join(sorted([match.sku_a.language, match.sku_b.language]))

    def test_it_refreshes_exactly_the_pairs_around_given_products(self):
        Match.refresh_review_impact()
        first = Match.objects.in_review_queue().select_related("sku_a", "sku_b").first()
        merge_products(first.sku_a, first.sku_b, via="review")
        products = sorted({SKU.objects.get(pk=first.sku_a_id).product_id})
        Match.refresh_review_impact(product_ids=products)
        assert self.stored() == self.expected()

    def test_it_refreshes_given_pairs_only(self):
        Match.objects.update(review_impact=0)
        some = list(Match.objects.in_review_queue().values_list("pk", flat=True)[:3])
        assert Match.refresh_review_impact(match_ids=some) == 3
        stored, expected = self.stored(), self.expected()
        assert {pk: stored[pk] for pk in some} == {pk: expected[pk] for pk in some}
        assert all(stored[pk] == 0 for pk in stored if pk not in some)
