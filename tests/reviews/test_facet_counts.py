from __future__ import annotations

import os
import runpy
import time
from pathlib import Path
from unittest.mock import patch

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from config.cache import ForgivingRedisCache
from reviews import queue, tasks
from tests.reviews.base import ReviewTestCase

HTMX = {"HX-Request": "true"}
SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def later(seconds: float):
    """As if ``seconds`` had passed (for the counts' age and the cache's expiry times)."""
    now = time.time
    return patch("time.time", side_effect=lambda: now() + seconds)


def unordered(counts: dict) -> dict:
    """The counts without the order of values that have as many pairs."""
    return {key: set(value) if isinstance(value, list) else value for key, value in counts.items()}


class FacetCountsTestCase(ReviewTestCase):
    url = reverse("reviews:queue")

    def setUp(self) -> None:
        super().setUp()
        self.login(self.bob)

    def counts(self) -> dict:
        return self.client.get(self.url).context["counts"]

    def decide(self, pk: int, action: str) -> None:
        self.client.get(reverse("reviews:pair", args=[pk]))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("reviews:decide", args=[pk]), {"action": action}, headers=HTMX)
        assert response.status_code == 200

    def test_it_counts_in_the_request_when_there_are_no_counts_yet(self):
        with patch.object(tasks.refresh_facet_counts_task, "delay", autospec=True) as delay:
            counts = self.counts()
        assert counts["total"] == 3
        assert dict(counts["languages"]) == {("en", "zh"): 1, ("en", "fr"): 1, ("de", "en"): 1}
        delay.assert_not_called()

    def test_it_shows_the_last_counts_and_has_a_worker_recount_them_once_due(self):
        self.counts()
        self.match(self.kettle_zh, self.sku("K5", "es", "Hervidor Philips 1,7 L"), 0.71)
        with (
            later(settings.REVIEWS_COUNTS_CACHE_SECONDS + 1),
            patch.object(tasks.refresh_facet_counts_task, "delay", autospec=True) as delay,
        ):
            counts = self.counts()
        assert counts["total"] == 3  # the last counts: not recounted in the request
        delay.assert_called_once_with()
        assert tasks.refresh_facet_counts_task() == 4  # the worker's recount
        assert self.counts()["total"] == 4

    def test_it_asks_for_one_recount_at_a_time(self):
        self.counts()
        due = settings.REVIEWS_COUNTS_CACHE_SECONDS + 1
        with patch.object(tasks.refresh_facet_counts_task, "delay", autospec=True) as delay:
            with later(due):
                self.counts()
                self.counts()
            assert delay.call_count == 1
            queue.refresh_facet_counts()
            with later(due):
                self.counts()
            assert delay.call_count == 2

    def test_it_shows_the_counts_when_the_broker_is_down(self):
        self.counts()
        with (
            later(settings.REVIEWS_COUNTS_CACHE_SECONDS + 1),
            patch.object(tasks.refresh_facet_counts_task, "delay", autospec=True, side_effect=OSError("refused")),
            self.assertLogs("reviews.queue", "ERROR"),
        ):
            assert self.counts()["total"] == 3

    def test_it_takes_a_decided_pair_out_of_the_counts_at_once(self):
        self.counts()
        self.decide(self.differ.pk, "reject")
        counts = self.counts()
        assert counts["total"] == 2
        assert dict(counts["languages"]) == {("en", "zh"): 1, ("de", "en"): 1}
        assert {path: n for path, _, n in counts["categories"]} == {"Kitchen": 1, "Electronics": 1}
        assert dict((key, n) for key, _, n in counts["bands"])["70-75"] == 0
        assert dict(counts["sources"]) == {"amazon": 2, "tmall": 1, "otto": 1}

    def test_it_takes_a_confirmed_audit_sample_out_of_the_counts(self):
        other = self.sku("K9", "de", "Philips Wasserkocher 1,7 l", shop="otto")
        audit = self.audit_sample(self.kettle_en, other)
        assert self.counts()["audit"] == 1
        self.decide(audit.pk, "confirm")
        counts = self.counts()
        assert (counts["total"], counts["audit"]) == (3, 0)

    def test_it_keeps_a_skipped_pair_in_the_counts(self):
        self.counts()
        self.decide(self.differ.pk, "skip")
        assert self.counts()["total"] == 3

    def test_it_puts_an_undone_pair_back_in_the_counts(self):
        self.counts()
        self.decide(self.differ.pk, "reject")
        assert self.counts()["total"] == 2
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("reviews:undo"), headers=HTMX)
        counts = self.counts()
        assert counts["total"] == 3
        assert dict(counts["languages"])[("en", "fr")] == 1
        assert dict(counts["sources"])["fnac"] == 1

    def test_it_agrees_with_a_recount_after_decisions(self):
        self.counts()
        self.decide(self.same.pk, "confirm")
        self.decide(self.bank.pk, "reject")
        adjusted = self.counts()
        queue.refresh_facet_counts()
        assert unordered(self.counts()) == unordered(adjusted)


class CacheSettingTestCase(SimpleTestCase):
    def settings_with(self, **environ: str) -> dict:
        with patch.dict(os.environ, environ):
            return runpy.run_path(str(SETTINGS))

    def test_it_shares_the_cache_through_redis_where_redis_is_set(self):
        cache = self.settings_with(REDIS_URL="redis://127.0.0.1:6379/3")["CACHES"]["default"]
        assert cache["BACKEND"] == "config.cache.ForgivingRedisCache"
        assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"

    def test_it_keeps_the_cache_in_the_process_without_redis(self):
        cache = self.settings_with(REDIS_URL="")["CACHES"]["default"]
        assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


# A port nothing listens on: Redis is down.
UNREACHABLE = {
    "default": {
        "BACKEND": "config.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@override_settings(CACHES=UNREACHABLE)
class CacheOutageTestCase(ReviewTestCase):
    url = reverse("reviews:queue")

    def test_the_queue_counts_and_checks_permissions_from_the_database_while_redis_is_down(self):
        self.login(self.bob)
        with (
            patch.object(ForgivingRedisCache, "_logged_at", 0.0),
            self.assertLogs("config.cache", "WARNING") as logs,
        ):
            response = self.client.get(self.url)
        assert response.status_code == 200
        assert response.context["counts"]["total"] == 3
        assert "unreachable" in logs.output[0]
        self.login(self.charlie)
        assert self.client.get(self.url).status_code == 403  # no role, no queue
