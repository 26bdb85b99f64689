from __future__ import annotations

from tests.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_requires_login(self):
        r = self.client.get("/")
        assert r.status_code == 302
        assert "/accounts/login/" in r["Location"]

    def test_it_shows_home_when_logged_in(self):
        self.client.login(username="bob", password="password")
        r = self.client.get("/")
        assert r.status_code == 200
        assert b"SKU Align" in r.content
