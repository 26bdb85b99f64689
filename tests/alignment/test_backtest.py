from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import override_settings

from alignment import backtest
from alignment.models import InstructionTemplate, Match
from alignment.scorers.lexical import LexicalScorer
from catalog.models import SKU, Category
from reviews import roles
from tests.base import BaseTestCase
from tests.fakes import FakeScorer, IgnoringScorer


class BacktestTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        self.kettles = Category.get_or_create_path("Kitchen > Kettles")
        self.scales = Category.get_or_create_path("Kitchen > Scales")
        rows = [
            ("k17", "en", "Electric kettle 1.7 L stainless"), ("k17", "de", "Wasserkocher 1,7 L Edelstahl"),
            ("k17", "fr", "Bouilloire électrique 1,7 L inox"),
            ("k15", "en", "Electric kettle 1.5 L glass"), ("k15", "de", "Wasserkocher 1,5 L Glas"),
            ("k10", "zh", "电热水壶 1.0L"), ("k10", "en", "Travel kettle 1.0 L"),
        ]
        self.skus = [
            SKU.objects.create(source="s", sku_code=f"{ref}-{lang}", language=lang, title=title, category=self.kettles, product_ref=ref)
            for ref, lang, title in rows
        ]
        self.scale = SKU.objects.create(source="s", sku_code="sc-en", language="en", title="Kitchen scale 5 kg", category=self.scales, product_ref="sc")

    def test_it_builds_labelled_queries_from_product_refs_and_decisions(self):
        en17, de17 = self.skus[0], self.skus[1]
        en15 = self.skus[3]
        a, b = sorted([de17, en15], key=lambda s: s.pk)
        Match.objects.create(sku_a=a, sku_b=b, probability=0.8, raw_score=0.8, scorer="x", status="rejected", hash_a="", hash_b="")
        queries, labelled = backtest.labelled_queries(self.kettles, max_pairs=1000)
        pairs = {(q.sku.sku_code, c.sku_code): label for q in queries for c, label in zip(q.candidates, q.labels)}
        assert pairs[("k17-en", "k17-de")] is True
        assert pairs[("k17-en", "k17-fr")] is True
        assert pairs[(a.sku_code, b.sku_code)] is False
        assert pairs[("k15-en", "k15-de")] is True
        # Negatives are other-language SKUs of the tree with another product_ref.
        for query in queries:
            for candidate, label in zip(query.candidates, query.labels):
                assert candidate.language != query.sku.language
                assert label == (candidate.product_ref == query.sku.product_ref) or query.sku.pk in (a.pk, b.pk)
        assert ("k17-en", "k15-en") not in pairs
        # 1 decision + per product_ref group its other-language members and 4 negatives.
        assert labelled == 1 + (2 + 4) + (1 + 4) + (1 + 4)

    def test_it_bounds_the_sample(self):
        queries, labelled = backtest.labelled_queries(self.kettles, max_pairs=3)
        assert sum(len(q.candidates) for q in queries) == 3
        assert labelled > 3

    def test_it_measures_top1_precision_and_recall(self):
        sku = self.skus[0]
        query = backtest.Query(sku, [self.skus[1], self.skus[4], self.skus[2]], [True, False, True])
        metrics = backtest.measure([query], [[0.95, 0.92, 0.75]], auto=0.9, review=0.7)
        assert metrics.top1 == 1.0
        assert metrics.auto_precision == 0.5
        assert metrics.auto_recall == 0.5
        assert metrics.review_precision == 2 / 3
        assert metrics.review_recall == 1.0
        metrics = backtest.measure([query], [[0.5, 0.92, 0.75]], auto=0.9, review=0.7)
        assert metrics.top1 == 0.0

    def test_it_compares_draft_and_current_and_counts_moves(self):
        en17, de17 = self.skus[0], self.skus[1]
        a, b = sorted([en17, de17], key=lambda s: s.pk)
        Match.objects.create(sku_a=a, sku_b=b, probability=0.8, raw_score=0.8, scorer="x", status="pending", hash_a="", hash_b="")
        with FakeScorer.returning(default=0.5):
            result = backtest.run_backtest(self.kettles, draft="draft", current="current", scorer=FakeScorer())
            instructions = {call[2] for call in FakeScorer.calls}
        assert instructions == {"draft", "current"}
        assert result.draft is not None
        assert result.open_total == 1
        assert result.moves == {("review", "discard"): 1}

    def test_it_says_when_the_scorer_ignores_instructions(self):
        en17, de17 = sorted(self.skus[:2], key=lambda s: s.pk)
        Match.objects.create(sku_a=en17, sku_b=de17, probability=0.8, raw_score=0.8, scorer="x", status="pending", hash_a="", hash_b="")
        with IgnoringScorer.returning(default=0.5):
            result = backtest.run_backtest(self.kettles, draft="draft", current="current", scorer=IgnoringScorer())
            assert {call[2] for call in IgnoringScorer.calls} == {"current"}
        assert result.draft is None
        assert result.uses_instruction is False
        # The draft cannot move a pair: none is re-scored alone, out of the rivals it was scored among.
        assert (result.open_sampled, result.moves) == (1, {})

    def test_the_lexical_scorer_ranks_the_right_kettle_first(self):
        result = backtest.run_backtest(self.kettles, draft="d", current="c", scorer=LexicalScorer())
        assert result.current.ranked_queries >= 2
        assert result.current.top1 is not None and result.current.top1 >= 0.5

    def test_the_editor_runs_a_backtest_via_htmx(self):
        self.client.login(username="alice", password="password")
        InstructionTemplate.add_version(self.kettles, text="Same kettle?").publish()
        r = self.client.post(
            f"/instructions/{self.kettles.pk}/backtest/", {"text": "Same kettle and capacity?"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200
        assert b"<html" not in r.content
        assert b"Top-1" in r.content
        assert b"labelled pairs" in r.content
        # lexical ignores instructions: the page says so instead of a fake comparison.
        assert b"ignores instructions" in r.content

    @override_settings(ALIGNMENT_SCORER="tests.fakes.FakeScorer")
    def test_the_editor_compares_versions_when_the_scorer_uses_instructions(self):
        from alignment.scorers import get_scorer

        get_scorer.cache_clear()
        self.client.login(username="alice", password="password")
        try:
            with FakeScorer.returning(default=0.95):
                r = self.client.post(f"/instructions/{self.kettles.pk}/backtest/", {"text": "Same kettle?"}, headers={"HX-Request": "true"})
        finally:
            get_scorer.cache_clear()
        assert b"<th>Draft</th>" in r.content
        assert b"ignores instructions" not in r.content

    def test_the_editor_backtest_works_without_js(self):
        self.client.login(username="alice", password="password")
        r = self.client.post(f"/instructions/{self.kettles.pk}/backtest/", {"text": "Same kettle?"})
        assert b"<html" in r.content
        assert b"Top-1" in r.content
        r = self.client.post(f"/instructions/{self.kettles.pk}/backtest/", {"text": ""}, headers={"HX-Request": "true"})
        assert b"The instruction cannot be empty." in r.content

    def test_a_merchandiser_cannot_backtest(self):
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        self.client.login(username="bob", password="password")
        assert self.client.post(f"/instructions/{self.kettles.pk}/backtest/", {"text": "x"}).status_code == 403
