from __future__ import annotations

from unittest.mock import patch

from django.contrib.auth.models import Group

from alignment import instructions, rescoring, tasks
from alignment.models import InstructionTemplate, Match, RescoreRun
from alignment.scorers import ScoringError
from catalog.models import SKU, Category
from reviews import roles
from tests.base import BaseTestCase
from tests.fakes import FakeScorer, IgnoringScorer


def make_match(a, b, *, status, probability):
    sku_a, sku_b = sorted([a, b], key=lambda s: s.pk)
    return Match.objects.create(
        sku_a=sku_a, sku_b=sku_b, probability=probability, raw_score=probability, scorer="old",
        status=status, hash_a=sku_a.content_hash, hash_b=sku_b.content_hash,
    )


class PublishTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        self.client.login(username="alice", password="password")
        self.kettles = Category.get_or_create_path("Kitchen > Kettles")
        self.toasters = Category.get_or_create_path("Kitchen > Toasters")
        self.url = f"/instructions/{self.kettles.pk}/"
        sku = lambda code, lang, title, cat: SKU.objects.create(source="s", sku_code=code, language=lang, title=title, category=cat)
        self.k_en = sku("k-en", "en", "Kettle 1.7 L", self.kettles)
        self.k_de = sku("k-de", "de", "Wasserkocher 1,7 L", self.kettles)
        self.k_fr = sku("k-fr", "fr", "Bouilloire 1,5 L", self.kettles)
        self.k_zh = sku("k-zh", "zh", "电热水壶 1.7L", self.kettles)
        self.t_en = sku("t-en", "en", "Toaster", self.toasters)
        self.t_de = sku("t-de", "de", "Toaster 2 Scheiben", self.toasters)

    def test_publishing_activates_the_version_and_enqueues_a_rescore(self):
        v1 = InstructionTemplate.add_version(self.kettles, text="v1")
        v1.publish()
        v2 = InstructionTemplate.add_version(self.kettles, text="v2")
        make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        with patch.object(tasks.rescore_category, "delay") as delay, self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"{self.url}versions/2/publish/")
        assert r.status_code == 302
        run = RescoreRun.objects.get()
        delay.assert_called_once_with(run.pk)
        assert run.template == v2
        assert run.total == 1
        v1.refresh_from_db()
        v2.refresh_from_db()
        assert (v1.is_published, v2.is_published) == (False, True)
        assert v1.published_at is not None  # history: it was published once
        assert instructions.instruction_for(self.kettles) == ("v2", v2)

    def test_rolling_back_publishes_an_older_version(self):
        v1 = InstructionTemplate.add_version(self.kettles, text="v1")
        v2 = InstructionTemplate.add_version(self.kettles, text="v2")
        v2.publish()
        with patch.object(tasks.rescore_category, "delay"), self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"{self.url}versions/1/publish/")
        assert instructions.instruction_for(self.kettles) == ("v1", v1)
        page = self.client.get(self.url)
        assert b"was published" in page.content

    def test_the_rescore_updates_open_pairs_and_leaves_human_decisions(self):
        template = InstructionTemplate.add_version(self.kettles, text="Same kettle?")
        template.publish()
        pending = make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        discarded = make_match(self.k_en, self.k_zh, status=Match.Status.DISCARDED, probability=0.1)
        auto = make_match(self.k_de, self.k_zh, status=Match.Status.AUTO_MERGED, probability=0.95)
        rejected = make_match(self.k_en, self.k_fr, status=Match.Status.REJECTED, probability=0.85)
        other_category = make_match(self.t_en, self.t_de, status=Match.Status.PENDING, probability=0.8)
        run = RescoreRun.objects.create(template=template)
        scores = {"Wasserkocher 1,7 L": 0.2, "电热水壶 1.7L": 0.8}
        with FakeScorer.returning(scores, default=0.5):
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
            assert all(call[2] == "Same kettle?" for call in FakeScorer.calls)
            assert len(FakeScorer.calls) == 3
        run.refresh_from_db()
        assert (run.status, run.total, run.done) == ("done", 3, 3)
        for match in (pending, discarded, auto, rejected, other_category):
            match.refresh_from_db()
        assert (pending.status, pending.probability) == ("discarded", 0.2)
        assert pending.instruction == template
        assert pending.instruction_version == template.version
        assert pending.scorer == "fake"
        assert discarded.status == "pending"
        # An automatic merge that falls below the threshold goes to review, still merged.
        assert auto.status == "pending"
        assert (rejected.status, rejected.probability, rejected.scorer) == ("rejected", 0.85, "old")
        assert (other_category.status, other_category.scorer) == ("pending", "old")
        assert run.moved == {"pending->discarded": 1, "discarded->pending": 1, "auto_merged->pending": 1}

    def test_a_scorer_that_ignores_instructions_only_records_the_version(self):
        # e5 scored these two among their rivals; alone, each would score higher and could merge.
        template = InstructionTemplate.add_version(self.kettles, text="Same kettle?")
        template.publish()
        pending = make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.49)
        discarded = make_match(self.k_en, self.k_zh, status=Match.Status.DISCARDED, probability=0.1)
        run = RescoreRun.objects.create(template=template)
        with IgnoringScorer.returning(default=0.95):
            rescoring.rescore_run(run.pk, scorer=IgnoringScorer())
            assert IgnoringScorer.calls == []
        run.refresh_from_db()
        assert (run.status, run.done, run.moved) == ("done", 2, {})
        for match, status, probability in ((pending, "pending", 0.49), (discarded, "discarded", 0.1)):
            match.refresh_from_db()
            assert (match.status, match.probability, match.scorer) == (status, probability, "old")
            assert (match.instruction, match.instruction_version) == (template, template.version)

    def test_a_subcategory_with_its_own_template_is_not_rescored_by_the_parent(self):
        kitchen = self.kettles.parent
        own = InstructionTemplate.add_version(self.kettles, text="kettles")
        own.publish()
        parent = InstructionTemplate.add_version(kitchen, text="kitchen")
        parent.publish()
        make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        toaster = make_match(self.t_en, self.t_de, status=Match.Status.PENDING, probability=0.8)
        assert list(rescoring.open_matches(kitchen)) == [toaster]
        assert rescoring.open_matches(None).count() == 0

    def test_a_superseded_run_does_nothing(self):
        v1 = InstructionTemplate.add_version(self.kettles, text="v1")
        v1.publish()
        run = RescoreRun.objects.create(template=v1)
        InstructionTemplate.add_version(self.kettles, text="v2").publish()
        pending = make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        with FakeScorer.returning(default=0.1):
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
            assert FakeScorer.calls == []
        run.refresh_from_db()
        assert run.status == "done"
        assert "another version was published" in run.error
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_running_twice_rescores_once(self):
        template = InstructionTemplate.add_version(self.kettles, text="v1")
        template.publish()
        make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        run = RescoreRun.objects.create(template=template)
        with FakeScorer.returning(default=0.75):
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
            assert len(FakeScorer.calls) == 1

    def test_a_transient_scoring_error_leaves_the_run_queued_for_retry(self):
        template = InstructionTemplate.add_version(self.kettles, text="v1")
        template.publish()
        make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        run = RescoreRun.objects.create(template=template)
        with FakeScorer.returning(error=ScoringError("GPU busy")):
            with self.assertRaises(ScoringError):
                rescoring.rescore_run(run.pk, scorer=FakeScorer())
        run.refresh_from_db()
        assert run.status == "queued"
        with FakeScorer.returning(error=ScoringError("no weights", permanent=True)):
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
        run.refresh_from_db()
        assert run.status == "failed"
        assert "no weights" in run.error

    def test_the_task_runs_the_work(self):
        template = InstructionTemplate.add_version(self.kettles, text="v1")
        template.publish()
        run = RescoreRun.objects.create(template=template)
        assert tasks.rescore_category(run.pk) == run.pk
        run.refresh_from_db()
        assert run.status == "done"

    def test_the_page_polls_progress_until_the_run_finishes(self):
        template = InstructionTemplate.add_version(self.kettles, text="v1")
        template.publish()
        run = RescoreRun.objects.create(template=template, total=10, done=4, status="running")
        url = f"{self.url}rescore/{run.pk}/"
        r = self.client.get(url, headers={"HX-Request": "true"})
        assert b"<html" not in r.content
        assert b'hx-trigger="every 2s"' in r.content
        assert b"4 of 10" in r.content
        run.status, run.done = "done", 10
        run.save()
        r = self.client.get(url, headers={"HX-Request": "true"})
        assert b"hx-trigger" not in r.content
        assert b"Finished" in r.content
        assert self.client.get(f"/instructions/{self.toasters.pk}/rescore/{run.pk}/").status_code == 404

    def test_a_merchandiser_cannot_publish(self):
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        InstructionTemplate.add_version(self.kettles, text="v1")
        self.client.login(username="bob", password="password")
        assert self.client.post(f"{self.url}versions/1/publish/").status_code == 403
        assert not InstructionTemplate.objects.filter(is_published=True).exists()

    def test_publishing_the_active_version_again_starts_nothing(self):
        InstructionTemplate.add_version(self.kettles, text="v1").publish()
        with patch.object(tasks.rescore_category, "delay") as delay, self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"{self.url}versions/1/publish/", follow=True)
        assert b"already the active one" in r.content
        delay.assert_not_called()
        assert not RescoreRun.objects.exists()

    def test_the_rescore_keeps_reopened_pairs_and_product_members_in_review(self):
        from catalog import merging

        template = InstructionTemplate.add_version(self.kettles, text="v1")
        template.publish()
        merging.merge_products(self.k_en, self.k_de, via="admin")
        self.k_en.refresh_from_db()
        self.k_de.refresh_from_db()
        member = make_match(self.k_en, self.k_de, status=Match.Status.PENDING, probability=0.8)
        reopened = make_match(self.k_en, self.k_zh, status=Match.Status.PENDING, probability=0.8)
        reopened.reopened_from = {"status": "confirmed"}
        reopened.save()
        plain = make_match(self.k_de, self.k_zh, status=Match.Status.PENDING, probability=0.8)
        run = RescoreRun.objects.create(template=template)
        with FakeScorer.returning(default=0.1):
            rescoring.rescore_run(run.pk, scorer=FakeScorer())
        for match in (member, reopened, plain):
            match.refresh_from_db()
        assert (member.status, member.probability) == ("pending", 0.1)
        assert (reopened.status, reopened.probability) == ("pending", 0.1)
        assert plain.status == "discarded"
