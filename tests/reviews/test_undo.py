from __future__ import annotations

from django.urls import reverse

from alignment.models import Match
from catalog.merging import merge_products, split_skus
from catalog.models import ProductEvent
from reviews import decisions
from reviews.models import AppendOnlyError, Decision
from tests.reviews.base import ReviewTestCase


class UndoTestCase(ReviewTestCase):
    url = reverse("reviews:undo")

    def decide(self, match: Match, action: str, user=None) -> Decision:
        return decisions.record_decision(match.pk, by=user or self.bob, action=action)

    def test_it_splits_exactly_what_a_confirm_merged(self):
        # The French SKU's product already holds a Spanish SKU; the English one holds a German one.
        es = self.sku("K2-es", "es", "Hervidor Philips 1,5 L")
        de = self.sku("K1-de", "de", "Philips Wasserkocher 1,7 l")
        merge_products(self.kettle_fr, es, via="auto")
        merge_products(self.kettle_en, de, via="auto")
        before = {s.pk: self.product_of(s) for s in (self.kettle_en, de, self.kettle_fr, es)}
        self.decide(self.differ, "confirm")
        assert self.product_of(self.kettle_fr) == self.product_of(self.kettle_en)
        self.login(self.bob)
        response = self.client.post(self.url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert f"Pair {self.differ.pk}" in response.content.decode()
        assert self.product_of(self.kettle_en) == before[self.kettle_en.pk] == self.product_of(de)
        assert self.product_of(self.kettle_fr) == self.product_of(es) != self.product_of(self.kettle_en)
        split = ProductEvent.objects.filter(kind="split").get()
        assert sorted(split.sku_ids) == sorted([self.kettle_fr.pk, es.pk])
        assert split.via == "undo" and split.actor == self.bob
        self.differ.refresh_from_db()
        assert self.differ.status == Match.Status.PENDING
        assert self.differ.claimed_by == self.bob  # back on the reviewer's screen
        undo = Decision.objects.get(action="undo")
        assert undo.undoes.action == "confirm"
        assert undo.product_event == split

    def test_it_puts_a_rejected_pair_back_in_the_queue(self):
        self.decide(self.differ, "reject")
        self.login(self.bob)
        self.client.post(self.url)
        self.differ.refresh_from_db()
        assert self.differ.status == Match.Status.PENDING
        assert Decision.objects.filter(action="undo").count() == 1

    def test_it_merges_back_an_audited_merge_a_reject_split(self):
        other = self.sku("K8", "de", "Philips Wasserkocher 1,7 l")
        audit = self.audit_sample(self.kettle_en, other)
        self.decide(audit, "reject")
        assert self.product_of(other) != self.product_of(self.kettle_en)
        decisions.undo_decision(Decision.objects.get(action="reject").pk, by=self.bob)
        assert self.product_of(other) == self.product_of(self.kettle_en)
        audit.refresh_from_db()
        assert audit.status == Match.Status.AUTO_MERGED and audit.is_audit_sample

    def test_it_lets_a_skipped_pair_come_back(self):
        skip = self.decide(self.same, "skip")
        self.login(self.bob)
        assert self.client.get(reverse("reviews:next")).url != reverse("reviews:pair", args=[self.same.pk])
        response = self.client.post(self.url, {"decision": skip.pk}, follow=True)
        assert "Undid your skip of pair" in response.content.decode()
        self.same.refresh_from_db()
        assert self.same.claimed_by == self.bob

    def test_it_refuses_to_undo_twice(self):
        decision = self.decide(self.same, "confirm")
        decisions.undo_decision(decision.pk, by=self.bob)
        self.login(self.bob)
        response = self.client.post(self.url, {"decision": decision.pk}, follow=True)
        assert "already undone" in response.content.decode()
        assert Decision.objects.filter(action="undo").count() == 1

    def test_it_refuses_to_undo_someone_elses_decision(self):
        decision = self.decide(self.same, "confirm", user=self.alice)
        self.login(self.bob)
        response = self.client.post(self.url, {"decision": decision.pk}, follow=True)
        assert "only undo your own" in response.content.decode()
        assert self.product_of(self.kettle_en) == self.product_of(self.kettle_zh)

    def test_it_refuses_when_the_merged_skus_moved_since(self):
        decision = self.decide(self.same, "confirm")
        split_skus([self.kettle_zh.pk], via="admin")
        self.login(self.bob)
        response = self.client.post(self.url, {"decision": decision.pk}, follow=True)
        assert "moved since" in response.content.decode() or "changed since" in response.content.decode()
        assert not Decision.objects.filter(action="undo").exists()

    def test_it_says_when_there_is_nothing_to_undo(self):
        self.login(self.bob)
        response = self.client.post(self.url, follow=True)
        assert "Nothing to undo" in response.content.decode()

    def test_it_never_changes_or_deletes_a_decision(self):
        decision = self.decide(self.same, "confirm")
        for attempt in (
            lambda: decision.save(),
            lambda: decision.delete(),
            lambda: Decision.objects.all().delete(),
            lambda: Decision.objects.update(note="rewritten"),
        ):
            try:
                attempt()
            except AppendOnlyError:
                pass
            else:
                raise AssertionError("a decision was changed")
        assert Decision.objects.get().note == ""
