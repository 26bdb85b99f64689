from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from reviews import decisions
from reviews.dashboard import chart, queue_history, wilson
from tests.reviews.base import ReviewTestCase


class WilsonTestCase(ReviewTestCase):
    def test_it_matches_the_textbook_interval(self):
        low, high = wilson(45, 50)
        assert round(low, 4) == 0.7864 and round(high, 4) == 0.9565

    def test_it_stays_inside_zero_and_one(self):
        assert wilson(10, 10)[1] == 1.0
        assert wilson(0, 10)[0] == 0.0
        assert wilson(0, 0) == (0.0, 1.0)


class DashboardViewTestCase(ReviewTestCase):
    url = reverse("reviews:dashboard")

    def test_it_estimates_auto_merge_precision_per_category_and_language_pair(self):
        samples = []
        for i in range(4):
            other = self.sku(f"D{i}", "de", f"Philips Wasserkocher {i}", shop="otto")
            samples.append(self.audit_sample(self.kettle_en, other))
        for match, action in zip(samples, ["confirm", "confirm", "confirm", "reject"]):
            decisions.record_decision(match.pk, by=self.bob, action=action)
        self.login(self.bob)
        response = self.client.get(self.url)
        assert response.status_code == 200
        row = next(r for r in response.context["precision"] if r["languages"] == "de-en")
        assert row["category"] == "Kitchen"
        assert (row["correct"], row["wrong"], row["n"]) == (3, 1, 4)
        assert row["precision"] == 75.0
        low, high = wilson(3, 4)
        assert (round(row["low"], 6), round(row["high"], 6)) == (round(100 * low, 6), round(100 * high, 6))
        body = response.content.decode()
        assert "75.0%" in body
        assert f"{100 * low:.1f}% – {100 * high:.1f}%" in body

    def test_it_shows_review_volume_and_reviewer_throughput(self):
        decisions.record_decision(self.same.pk, by=self.bob, action="confirm")
        decisions.record_decision(self.bank.pk, by=self.bob, action="reject")
        self.login(self.bob)
        response = self.client.get(self.url)
        volume = {(r["category"], r["languages"]): r for r in response.context["volume"]}
        assert volume[("Kitchen", "en-fr")]["pending"] == 1
        assert volume[("Kitchen", "en-zh")]["decided"] == 1
        (bob,) = response.context["throughput"]
        assert (bob["reviewer"], bob["today"], bob["week"], bob["confirm_share"]) == ("bob", 2, 2, 50.0)

    def test_it_draws_the_queue_size_over_time_as_inline_svg(self):
        decisions.record_decision(self.same.pk, by=self.bob, action="confirm")
        self.login(self.bob)
        body = self.client.get(self.url).content.decode()
        assert "<svg" in body and "<polyline" in body
        assert "<script" not in body.split("<main>")[1]

    def test_it_reconstructs_earlier_queue_sizes(self):
        # Two pairs arrived yesterday, one today; one was decided today: 2 waiting now.
        yesterday = timezone.now() - timedelta(days=1)
        from alignment.models import Match

        Match.objects.filter(pk__in=[self.same.pk, self.differ.pk]).update(created_at=yesterday)
        decisions.record_decision(self.same.pk, by=self.bob, action="confirm")
        series = queue_history(days=3)
        assert [p["size"] for p in series] == [0, 2, 2]
        assert series[-1]["decided"] == 1
        drawn = chart(series)
        assert len(drawn["bars"]) == 3 and drawn["points"].count(",") == 3

    def test_it_needs_the_review_permission(self):
        self.login(self.charlie)
        assert self.client.get(self.url).status_code == 403
