from __future__ import annotations

from unittest import mock

from alignment import embeddings, joins, pipeline, queueing, retrieval
from alignment.models import AlignmentState, CategoryThreshold, InstructionTemplate, Match
from catalog import merging
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

    def test_a_list_reading_scorer_sees_the_candidates_scored_already(self):
        # The German kettle, scored first, takes its English listing; when the English listing's
        # turn comes, that pair is scored already, but a scorer that ranks a document among the
        # others must still see it, or the French look-alike is the best left and merges.
        de, en = self.sku("1", "de", KETTLE_DE), self.sku("2", "en", KETTLE_EN)
        lookalike = self.sku("3", "fr", "Bouilloire électrique en inox 1,5 L, 2200 W")
        scores = {(KETTLE_DE, KETTLE_EN): 0.97, (KETTLE_EN, KETTLE_DE): 0.97, lookalike.title: 0.95}
        embeddings.ensure_embeddings(list(SKU.objects.all()))
        with RankingScorer.returning(scores, default=0.1) as fake:
            pipeline.align_skus([de.pk, en.pk], scorer=RankingScorer())
            english_query = next(documents for query, documents, _ in fake.calls if query.startswith(KETTLE_EN))
        assert KETTLE_DE in english_query[-1]  # after the pairs to route: context only
        assert self.match(de, en).status == Match.Status.AUTO_MERGED
        assert self.match(en, lookalike).status == Match.Status.DISCARDED
        assert self.product(lookalike) != self.product(en)
        assert Match.objects.filter(sku_a=de, sku_b=en).count() == 1  # the context pair is not routed twice


def decided(a: SKU, b: SKU, status: str, *, p: float = 0.8) -> Match:
    first, second = (a, b) if a.pk < b.pk else (b, a)
    match = Match.objects.create(
        sku_a=first, sku_b=second, probability=p, raw_score=p, scorer="fake",
        status=Match.Status.PENDING, hash_a=first.content_hash, hash_b=second.content_hash,
    )
    if status == Match.Status.REJECTED:
        match.reject(by=None)
    elif status == Match.Status.CONFIRMED:
        match.confirm(by=None)
    return match


class RankingScorer(FakeScorer):
    """Reads the list, as e5's fusion does: a document below the best of the list scores half."""

    reads_the_list = True

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        scores = super().score(query, documents, instruction)
        return [s if s == max(scores) else s / 2 for s in scores]


class SafetyRulesTestCase(PipelineTestCase):
    def test_it_never_merges_a_rejected_pair(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        decided(en, de, Match.Status.REJECTED)
        self.align([en, de], {KETTLE_DE: 0.99, KETTLE_EN: 0.99})
        assert self.match(en, de).status == Match.Status.REJECTED
        assert self.product(en) != self.product(de)
        assert not ProductEvent.objects.filter(kind=ProductEvent.Kind.MERGE).exists()

    def test_it_never_merges_a_rejected_pair_through_other_skus(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        fr = self.sku("3", "fr", KETTLE_FR)
        decided(en, fr, Match.Status.REJECTED)
        decided(de, fr, Match.Status.CONFIRMED)  # de and fr are one product
        self.align([en], {KETTLE_DE: 0.99})
        match = self.match(en, de)
        assert match.status == Match.Status.PENDING
        assert "rejected" in match.hold_reason
        assert self.product(en) != self.product(fr)

    def test_it_sees_a_merge_another_worker_made_before_the_locks(self):
        a = self.sku("A", "en", KETTLE_EN)
        c = self.sku("C", "fr", KETTLE_FR)
        b = self.sku("B", "de", KETTLE_DE)
        decided(a, c, Match.Status.REJECTED)
        read = joins._members
        raced = []

        def another_worker_merges_b_into_c(product_ids):
            if not raced:  # b's product was found and locked; now b moves out of it
                raced.append(merging.merge_products(c, SKU.objects.get(pk=b.pk), via="auto"))
            return read(product_ids)

        with mock.patch.object(joins, "_members", another_worker_merges_b_into_c):
            self.align([a], {KETTLE_DE: 0.99})
        assert raced[0] is not None
        assert self.product(b) == self.product(c) != self.product(a)
        match = self.match(a, b)
        assert match.status == Match.Status.PENDING
        assert "rejected" in match.hold_reason

    def test_it_routes_a_pair_split_apart_after_the_first_read_as_a_strong_pair(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.align([en], {KETTLE_DE: 0.95})
        assert self.product(en) == self.product(de)  # read as one product by the next run
        save_rows = pipeline._save_rows
        split = []

        def an_undo_splits_them_meanwhile(new_rows, updates):
            if not split:
                split.append(merging.split_skus([de.pk], via="undo"))
            return save_rows(new_rows, updates)

        with mock.patch.object(pipeline, "_save_rows", an_undo_splits_them_meanwhile):
            self.align([de], {KETTLE_EN: 0.96})
        match = self.match(en, de)
        assert match.probability == 0.96
        assert match.status == Match.Status.AUTO_MERGED
        # Merged again by the machine, with the pair as its reason, after the split.
        assert self.product(en) == self.product(de)
        merge = ProductEvent.objects.filter(kind=ProductEvent.Kind.MERGE).first()
        assert merge.match_ref == match.pk
        assert merge.pk > split[0].pk

    def test_it_labels_a_pair_already_in_one_product_without_merging_again(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.align([en], {KETTLE_DE: 0.95})
        summary = self.align([de], {KETTLE_EN: 0.96})
        assert summary.auto_merged == 1
        match = self.match(en, de)
        assert (match.status, match.probability) == (Match.Status.AUTO_MERGED, 0.96)
        assert ProductEvent.objects.count() == 1

    def test_it_does_not_chain_through_a_weak_bridge(self):
        a = self.sku("A", "en", KETTLE_EN)
        b = self.sku("B", "de", KETTLE_DE)
        scores = {(KETTLE_EN, KETTLE_DE): 0.95, (KETTLE_DE, KETTLE_FR): 0.95, (KETTLE_EN, KETTLE_FR): 0.3}
        self.align([a], scores)
        assert self.product(a) == self.product(b)
        c = self.sku("C", "fr", KETTLE_FR)  # A~C has never been scored
        self.align([b], scores)
        bridge = self.match(b, c)
        assert self.product(c) != self.product(a)
        assert bridge.status == Match.Status.PENDING
        assert "Weak bridge" in bridge.hold_reason
        weak = self.match(a, c)  # scored on the spot and kept for audit
        assert weak.probability == 0.3
        assert weak.retrieval == {"merge_check": True}

    def test_a_list_reading_scorer_checks_a_bridge_beside_the_querys_own_product(self):
        a, b = self.sku("A", "en", KETTLE_EN), self.sku("B", "de", KETTLE_DE)
        lookalike = "Bouilloire électrique en inox 1,5 L, 2200 W"
        scores = {
            (KETTLE_EN, KETTLE_DE): 0.95, (KETTLE_DE, KETTLE_EN): 0.95, (KETTLE_DE, lookalike): 0.95, lookalike: 0.8,
        }
        with RankingScorer.returning(scores, default=0.1):
            embeddings.ensure_embeddings(list(SKU.objects.all()))
            pipeline.align_skus([a.pk], scorer=RankingScorer())
            assert self.product(a) == self.product(b)
            c = self.sku("C", "fr", lookalike)  # A~C has never been scored
            embeddings.ensure_embeddings([c])
            pipeline.align_skus([b.pk], scorer=RankingScorer())
        # Scored against the look-alike alone, A would give it 0.8, above review; beside
        # A's own German listing the look-alike comes second and scores half.
        assert self.product(c) != self.product(a)
        assert self.match(a, c).probability == 0.4
        assert "Weak bridge" in self.match(b, c).hold_reason

    def test_it_does_not_chain_through_a_pair_below_review(self):
        a = self.sku("A", "en", KETTLE_EN)
        b = self.sku("B", "de", KETTLE_DE)
        c = self.sku("C", "fr", KETTLE_FR)
        scores = {(KETTLE_EN, KETTLE_DE): 0.95, (KETTLE_DE, KETTLE_FR): 0.95, (KETTLE_EN, KETTLE_FR): 0.3}
        self.align([a], scores)
        self.align([b], scores)
        assert self.product(a) == self.product(b) != self.product(c)
        assert self.match(b, c).status == Match.Status.PENDING

    def test_it_joins_products_whose_cross_pairs_all_agree(self):
        a = self.sku("A", "en", KETTLE_EN)
        b = self.sku("B", "de", KETTLE_DE)
        self.align([a], {KETTLE_DE: 0.95}, default=0.1)
        c = self.sku("C", "fr", KETTLE_FR)
        self.align([b], {KETTLE_FR: 0.95, KETTLE_EN: 0.95}, default=0.1)
        assert self.product(a) == self.product(b) == self.product(c)
        checked = self.match(a, c)  # the cross pair the join checked
        assert checked.probability == 0.95
        assert checked.status == Match.Status.AUTO_MERGED
        assert checked.retrieval == {"merge_check": True}

    def test_it_holds_same_language_and_source_skus_apart(self):
        en = self.sku("1", "en", KETTLE_EN, source="shop")
        en_again = self.sku("1b", "en", KETTLE_EN + " (new listing)", source="shop")
        de = self.sku("2", "de", KETTLE_DE)
        decided(en_again, de, Match.Status.CONFIRMED)
        self.align([en], {KETTLE_DE: 0.99})
        match = self.match(en, de)
        assert match.status == Match.Status.PENDING
        assert "same language and source" in match.hold_reason
        assert self.product(en) != self.product(de)

    def test_it_allows_same_language_skus_of_different_sources(self):
        en = self.sku("1", "en", KETTLE_EN, source="shop")
        en_other = self.sku("1b", "en", KETTLE_EN + " (marketplace)", source="market")
        de = self.sku("2", "de", KETTLE_DE)
        decided(en_other, de, Match.Status.CONFIRMED)
        self.align([en], {KETTLE_DE: 0.99, KETTLE_EN + " (marketplace)": 0.95})
        assert self.product(en) == self.product(de)


class TextChangeTestCase(PipelineTestCase):
    def edit(self, sku: SKU, **fields) -> SKU:
        for name, value in fields.items():
            setattr(sku, name, value)
        sku.save()
        return sku

    def test_it_reopens_a_decision_after_a_material_change(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        decided(en, de, Match.Status.REJECTED)
        self.edit(de, title="Edelstahl Wasserkocher 1,5 L, 2200 W")
        summary = self.align([de], {KETTLE_EN: 0.5})
        match = self.match(en, de)
        assert summary.reopened == 1
        assert match.status == Match.Status.PENDING
        assert match.reopened_from["status"] == "rejected"
        side = "a" if match.sku_a_id == de.pk else "b"
        assert match.reopened_from[side]["title"] == KETTLE_DE
        assert match.probability == 0.5

    def test_it_keeps_a_decision_after_a_typo_fix(self):
        en = self.sku("1", "en", KETTLE_EN)
        de = SKU.objects.create(
            source="shop", sku_code="2", language="de", title=KETTLE_DE, category=self.kitchen,
            description="Mit Abschaltautomatik und Trockengehschutz.",
        )
        decided(en, de, Match.Status.REJECTED)
        self.edit(de, description="Mit Abschaltautomatik und Trockengehschutz!")
        self.edit(de, description="Mit Abschaltautomatik und Trockengehschutz.  ")
        self.edit(de, description="mit Abschaltautomatik und Trockengehschuttz.")
        summary = self.align([de], {KETTLE_EN: 0.99})
        match = self.match(en, de)
        assert summary.reopened == 0
        assert match.status == Match.Status.REJECTED
        assert self.product(en) != self.product(de)

    def test_it_reopens_once_when_both_sides_changed(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        decided(en, de, Match.Status.CONFIRMED)
        self.edit(en, title="Stainless steel electric kettle 1.5 L, 2200 W")
        self.edit(de, title="Edelstahl Wasserkocher 1,5 L, 2200 W")
        summary = self.align([en, de], {}, default=0.95)
        match = self.match(en, de)
        assert summary.reopened == 1
        assert match.status == Match.Status.PENDING
        assert match.reopened_from["status"] == "confirmed"
        assert match.reopened_from["changed"] == "ab"
        assert self.product(en) == self.product(de)  # still together until a reviewer says otherwise

    def test_it_reopens_a_decision_without_recorded_texts(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        match = decided(en, de, Match.Status.REJECTED)
        Match.objects.filter(pk=match.pk).update(decided_texts=None)
        self.edit(de, description="Neu")
        assert self.align([de], {}).reopened == 1

    def test_it_rescores_open_pairs_after_an_edit(self):
        en, de = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        self.align([en], {KETTLE_DE: 0.8})
        assert self.match(en, de).status == Match.Status.PENDING
        new_title = "Edelstahl Wasserkocher 1,5 L, 2200 W"
        self.edit(de, title=new_title)
        summary = self.align([de], {KETTLE_EN: 0.2})
        match = self.match(en, de)
        assert summary.stale == 1
        assert match.status == Match.Status.DISCARDED
        assert match.probability == 0.2
        assert match.hash_a == SKU.objects.get(pk=match.sku_a_id).content_hash
        assert match.hash_b == SKU.objects.get(pk=match.sku_b_id).content_hash


class EnqueuedWorkTestCase(PipelineTestCase):
    def test_it_marks_skus_failed_on_a_permanent_error(self):
        from alignment.scorers import ScoringError

        en, _ = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        embeddings.ensure_embeddings(list(SKU.objects.all()))
        with FakeScorer.returning(error=ScoringError("weights missing", permanent=True)):
            queueing.align_enqueued([[en.pk, en.content_hash]], scorer=self.scorer)
        state = AlignmentState.objects.get(sku=en)
        assert state.status == AlignmentState.Status.FAILED
        assert "weights missing" in state.error

    def test_it_lets_transient_errors_through_for_a_retry(self):
        from alignment.scorers import ScoringError

        en, _ = self.sku("1", "en", KETTLE_EN), self.sku("2", "de", KETTLE_DE)
        embeddings.ensure_embeddings(list(SKU.objects.all()))
        with FakeScorer.returning(error=ScoringError("GPU busy")):
            with self.assertRaisesMessage(ScoringError, "GPU busy"):
                queueing.align_enqueued([[en.pk, en.content_hash]], scorer=self.scorer)
        assert AlignmentState.objects.get(sku=en).status == AlignmentState.Status.PENDING
        assert Match.objects.count() == 0
