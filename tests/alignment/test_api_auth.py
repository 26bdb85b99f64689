from __future__ import annotations

import json
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from alignment.models import ApiToken
from tests.base import BaseTestCase

BODY = json.dumps({"query": "Kettle 1.7 L", "documents": ["Wasserkocher 1,7 L"]})


class ApiAuthTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.token, self.key = ApiToken.issue(self.bob, name="shop sync")

    def post(self, **headers):
        return self.client.post("/api/rerank", BODY, content_type="application/json", headers=headers)

    def test_it_stores_only_a_hash_of_the_key(self):
        assert self.key.startswith("ska_")
        assert self.key not in self.token.key_hash
        assert self.token.prefix == self.key[:12]
        assert ApiToken.objects.filter(key_hash__contains=self.key).count() == 0

    def test_it_answers_401_without_a_token(self):
        r = self.post()
        assert r.status_code == 401
        assert r.json()["error"].startswith("Authentication required")
        assert r["WWW-Authenticate"].startswith("Token")

    def test_it_accepts_token_and_bearer_schemes(self):
        assert self.post(Authorization=f"Token {self.key}").status_code == 200
        assert self.post(Authorization=f"Bearer {self.key}").status_code == 200

    def test_it_rejects_a_wrong_key(self):
        r = self.post(Authorization=f"Token {self.key}x")
        assert r.status_code == 401
        assert r.json() == {"error": "Invalid or revoked API token", "field": None}

    def test_it_rejects_a_malformed_header(self):
        for header in ("Basic dXNlcjpwYXNz", "Token", self.key):
            r = self.post(Authorization=header)
            assert r.status_code == 401, header
            assert "Malformed" in r.json()["error"]

    def test_it_rejects_a_revoked_token(self):
        self.token.revoked_at = timezone.now()
        self.token.save()
        assert self.post(Authorization=f"Token {self.key}").status_code == 401

    def test_it_rejects_the_token_of_an_inactive_user(self):
        self.bob.is_active = False
        self.bob.save()
        assert self.post(Authorization=f"Token {self.key}").status_code == 401

    def test_it_records_when_the_token_was_last_used(self):
        assert self.token.last_used_at is None
        self.post(Authorization=f"Token {self.key}")
        self.token.refresh_from_db()
        assert timezone.now() - self.token.last_used_at < timedelta(seconds=10)

    def test_it_does_not_need_a_csrf_token_with_an_api_token(self):
        client = Client(enforce_csrf_checks=True)
        r = client.post(
            "/api/rerank", BODY, content_type="application/json", headers={"Authorization": f"Token {self.key}"}
        )
        assert r.status_code == 200

    def test_it_keeps_csrf_for_session_requests(self):
        client = Client(enforce_csrf_checks=True)
        client.login(username="bob", password="password")
        r = client.post("/api/rerank", BODY, content_type="application/json")
        assert r.status_code == 403
        assert "CSRF" in r.json()["error"]

    def test_it_accepts_a_logged_in_session_on_get(self):
        self.client.login(username="bob", password="password")
        assert self.client.get("/api/schema").status_code == 200

    def test_it_answers_405_on_wrong_methods(self):
        auth = {"Authorization": f"Token {self.key}"}
        r = self.client.get("/api/rerank", headers=auth)
        assert r.status_code == 405
        assert r["Allow"] == "POST"
        assert "not allowed" in r.json()["error"]
        r = self.client.post("/api/schema", headers=auth)
        assert r.status_code == 405
        assert r["Allow"] == "GET"
        assert self.client.delete("/api/products/1", headers=auth).status_code == 405


class CreateApiTokenCommandTestCase(BaseTestCase):
    def test_it_prints_a_working_key_once(self):
        key = call_command("create_api_token", "bob", "--name", "erp")
        token = ApiToken.objects.get()
        assert token.name == "erp"
        assert token.user == self.bob
        assert ApiToken.authenticate(key) == token

    def test_it_rejects_an_unknown_user(self):
        with self.assertRaisesMessage(CommandError, "No user 'nobody'"):
            call_command("create_api_token", "nobody")
        assert not ApiToken.objects.exists()
