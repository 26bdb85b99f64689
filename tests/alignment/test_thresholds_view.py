from __future__ import annotations

from django.contrib.auth.models import Group

from alignment.models import CategoryThreshold, Match
from alignment.thresholds import thresholds_for
from catalog.models import SKU, Category
from reviews import roles
from tests.base import BaseTestCase


class ThresholdsViewTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        self.client.login(username="alice", password="password")
        self.kitchen = Category.get_or_create_path("Kitchen")
        self.kettles = Category.get_or_create_path("Kitchen > Kettles")
        self.url = f"/thresholds/{self.kettles.pk}/"
        skus = [
            SKU.objects.create(source="s", sku_code=f"k{i}", language="en" if i % 2 else "de", title=f"Kettle {i}", category=self.kettles)
            for i in range(8)
        ]
        self.matches = {}
        for (a, b), (status, p) in zip(
            [(0, 1), (0, 3), (0, 5), (0, 7), (1, 2), (2, 3)],
            [("auto_merged", 0.95), ("pending", 0.85), ("pending", 0.75), ("discarded", 0.65), ("confirmed", 0.8), ("rejected", 0.92)],
        ):
            self.matches[(a, b)] = Match.objects.create(
                sku_a=skus[a], sku_b=skus[b], probability=p, raw_score=p, scorer="x", status=status, hash_a="", hash_b=""
            )

    def statuses(self):
        return {key: Match.objects.get(pk=m.pk).status for key, m in self.matches.items()}

    def test_it_shows_the_inherited_thresholds(self):
        CategoryThreshold.objects.create(category=self.kitchen, auto=0.95, review=0.6)
        r = self.client.get(self.url)
        assert r.status_code == 200
        assert b"Inherited from Kitchen" in r.content
        assert r.context["form"].initial == {"auto": 0.95, "review": 0.6}

    def row(self, content, label):
        """(now, after) for one status row of the rendered preview table."""
        cells = content.decode().split(f"<tr><td>{label}</td>")[1].split("</tr>")[0]
        values = [part.split("</td>")[0] for part in cells.split("<td")[1:]]
        return int(values[0].lstrip(">")), int(values[1].lstrip(">"))

    def test_it_previews_how_counts_change(self):
        r = self.client.post(f"{self.url}preview/", {"review": "0.7", "auto": "0.8"}, headers={"HX-Request": "true"})
        assert r.status_code == 200
        assert b"<html" not in r.content
        assert self.row(r.content, "Merged automatically") == (1, 1)
        assert self.row(r.content, "Pending review") == (2, 2)
        assert self.row(r.content, "Discarded") == (1, 1)
        # The 0.85 pending pair clears the new auto threshold: it stays for review.
        assert b"1 pending or discarded pairs clear the auto threshold" in r.content
        assert b"2 human decisions" in r.content
        r = self.client.post(f"{self.url}preview/", {"review": "0.6", "auto": "0.97"}, headers={"HX-Request": "true"})
        assert self.row(r.content, "Merged automatically") == (1, 0)
        assert self.row(r.content, "Pending review") == (2, 4)
        assert self.row(r.content, "Discarded") == (1, 0)
        assert b"+2" in r.content
        assert self.statuses()[(0, 1)] == "auto_merged"  # a preview changes nothing

    def test_it_rejects_review_at_or_above_auto(self):
        r = self.client.post(f"{self.url}preview/", {"review": "0.9", "auto": "0.9"}, headers={"HX-Request": "true"})
        assert b"must be below the auto-merge threshold" in r.content
        r = self.client.post(self.url, {"review": "0.95", "auto": "0.9"})
        assert r.status_code == 400
        assert b"The review threshold (0.95) must be below the auto-merge threshold (0.9)." in r.content
        assert not CategoryThreshold.objects.exists()

    def test_it_rejects_values_outside_0_to_1_and_non_numbers(self):
        r = self.client.post(self.url, {"review": "-0.1", "auto": "1.5"})
        assert r.status_code == 400
        assert r.content.count(b"Must be between 0 and 1.") >= 2
        r = self.client.post(self.url, {"review": "abc", "auto": ""})
        assert b"Enter a number." in r.content
        assert b"This field is required." in r.content
        assert not CategoryThreshold.objects.exists()

    def test_saving_applies_the_thresholds_to_open_pairs_only(self):
        r = self.client.post(self.url, {"review": "0.8", "auto": "0.97"})
        assert r.status_code == 302
        threshold = CategoryThreshold.objects.get(category=self.kettles)
        assert (threshold.review, threshold.auto, threshold.updated_by) == (0.8, 0.97, self.alice)
        assert thresholds_for(self.kettles) == (0.97, 0.8)
        assert self.statuses() == {
            (0, 1): "pending",  # merged automatically at 0.95 < 0.97: reviewed, still merged
            (0, 3): "pending",
            (0, 5): "discarded",
            (0, 7): "discarded",
            (1, 2): "confirmed",
            (2, 3): "rejected",
        }
        page = self.client.get(self.url)
        assert b"3 open pairs moved" not in page.content  # message shown once, after the redirect
        assert b"This category has its own thresholds." in page.content

    def test_removing_the_override_goes_back_to_the_inherited_values(self):
        CategoryThreshold.objects.create(category=self.kettles, auto=0.97, review=0.8)
        r = self.client.post(self.url, {"remove": "1"}, follow=True)
        assert b"Override removed" in r.content
        assert not CategoryThreshold.objects.exists()
        assert thresholds_for(self.kettles) == (0.9, 0.7)

    def test_a_merchandiser_cannot_edit_thresholds(self):
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        self.client.login(username="bob", password="password")
        assert self.client.get(self.url).status_code == 403
        assert self.client.post(self.url, {"review": "0.1", "auto": "0.2"}).status_code == 403
        assert self.client.post(f"{self.url}preview/", {"review": "0.1", "auto": "0.2"}).status_code == 403
        assert not CategoryThreshold.objects.exists()

    def test_saving_leaves_pairs_the_pipeline_holds_for_its_own_reasons(self):
        from catalog import merging

        skus = list(SKU.objects.order_by("pk"))
        merging.merge_products(skus[4], skus[5], via="admin")
        make = lambda a, b, **kw: Match.objects.create(
            sku_a=skus[a], sku_b=skus[b], raw_score=0, scorer="x", hash_a="", hash_b="", **kw
        )
        doubtful_member = make(4, 5, status="pending", probability=0.5)  # same product, below review
        reopened = make(4, 7, status="pending", probability=0.72, reopened_from={"status": "confirmed"})
        audited = make(6, 7, status="auto_merged", probability=0.91, is_audit_sample=True)
        held = make(3, 4, status="pending", probability=0.96, hold_reason="Weak bridge")
        self.client.post(self.url, {"review": "0.8", "auto": "0.93"})
        for match in (doubtful_member, reopened, audited, held):
            match.refresh_from_db()
        assert doubtful_member.status == "pending"
        assert reopened.status == "pending"
        assert audited.status == "auto_merged"
        assert held.status == "pending"
        # An ordinary pair in the same situation as the re-opened one does move.
        assert self.statuses()[(0, 5)] == "discarded"
