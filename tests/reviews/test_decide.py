from __future__ import annotations

from django.db import connection
from django.urls import reverse

from alignment.models import Match
from reviews.models import Decision
from tests.reviews.base import ReviewTestCase


class DecideViewTestCase(ReviewTestCase):
    def url(self, match: Match) -> str:
        return reverse("reviews:decide", args=[match.pk])

    def open(self, match: Match, user=None) -> None:
        self.login(user or self.bob)
        self.client.get(reverse("reviews:pair", args=[match.pk]))

    def test_it_confirms_merges_the_products_and_swaps_in_the_next_pair(self):
        self.open(self.same)
        response = self.client.post(
            self.url(self.same), {"action": "confirm", "note": "same model"}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body
        assert f"Pair {self.differ.pk}" in body  # the next pair, already leased
        assert "products merged" in body
        assert response["HX-Push-Url"] == reverse("reviews:pair", args=[self.differ.pk])
        assert "decided" in response["HX-Trigger"]
        assert self.product_of(self.kettle_en) == self.product_of(self.kettle_zh)
        self.same.refresh_from_db()
        assert self.same.status == Match.Status.CONFIRMED
        decision = Decision.objects.get(match=self.same)
        assert decision.reviewer == self.bob
        assert decision.action == "confirm"
        assert decision.note == "same model"
        assert decision.probability == 0.86
        assert decision.seen["a"]["title"] == self.same.sku_a.title
        assert decision.product_event.kind == "merge"
        self.differ.refresh_from_db()
        assert self.differ.claimed_by == self.bob

    def test_it_confirms_and_swaps_in_the_next_pair_in_a_pinned_number_of_queries(self):
        # The queue's hottest request: a query added to it shows here. 28 (with the test
        # transaction's savepoints; the permission check reads the cache, not the
        # database), and SQLite's SELECT changes() that counts the rows the impact
        # refresh updated.
        self.open(self.same)
        with self.assertNumQueries(28 + (connection.vendor == "sqlite")):
            response = self.client.post(self.url(self.same), {"action": "confirm"}, headers={"HX-Request": "true"})
        assert f"Pair {self.differ.pk}" in response.content.decode()
        assert self.product_of(self.kettle_en) == self.product_of(self.kettle_zh)

    def test_it_answers_404_for_a_pair_that_does_not_exist(self):
        self.login(self.bob)
        response = self.client.post(
            reverse("reviews:decide", args=[999_999]), {"action": "confirm"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 404
        assert not Decision.objects.exists()

    def test_it_rejects_without_merging(self):
        self.open(self.differ)
        self.client.post(self.url(self.differ), {"action": "reject"}, headers={"HX-Request": "true"})
        self.differ.refresh_from_db()
        assert self.differ.status == Match.Status.REJECTED
        assert self.product_of(self.kettle_en) != self.product_of(self.kettle_fr)
        assert Decision.objects.get(match=self.differ).action == "reject"

    def test_it_skips_and_does_not_offer_the_pair_again(self):
        self.open(self.same)
        response = self.client.post(self.url(self.same), {"action": "skip"}, headers={"HX-Request": "true"})
        assert f"Pair {self.same.pk}" not in response.content.decode()
        self.same.refresh_from_db()
        assert self.same.status == Match.Status.PENDING
        assert self.same.claimed_by is None
        assert self.client.get(reverse("reviews:next")).url != reverse("reviews:pair", args=[self.same.pk])

    def test_it_redirects_a_plain_post_to_the_next_pair(self):
        self.open(self.same)
        response = self.client.post(self.url(self.same), {"action": "confirm", "languages": "en-zh"})
        assert response.status_code == 302
        assert response["Location"] == reverse("reviews:next") + "?languages=en-zh"
        follow = self.client.get(response["Location"], follow=True)
        assert "products merged" in follow.content.decode()

    def test_it_refuses_a_second_decision_with_a_clear_message(self):
        self.open(self.same, self.alice)
        self.client.post(self.url(self.same), {"action": "confirm"})
        self.login(self.bob)
        response = self.client.post(self.url(self.same), {"action": "reject"}, headers={"HX-Request": "true"})
        assert response.status_code == 409
        assert "alice already confirmed this pair" in response.content.decode()
        assert Decision.objects.filter(match=self.same).count() == 1
        self.same.refresh_from_db()
        assert self.same.status == Match.Status.CONFIRMED

    def test_it_refuses_a_pair_leased_to_someone_else(self):
        self.open(self.same, self.alice)
        self.login(self.bob)
        response = self.client.post(self.url(self.same), {"action": "confirm"}, follow=True)
        assert "alice is reviewing this pair" in response.content.decode()
        assert not Decision.objects.exists()

    def test_it_refuses_when_a_sku_was_edited_after_the_page_was_opened(self):
        self.open(self.same)
        seen = {"hash_a": self.same.sku_a.content_hash, "hash_b": self.same.sku_b.content_hash}
        sku = self.same.sku_b
        sku.title = sku.title + " (2 L)"
        sku.save()
        response = self.client.post(self.url(self.same), {"action": "confirm", **seen}, follow=True)
        assert "edited after you opened the pair" in response.content.decode()
        assert not Decision.objects.exists()

    def test_it_rejects_an_unknown_action(self):
        self.open(self.same)
        response = self.client.post(self.url(self.same), {"action": "merge-all"}, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert not Decision.objects.exists()

    def test_it_needs_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.bob)
        assert client.post(self.url(self.same), {"action": "confirm"}).status_code == 403
        page = client.get(reverse("reviews:pair", args=[self.same.pk]))
        token = page.cookies["csrftoken"].value
        response = client.post(
            self.url(self.same), {"action": "confirm"}, headers={"HX-Request": "true", "X-CSRFToken": token}
        )
        assert response.status_code == 200

    def test_it_records_an_audit_confirm_as_correct_without_unmerging(self):
        other = self.sku("K8", "de", "Philips Wasserkocher 1,7 l HD9350", shop="otto")
        audit = self.audit_sample(self.kettle_en, other)
        self.open(audit)
        response = self.client.post(self.url(audit), {"action": "confirm"}, follow=True)
        assert "the automatic merge was correct" in response.content.decode()
        audit.refresh_from_db()
        assert audit.status == Match.Status.CONFIRMED and audit.is_audit_sample
        assert self.product_of(other) == self.product_of(self.kettle_en)
        decision = Decision.objects.get(match=audit)
        assert decision.blind

    def test_it_splits_an_audited_merge_on_reject(self):
        other = self.sku("K8", "de", "Philips Wasserkocher 1,5 l", shop="otto")
        audit = self.audit_sample(self.kettle_en, other)
        self.open(audit)
        self.client.post(self.url(audit), {"action": "reject"})
        audit.refresh_from_db()
        assert audit.status == Match.Status.REJECTED
        assert self.product_of(other) != self.product_of(self.kettle_en)

    def test_it_counts_the_reviewers_decisions_today(self):
        self.open(self.same)
        self.client.post(self.url(self.same), {"action": "confirm"})
        self.client.get(reverse("reviews:pair", args=[self.bank.pk]))
        self.client.post(self.url(self.bank), {"action": "reject"})
        response = self.client.get(reverse("reviews:queue"))
        assert response.context["today"] == 2
