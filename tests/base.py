from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase


class BaseTestCase(TestCase):
    """Named users for tests.

    alice is a catalog admin (staff, edits templates, thresholds and imports),
    bob is a merchandiser (works the review queue), charlie has an account and
    no role at all.
    """

    def setUp(self) -> None:
        super().setUp()
        self.alice = User.objects.create_user("alice", "alice@example.org", "password", is_staff=True)
        self.bob = User.objects.create_user("bob", "bob@example.org", "password")
        self.charlie = User.objects.create_user("charlie", "charlie@example.org", "password")
