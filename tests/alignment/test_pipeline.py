from __future__ import annotations

from alignment import embeddings, pipeline, retrieval
from alignment.models import AlignmentState, CategoryThreshold, InstructionTemplate, Match
from catalog.models import SKU, Category, ProductEvent
from tests.base import BaseTestCase
from tests.fakes import FakeScorer

KETTLE_EN = "Stainless steel electric kettle 1.7 L, 2200 W"
KETTLE_DE = "Edelstahl Wasserkocher 1,7 L, 2200 W"
KETTLE_FR = "Bouilloire électrique en inox 1,7 L, 2200 W"
SCALE_ES = "Báscula de cocina digital 5 kg"


class PipelineTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        retrieval.reset_index()
        self.kitchen = Category.get_or_create_path("Home > Kitchen")
        self.scorer = FakeScorer()

    def sku(self, code: str, language: str, title: str, *, source: str = "shop", category=None) -> SKU:
        return SKU.objects.create(
            source=source, sku_code=code, language=language, title=title,
            category=category or self.kitchen,
        )

    def align(self, skus, scores, *, default=0.1, **kwargs):
        # The rest of the catalog was aligned before: its vectors are stored.
        embeddings.ensure_embeddings(list(SKU.objects.all()))
        with FakeScorer.returning(scores, default=default):
            return pipeline.align_skus([s.pk for s in skus], scorer=self.scorer, **kwargs)

    def match(self, a: SKU, b: SKU) -> Match:
        return Match.objects.get(sku_a_id=min(a.pk, b.pk), sku_b_id=max(a.pk, b.pk))

    def product(self, sku: SKU) -> int:
        return SKU.objects.get(pk=sku.pk).product_id


class RoutingTestCase(PipelineTestCase):
    def test_it_merges_pairs_at_or_above_the_auto_threshold(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        summary = self.align([en], {KETTLE_DE: 0.95})
        match = self.match(en, de)
        assert match.status == Match.Status.AUTO_MERGED
        assert self.product(de) == self.product(en) == en.product_id
        event = ProductEvent.objects.get(kind=ProductEvent.Kind.MERGE)
        assert event.via == "auto"
        assert event.match_ref == match.pk
        assert summary.auto_merged == 1

    def test_it_sends_the_review_band_to_pending(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.align([en], {KETTLE_DE: 0.8})
        assert self.match(en, de).status == Match.Status.PENDING
        assert self.product(de) != self.product(en)

    def test_it_keeps_discarded_pairs_with_their_score(self):
        en, es = self.sku("1", "en", KETTLE_EN), self.sku("2", "es", SCALE_ES)
        self.align([en], {SCALE_ES: 0.3})
        match = self.match(en, es)
        assert match.status == Match.Status.DISCARDED
        assert match.probability == 0.3
        assert self.product(es) != self.product(en)

    def test_it_records_how_the_pair_was_scored_and_found(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        template = InstructionTemplate.objects.create(
            category=self.kitchen, version=3, text="Same kettle?", is_published=True
        )
        self.align([en], {KETTLE_DE: 0.8})
        match = self.match(en, de)
        assert match.scorer == "fake"
        assert match.model_revision == "fake-1"
        assert match.raw_score == 0.8
        assert match.instruction == template
        assert match.instruction_version == 3
        assert match.hash_a == SKU.objects.get(pk=match.sku_a_id).content_hash
        assert match.hash_b == SKU.objects.get(pk=match.sku_b_id).content_hash
        assert match.retrieval["fused_rank"] == 1
        assert match.retrieval["embedding_rank"] == 1
        assert match.retrieval["query"] == en.pk

    def test_it_scores_with_the_category_instruction(self):
        en = self.sku("1", "en", KETTLE_EN)
        self.sku("2", "de", KETTLE_DE)
        embeddings.ensure_embeddings(list(SKU.objects.all()))
        InstructionTemplate.objects.create(category=None, version=1, text="Default v1", is_published=True)
        InstructionTemplate.objects.create(
            category=self.kitchen.parent, version=1, text="Home products: same item?", is_published=True
        )
        with FakeScorer.returning({}, default=0.1) as fake:
            pipeline.align_skus([en.pk], scorer=self.scorer)
            assert fake.calls[0][2] == "Home products: same item?"

    def test_it_applies_category_thresholds(self):
        CategoryThreshold.objects.create(category=self.kitchen.parent, auto=0.97, review=0.5)
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        fr = self.sku("3", "fr", KETTLE_FR)
        self.align([en], {KETTLE_DE: 0.95, KETTLE_FR: 0.6})
        assert self.match(en, de).status == Match.Status.PENDING
        assert self.match(en, fr).status == Match.Status.PENDING

    def test_it_is_idempotent(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.sku("3", "fr", KETTLE_FR)
        self.align([en, de], {KETTLE_DE: 0.95, KETTLE_EN: 0.95, KETTLE_FR: 0.4})
        self.align([en, de], {KETTLE_DE: 0.95, KETTLE_EN: 0.95, KETTLE_FR: 0.4})
        assert Match.objects.count() == 3
        assert ProductEvent.objects.count() == 1

    def test_it_skips_skus_edited_since_they_were_enqueued(self):
        en = self.sku("1", "en", KETTLE_EN)
        self.sku("2", "de", KETTLE_DE)
        summary = self.align([en], {KETTLE_DE: 0.95}, expected_hashes={en.pk: "0" * 32})
        assert summary.skipped == 1
        assert Match.objects.count() == 0

    def test_it_marks_the_sku_aligned_at_its_hash(self):
        en = self.sku("1", "en", KETTLE_EN)
        self.align([en], {})
        state = AlignmentState.objects.get(sku=en)
        assert state.status == AlignmentState.Status.DONE
        assert state.aligned_hash == en.content_hash
        assert state.attempts == 1

    def test_it_sends_a_doubtful_member_of_one_product_to_review(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.align([en], {KETTLE_DE: 0.95})
        self.align([de], {KETTLE_EN: 0.2})
        match = self.match(en, de)
        assert match.status == Match.Status.PENDING
        assert "below the review threshold" in match.hold_reason
