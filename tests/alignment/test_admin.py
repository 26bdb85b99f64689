from __future__ import annotations

from django.contrib.auth.models import User

from alignment.models import AlignmentState, Calibration, Match
from catalog.models import SKU
from tests.base import BaseTestCase


class AlignmentAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        User.objects.filter(pk=self.alice.pk).update(is_superuser=True)
        common = dict(method="platt", params={"a": 1.0, "b": 0.0}, positives=90, log_loss=0.3)
        self.old = Calibration.objects.create(scorer="e5", language_pair="", label_count=150, ece=0.08,
                                              is_active=False, **common)
        self.active = Calibration.objects.create(scorer="e5", language_pair="", label_count=480, ece=0.031, **common)
        self.pair = Calibration.objects.create(scorer="e5", language_pair="en-zh", label_count=230, ece=0.045, **common)
        self.client.login(username="alice", password="password")

    def test_it_lists_calibrations_with_their_reliability(self):
        r = self.client.get("/admin/alignment/calibration/")
        assert r.status_code == 200
        body = r.content.decode()
        assert "0.031" in body and "480" in body
        assert "en-zh" in body and "all pairs" in body
        assert body.index("480") < body.index("150")  # the active fit before the history

    def test_it_filters_the_active_fits(self):
        r = self.client.get("/admin/alignment/calibration/", {"is_active__exact": "1"})
        assert "480" in r.content.decode() and "150" not in r.content.decode()

    def test_it_does_not_let_anyone_type_a_calibration_in(self):
        assert self.client.get("/admin/alignment/calibration/add/").status_code == 403

    def test_it_lists_matches_and_alignment_states(self):
        a = SKU.objects.create(source="s", sku_code="1", language="en", title="Kettle 1.7 L")
        b = SKU.objects.create(source="s", sku_code="2", language="de", title="Wasserkocher 1,7 L")
        Match.objects.create(sku_a=a, sku_b=b, probability=0.82, raw_score=0.8, scorer="e5",
                             status=Match.Status.PENDING, hash_a=a.content_hash, hash_b=b.content_hash)
        AlignmentState.objects.update_or_create(sku=a, defaults={"status": AlignmentState.Status.FAILED, "error": "boom"})
        r = self.client.get("/admin/alignment/match/", {"status__exact": "pending"})
        assert r.status_code == 200 and "Kettle 1.7 L" in r.content.decode()
        r = self.client.get("/admin/alignment/alignmentstate/", {"q": "boom"})
        assert r.status_code == 200 and "Failed" in r.content.decode()
        assert self.client.get("/admin/alignment/instructiontemplate/").status_code == 200
