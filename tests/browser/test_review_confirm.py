from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from alignment.models import Match
from catalog.models import SKU, Category
from reviews import queue, roles

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "tests" / "artifacts"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (scripts/browser.sh)")
class ReviewConfirmBrowserTestCase(StaticLiveServerTestCase):
    """bob confirms a pair from the keyboard in a real browser."""

    # Restore the role groups (created by a data migration) after the flush.
    serialized_rollback = True

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls here are fine.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        queue.forget_counts()
        bob = User.objects.create_user("bob", password="correct-horse-battery")
        bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        kettles = Category.get_or_create_path("Kitchen > Kettles")

        def sku(code: str, language: str, title: str, description: str) -> SKU:
            return SKU.objects.create(source="shop", sku_code=code, language=language, title=title,
                                      description=description, brand="Philips", category=kettles)

        self.en = sku("K1", "en", "Philips electric kettle 1.7L HD9350", "Stainless steel, 2200 W.")
        self.zh = sku("K1-zh", "zh", "飞利浦电水壶 1.7升 HD9350", "不锈钢 2200W")
        self.fr = sku("K2-fr", "fr", "Bouilloire Philips 1,5 L HD9351", "<script>alert('x')</script> Acier")
        self.de = sku("K3-de", "de", "Philips Wasserkocher 1,5 l HD9351", "Edelstahl")
        self.first = self.match(self.en, self.zh, 0.88)
        self.second = self.match(self.fr, self.de, 0.79)
        Match.refresh_review_impact()

    def match(self, a: SKU, b: SKU, p: float) -> Match:
        return Match.objects.create(sku_a=a, sku_b=b, probability=p, raw_score=p, scorer="e5",
                                    status="pending", hash_a=a.content_hash, hash_b=b.content_hash)

    def test_it_confirms_a_pair_with_the_keyboard(self):
        page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{self.live_server_url}/accounts/login/?next=/reviews/next/")
        page.fill("input[name=username]", "bob")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_selector(f"text=Pair {self.first.pk}")
        assert page.locator("mark.agree").count() >= 2  # 1.7L = 1.7升, HD9350

        page.keyboard.press("y")
        page.wait_for_selector(f"text=Pair {self.second.pk}")
        assert f"/reviews/pairs/{self.second.pk}/" in page.url  # swapped by htmx, address pushed
        assert "products merged" in page.inner_text("#pair")
        assert page.inner_text("#today-count") == "1"
        # The description with a script tag shows as text and runs nothing.
        assert "<script>alert('x')</script> Acier" in page.inner_text("#pair")
        assert dialogs == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-confirm.png"), full_page=True)

        assert SKU.objects.get(pk=self.zh.pk).product_id == SKU.objects.get(pk=self.en.pk).product_id
        self.first.refresh_from_db()
        assert self.first.status == Match.Status.CONFIRMED

        page.goto(f"{self.live_server_url}/reviews/")
        rows = page.inner_text("table.queue")
        assert f"#{self.first.pk}" not in rows
        assert f"#{self.second.pk}" in rows
        page.close()
