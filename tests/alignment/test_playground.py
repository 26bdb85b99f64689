from __future__ import annotations

from django.test import override_settings

from tests.base import BaseTestCase


class PlaygroundTestCase(BaseTestCase):
    url = "/playground/"

    def setUp(self):
        super().setUp()
        self.client.login(username="charlie", password="password")

    def test_it_requires_login(self):
        self.client.logout()
        r = self.client.get(self.url)
        assert r.status_code == 302
        assert "/accounts/login/" in r["Location"]

    def test_it_shows_the_form_and_example_links_to_any_logged_in_user(self):
        r = self.client.get(self.url)
        assert r.status_code == 200
        for slug in ("booster-seat", "kettle", "stroller"):
            assert f'href="?example={slug}"'.encode() in r.content
        assert b"Results appear here" in r.content

    def test_it_loads_the_kettle_example_and_ranks_the_decoy_last(self):
        r = self.client.get(self.url, {"example": "kettle"})
        assert r.status_code == 200
        ranking = r.context["ranking"]
        assert [item.document for item in ranking.results][-1] == "Digital Food Thermometer with Probe, Fast Reading"
        assert "智能恒温电热水壶" in r.content.decode()
        assert [item.language for item in sorted(ranking.results, key=lambda i: i.index)] == ["en", "fr", "de", "en"]

    def test_it_loads_an_example_as_an_htmx_partial(self):
        r = self.client.get(self.url, {"example": "booster-seat"}, headers={"HX-Request": "true"})
        assert r.status_code == 200
        assert b"<html" not in r.content
        assert b'id="workspace"' in r.content
        assert b"Kinder-H\xc3\xb6henversteller" in r.content
        assert r["Vary"] == "HX-Request" or "HX-Request" in r["Vary"]

    def test_it_ranks_a_posted_form_without_js(self):
        r = self.client.post(
            self.url,
            {"query": "Kettle 1.7 L stainless", "candidates": "Toaster 2 slots\n\nWasserkocher 1,7 L Edelstahl\n", "instruction": ""},
        )
        assert r.status_code == 200
        assert b"<html" in r.content
        results = r.context["ranking"].results
        assert [item.document for item in results] == ["Wasserkocher 1,7 L Edelstahl", "Toaster 2 slots"]
        body = r.content.decode().split('<table class="ranking">')[1]
        assert body.index("<td>1</td>") < body.index("Wasserkocher 1,7 L Edelstahl") < body.index("Toaster 2 slots")

    def test_it_returns_only_the_results_partial_to_htmx(self):
        r = self.client.post(
            self.url,
            {"query": "Kettle 1.7 L", "candidates": "Wasserkocher 1,7 L\nToaster"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200
        assert b"<html" not in r.content
        assert r.content.strip().startswith(b'<section id="results"')
        assert b"0." in r.content

    def test_it_reports_missing_candidates_clearly(self):
        r = self.client.post(self.url, {"query": "Kettle", "candidates": " \n \n"}, headers={"HX-Request": "true"})
        assert b"Enter at least one candidate" in r.content
        r = self.client.post(self.url, {"query": "", "candidates": "a"}, headers={"HX-Request": "true"})
        assert b"Query: This field is required." in r.content

    @override_settings(API_MAX_DOCUMENTS=2)
    def test_it_limits_the_number_of_candidates(self):
        r = self.client.post(self.url, {"query": "Kettle", "candidates": "a\nb\nc"}, headers={"HX-Request": "true"})
        assert b"3 candidates: at most 2 per ranking." in r.content
        assert b"<table" not in r.content

    def test_it_escapes_the_texts(self):
        r = self.client.post(self.url, {"query": "<b>Kettle</b>", "candidates": "<script>alert(1)</script> Kettle"})
        assert b"<script>alert(1)</script>" not in r.content
        assert b"&lt;script&gt;alert(1)&lt;/script&gt; Kettle" in r.content
        assert b"&lt;b&gt;Kettle&lt;/b&gt;" in r.content
