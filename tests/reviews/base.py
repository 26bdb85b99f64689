from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from alignment.models import Match
from catalog.merging import merge_products
from catalog.models import SKU, Category
from reviews import queue, roles
from tests.base import BaseTestCase


class ReviewTestCase(BaseTestCase):
    """A small catalog with pairs waiting for review.

    bob reviews (merchandiser), alice administers (catalog admin), charlie has
    no role. Two kettle pairs disagree on capacity or agree on everything; a
    power bank pair sits in another category.
    """

    def setUp(self) -> None:
        super().setUp()
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        queue.forget_counts()
        self.kettles = Category.get_or_create_path("Kitchen > Kettles")
        self.power = Category.get_or_create_path("Electronics > Power banks")
        self.kettle_en = self.sku("K1", "en", "Philips electric kettle 1.7L HD9350", "Stainless steel, 2200 W.", shop="amazon")
        self.kettle_zh = self.sku("K1-zh", "zh", "飞利浦电水壶 1.7升 HD9350", "不锈钢 2200W", shop="tmall")
        self.kettle_fr = self.sku("K2-fr", "fr", "Bouilloire Philips 1,5 L HD9351", "Acier inoxydable", shop="fnac")
        self.bank_en = self.sku("P1", "en", "Anker power bank 20000mAh", "USB-C", category=self.power, shop="amazon")
        self.bank_de = self.sku("P1-de", "de", "Anker Powerbank 20 000 mAh", "USB-C", category=self.power, shop="otto")
        self.same = self.match(self.kettle_en, self.kettle_zh, 0.86)
        self.differ = self.match(self.kettle_en, self.kettle_fr, 0.74)
        self.bank = self.match(self.bank_en, self.bank_de, 0.81)
        Match.refresh_review_impact()

    def sku(self, code: str, language: str, title: str, description: str = "", *,
            category: Category | None = None, shop: str = "shop", **extra: Any) -> SKU:
        return SKU.objects.create(
            source=shop, sku_code=code, language=language, title=title, description=description,
            brand=extra.pop("brand", ""), category=category or self.kettles, **extra,
        )

    def match(self, a: SKU, b: SKU, p: float, status: str = Match.Status.PENDING, **extra: Any) -> Match:
        first, second = (a, b) if a.pk < b.pk else (b, a)
        return Match.objects.create(
            sku_a=first, sku_b=second, probability=p, raw_score=p, scorer="lexical",
            model_revision="lexical-1", status=status, hash_a=first.content_hash,
            hash_b=second.content_hash, retrieval={"embedding_rank": 1, "lexical_rank": 2}, **extra,
        )

    def audit_sample(self, a: SKU, b: SKU, p: float = 0.95) -> Match:
        """An automatic merge sampled for a blind check (the products are merged)."""
        match = self.match(a, b, p, Match.Status.AUTO_MERGED)
        merge_products(a, b, via="auto", match_ref=match.pk)
        match.sample_for_audit()
        Match.refresh_review_impact()
        return match

    def product_of(self, sku: SKU) -> int:
        return SKU.objects.get(pk=sku.pk).product_id

    def login(self, user: Any) -> None:
        self.client.force_login(user)
