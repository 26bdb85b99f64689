from __future__ import annotations

from django.urls import reverse

from alignment.models import Match
from reviews import queue
from tests.reviews.base import ReviewTestCase


class QueuePageTestCase(ReviewTestCase):
    url = reverse("reviews:queue")

    def test_it_requires_login(self):
        response = self.client.get(self.url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_it_requires_the_review_permission(self):
        self.login(self.charlie)
        assert self.client.get(self.url).status_code == 403

    def test_it_lists_pending_pairs_highest_impact_first(self):
        self.login(self.bob)
        response = self.client.get(self.url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" in body
        # The two kettle pairs share a SKU, so deciding either settles more than the power bank pair.
        assert body.index(f"#{self.same.pk}<") < body.index(f"#{self.bank.pk}<")
        assert body.index(f"#{self.differ.pk}<") < body.index(f"#{self.bank.pk}<")
        assert f'<a href="{reverse("reviews:pair", args=[self.bank.pk])}">#{self.bank.pk}</a>' in body

    def test_it_orders_equal_impact_by_score(self):
        assert list(queue.queued().values_list("pk", flat=True)) == [self.same.pk, self.differ.pk, self.bank.pk]

    def test_it_counts_pairs_per_filter(self):
        self.login(self.bob)
        counts = self.client.get(self.url).context["counts"]
        assert counts["total"] == 3
        assert dict(counts["languages"]) == {("en", "zh"): 1, ("en", "fr"): 1, ("de", "en"): 1}
        assert {path: n for path, _, n in counts["categories"]} == {"Kitchen": 2, "Electronics": 1}
        assert dict((key, n) for key, _, n in counts["bands"])["70-75"] == 1
        assert dict(counts["sources"])["amazon"] == 3

    def test_it_filters_by_language_pair(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"languages": "de-en"})
        rows = response.context["page"].rows
        assert [row["pk"] for row in rows] == [self.bank.pk]

    def test_it_filters_by_category_source_and_band(self):
        self.login(self.bob)
        kitchen = self.kettles.parent
        assert [row["pk"] for row in self.client.get(self.url, {"category": kitchen.pk}).context["page"].rows] == [
            self.same.pk, self.differ.pk,
        ]
        assert [row["pk"] for row in self.client.get(self.url, {"source": "fnac"}).context["page"].rows] == [self.differ.pk]
        assert [row["pk"] for row in self.client.get(self.url, {"band": "70-75"}).context["page"].rows] == [self.differ.pk]

    def test_it_reports_a_bad_filter_and_ignores_it(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"band": "bogus"})
        assert response.status_code == 200
        assert "not understood" in response.content.decode()
        assert len(response.context["page"].rows) == 3

    def test_it_returns_only_the_results_partial_for_htmx(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"languages": "en-zh"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert "<html" not in body
        assert 'id="results"' in body
        assert f"#{self.same.pk}<" in body and f"#{self.bank.pk}<" not in body
        assert response["Vary"] and "HX-Request" in response["Vary"]

    def test_it_hides_the_score_of_audit_samples(self):
        other = self.sku("K9", "de", "Philips Wasserkocher 1,7 l", shop="otto")
        audit = self.audit_sample(self.kettle_en, other, p=0.973)
        self.login(self.bob)
        body = self.client.get(self.url).content.decode()
        assert f"#{audit.pk}<" in body
        assert "0.973" not in body

    def test_it_escapes_sku_text(self):
        evil = self.sku("X1", "en", "<script>alert(1)</script> kettle")
        self.match(self.kettle_zh, evil, 0.8)
        Match.refresh_review_impact()
        self.login(self.bob)
        body = self.client.get(self.url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body

    def test_it_places_pairs_queued_since_the_last_refresh(self):
        # A new pair on the busiest kettle SKU, queued by the pipeline without an impact yet.
        fresh = self.match(self.kettle_zh, self.sku("K5", "es", "Hervidor Philips 1,7 L"), 0.71)
        assert fresh.review_impact == 0
        self.login(self.bob)
        rows = self.client.get(self.url).context["page"].rows
        fresh.refresh_from_db()
        assert fresh.review_impact == 3  # 2 SKUs + the other pair touching the Chinese kettle
        assert [row["pk"] for row in rows].index(fresh.pk) < [row["pk"] for row in rows].index(self.bank.pk)

    def test_it_says_how_many_pairs_match_a_filter(self):
        self.login(self.bob)
        response = self.client.get(self.url, {"category": self.kettles.parent.pk})
        assert response.context["page"].matching == 2
        assert "2 pairs match these filters" in response.content.decode()

    def test_it_bounds_the_matching_pairs_from_the_facet_counts(self):
        counts = queue.facet_counts()
        kitchen = self.kettles.parent
        assert queue.matching_at_least(queue.Filters(source="amazon"), counts) == 3
        assert queue.matching_at_least(queue.Filters(languages=("de", "en")), counts) == 1
        assert queue.matching_at_least(queue.Filters(band="70-75"), counts) == 1
        assert queue.matching_at_least(queue.Filters(category=kitchen), counts) == 2
        # A subcategory, or two filters at once: the counts cannot tell.
        assert queue.matching_at_least(queue.Filters(category=self.kettles), counts) == 0
        assert queue.matching_at_least(queue.Filters(category=kitchen, source="amazon"), counts) == 0

    def test_it_skips_the_count_when_the_facet_counts_are_far_past_the_cap(self):
        from reviews.views import COUNT_CAP, QueuePage

        with self.assertNumQueries(1):  # the page's rows only
            page = QueuePage.of(queue.queued(queue.Filters(source="amazon")), "2", count=True, at_least=3 * COUNT_CAP)
        assert page.matching_label == f"{COUNT_CAP}+"
        with self.assertNumQueries(2):  # near the cap, counted afresh
            page = QueuePage.of(queue.queued(queue.Filters(source="amazon")), "2", count=True, at_least=COUNT_CAP + 1)
        assert page.matching == 3
