from __future__ import annotations

import re

from django.contrib.auth.models import User

from alignment.models import ApiToken
from tests.base import BaseTestCase


class ApiTokenAdminTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.root = User.objects.create_superuser("root", "root@example.org", "password")
        self.client.login(username="root", password="password")

    def test_it_issues_a_token_and_shows_the_key_once(self):
        r = self.client.post(
            "/admin/alignment/apitoken/add/", {"user": self.bob.pk, "name": "erp sync"}, follow=True
        )
        assert r.status_code == 200
        token = ApiToken.objects.get()
        assert (token.user, token.name) == (self.bob, "erp sync")
        key = re.search(rb"API key for erp sync: (ska_[\w-]+)", r.content).group(1).decode()
        assert ApiToken.authenticate(key) == token
        page = self.client.get(f"/admin/alignment/apitoken/{token.pk}/change/")
        assert key.encode() not in page.content
        assert token.prefix.encode() in page.content

    def test_it_revokes_tokens(self):
        token, key = ApiToken.issue(self.bob, name="old")
        self.client.post(
            "/admin/alignment/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
        )
        assert ApiToken.authenticate(key) is None
        r = self.client.post("/api/rerank", "{}", content_type="application/json", headers={"Authorization": f"Token {key}"})
        assert r.status_code == 401
