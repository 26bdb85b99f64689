from __future__ import annotations

from django.urls import reverse

from tests.reviews.base import ReviewTestCase


class HomeViewTestCase(ReviewTestCase):
    def test_it_sends_merchandisers_to_the_queue_with_counts(self):
        self.login(self.bob)
        response = self.client.get("/")
        body = response.content.decode()
        assert response.context["counts"]["total"] == 3
        assert reverse("reviews:next") in body
        assert "pairs waiting for review" in body

    def test_it_offers_to_continue_the_pair_the_reviewer_holds(self):
        self.login(self.bob)
        self.client.get(reverse("reviews:pair", args=[self.bank.pk]))
        body = self.client.get("/").content.decode()
        assert f"Continue with pair {self.bank.pk}" in body

    def test_it_explains_what_to_do_without_a_role(self):
        self.login(self.charlie)
        body = self.client.get("/").content.decode()
        assert "no role yet" in body
        assert "pairs waiting" not in body

    def test_it_requires_login(self):
        assert self.client.get("/").status_code == 302
