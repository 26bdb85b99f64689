from __future__ import annotations

from django.urls import reverse

from reviews import decisions
from tests.reviews.base import ReviewTestCase


class NextPairViewTestCase(ReviewTestCase):
    url = reverse("reviews:next")

    def test_it_redirects_to_the_highest_impact_pair(self):
        self.login(self.bob)
        response = self.client.get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("reviews:pair", args=[self.same.pk])

    def test_it_keeps_the_filters_in_the_address(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"languages": "de-en"})
        assert response["Location"] == reverse("reviews:pair", args=[self.bank.pk]) + "?languages=de-en"

    def test_it_swaps_in_the_next_pair_for_htmx_and_pushes_its_address(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"after": self.same.pk}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert "<html" not in body
        assert f"Pair {self.differ.pk}" in body
        assert response["HX-Push-Url"] == reverse("reviews:pair", args=[self.differ.pk])

    def test_it_moves_back_up_with_before(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"before": self.differ.pk})
        assert response["Location"] == reverse("reviews:pair", args=[self.same.pk])

    def test_it_stays_put_at_the_end_of_the_queue(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"after": self.bank.pk}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("reviews:pair", args=[self.bank.pk])
        assert "No more pairs in that direction" in response.content.decode()

    def test_it_says_when_nothing_is_left(self):
        for match in (self.same, self.differ, self.bank):
            decisions.record_decision(match.pk, by=self.alice, action="reject")
        self.login(self.bob)
        response = self.client.get(self.url)
        assert response.status_code == 200
        assert "Nothing left to review" in response.content.decode()
