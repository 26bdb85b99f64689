from __future__ import annotations

from django.core.management import CommandError, call_command
from django.test import override_settings

from alignment.models import Match
from reviews.audit import in_sample
from tests.reviews.base import ReviewTestCase


class AuditSampleCommandTestCase(ReviewTestCase):
    def make_auto_merges(self, n: int) -> list[Match]:
        merges = []
        for i in range(n):
            a = self.sku(f"A{i}", "en", f"Kettle {i}")
            b = self.sku(f"B{i}", "de", f"Wasserkocher {i}")
            merges.append(self.match(a, b, 0.95, Match.Status.AUTO_MERGED))
        return merges

    def test_it_samples_the_configured_share_without_unmerging(self):
        merges = self.make_auto_merges(300)
        with override_settings(REVIEWS_AUDIT_SAMPLE_RATE=0.1):
            out = call_command("audit_sample")
        sampled = Match.objects.filter(is_audit_sample=True)
        assert out == f"Sampled {sampled.count()} automatic merges for blind review."
        assert 15 <= sampled.count() <= 50
        assert set(sampled.values_list("status", flat=True)) == {Match.Status.AUTO_MERGED}
        assert {m.pk for m in merges if in_sample(m.pk, 0.1)} == set(sampled.values_list("pk", flat=True))
        # The samples are in the review queue, blind.
        assert set(sampled.values_list("pk", flat=True)) <= set(Match.objects.in_review_queue().values_list("pk", flat=True))

    def test_it_is_idempotent(self):
        self.make_auto_merges(100)
        first = call_command("audit_sample", "--rate", "0.2")
        again = call_command("audit_sample", "--rate", "0.2")
        assert first != "Sampled 0 automatic merges for blind review."
        assert again == "Sampled 0 automatic merges for blind review."

    def test_it_never_samples_pending_or_decided_pairs(self):
        call_command("audit_sample", "--rate", "1")
        assert not Match.objects.filter(is_audit_sample=True).exists()

    def test_it_rejects_a_rate_outside_zero_and_one(self):
        with self.assertRaisesMessage(CommandError, "between 0 and 1"):
            call_command("audit_sample", "--rate", "2")
