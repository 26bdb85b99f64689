from __future__ import annotations

from django.conf import settings
from django.test import override_settings

from alignment.models import Match
from reviews import queue, tasks
from tests.reviews.base import ReviewTestCase


class ReviewTasksTestCase(ReviewTestCase):
    def test_it_samples_auto_merges_from_the_task(self):
        merges = [
            self.match(self.sku(f"A{i}", "en", f"Kettle {i}"), self.sku(f"B{i}", "de", f"Kocher {i}"), 0.95,
                       Match.Status.AUTO_MERGED)
            for i in range(20)
        ]
        with override_settings(REVIEWS_AUDIT_SAMPLE_RATE=1.0):
            assert tasks.sample_auto_merges_task() == len(merges)
        assert Match.objects.filter(is_audit_sample=True).count() == 20

    def test_it_refreshes_the_queue_order_from_the_task(self):
        Match.objects.filter(pk=self.same.pk).update(review_impact=0)
        assert tasks.refresh_review_impact_task() == 3
        self.same.refresh_from_db()
        assert self.same.review_impact == 3

    def test_it_recounts_the_queue_s_facets_from_the_task(self):
        queue.facet_counts()
        self.match(self.kettle_zh, self.sku("K5", "es", "Hervidor Philips 1,7 L"), 0.71)
        assert tasks.refresh_facet_counts_task() == 4
        assert queue.facet_counts()["total"] == 4
        assert tasks.refresh_facet_counts_task.name == "reviews.refresh_facet_counts"

    def test_it_is_scheduled(self):
        scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert {"reviews.sample_auto_merges", "reviews.refresh_review_impact"} <= scheduled
        assert tasks.sample_auto_merges_task.name == "reviews.sample_auto_merges"
