from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from reviews import decisions
from reviews.models import Decision
from tests.reviews.base import ReviewTestCase


class DecisionAdminTestCase(ReviewTestCase):
    def test_it_shows_decisions_read_only(self):
        decision = decisions.record_decision(self.same.pk, by=self.bob, action="confirm", note="same")
        root = User.objects.create_superuser("root", "root@example.org", "password")
        self.client.force_login(root)
        assert self.client.get(reverse("admin:reviews_decision_changelist")).status_code == 200
        change = self.client.get(reverse("admin:reviews_decision_change", args=[decision.pk]))
        assert change.status_code == 200
        assert 'name="_save"' not in change.content.decode()
        assert self.client.get(reverse("admin:reviews_decision_add")).status_code == 403
        assert self.client.post(reverse("admin:reviews_decision_delete", args=[decision.pk]), {"post": "yes"}).status_code == 403
        assert Decision.objects.filter(pk=decision.pk, note="same").exists()
