from __future__ import annotations

from django.urls import reverse

from alignment.models import Match
from tests.reviews.base import ReviewTestCase


class PairViewTestCase(ReviewTestCase):
    def url(self, match: Match) -> str:
        return reverse("reviews:pair", args=[match.pk])

    def test_it_shows_both_sides_with_language_labels_and_full_text(self):
        self.login(self.bob)
        response = self.client.get(self.url(self.differ))
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" in body
        assert 'lang="en"' in body and 'lang="fr"' in body
        assert "Stainless steel" in body and "Acier inoxydable" in body
        assert "0.740" in body
        assert "lexical" in body and "lexical-1" in body
        assert "embedding rank 1, lexical rank 2" in body

    def test_it_flags_quantities_and_codes_that_differ(self):
        self.login(self.bob)
        body = self.client.get(self.url(self.differ)).content.decode()
        assert '<mark class="conflict" title="other side: 1,5 L">1.7L</mark>' in body
        assert '<mark class="conflict" title="other side: 1.7L">1,5 L</mark>' in body
        assert "volume: 1.7L vs 1,5 L" in body

    def test_it_marks_quantities_that_agree(self):
        self.login(self.bob)
        body = self.client.get(self.url(self.bank)).content.decode()
        assert '<mark class="agree" title="other side: 20 000 mAh">20000mAh</mark>' in body

    def test_it_lists_the_other_skus_of_each_product_and_links_their_history(self):
        extra = self.sku("K1-de", "de", "Philips Wasserkocher 1,7 l")
        self.match(self.kettle_en, extra, 0.95, Match.Status.AUTO_MERGED)
        from catalog.merging import merge_products

        merge_products(self.kettle_en, extra, via="auto")
        self.login(self.bob)
        body = self.client.get(self.url(self.differ)).content.decode()
        assert "Philips Wasserkocher 1,7 l" in body
        assert reverse("reviews:history", args=[self.product_of(self.kettle_en)]) in body

    def test_it_lists_the_first_twenty_skus_of_a_large_product_and_says_how_many(self):
        from catalog.merging import merge_products

        for i in range(24):
            merge_products(self.kettle_en, self.sku(f"K1-x{i:02}", "de", f"Wasserkocher Variante {i:02}"), via="auto")
        self.login(self.bob)
        body = self.client.get(self.url(self.differ)).content.decode()
        assert "24 other SKUs" in body
        assert "Wasserkocher Variante 19" in body  # by language, then in the order they came
        assert "Wasserkocher Variante 20" not in body
        assert "The first 20 of 24: the product history lists every one." in body
        assert "Product {}: 0 other SKUs".format(self.product_of(self.kettle_fr)) in body

    def test_it_leases_the_pair_to_the_reviewer(self):
        self.login(self.bob)
        self.client.get(self.url(self.same))
        self.same.refresh_from_db()
        assert self.same.claimed_by == self.bob
        assert self.same.claimed_until is not None

    def test_it_shows_who_holds_a_pair_and_offers_no_decision(self):
        self.client.force_login(self.alice)
        self.client.get(self.url(self.same))
        self.client.force_login(self.bob)
        body = self.client.get(self.url(self.same)).content.decode()
        assert "Being reviewed by alice" in body
        assert 'id="decide-form"' not in body

    def test_it_hides_the_score_and_the_shared_product_of_audit_samples(self):
        other = self.sku("K7", "es", "Hervidor Philips 1,7 L", shop="elcorte")
        audit = self.audit_sample(self.kettle_en, other, p=0.968)
        self.login(self.bob)
        body = self.client.get(self.url(audit)).content.decode()
        assert "Blind check: score hidden" in body
        assert "0.968" not in body and "0.97" not in body
        assert "already share this product" not in body
        assert 'id="decide-form"' in body

    def test_it_escapes_a_script_in_a_description(self):
        evil = self.sku("X2", "en", "Kettle 1.7L", "<script>alert('x')</script> boils water")
        match = self.match(self.kettle_zh, evil, 0.8)
        self.login(self.bob)
        body = self.client.get(self.url(match)).content.decode()
        assert "<script>alert(" not in body
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; boils water" in body

    def test_it_returns_only_the_pair_partial_for_htmx(self):
        self.login(self.bob)
        response = self.client.get(self.url(self.same), headers={"HX-Request": "true"})
        body = response.content.decode()
        assert "<html" not in body
        assert body.lstrip().startswith('<div id="pair"')
        assert "HX-Request" in response["Vary"]

    def test_it_shows_the_keyboard_shortcuts(self):
        self.login(self.bob)
        body = self.client.get(self.url(self.same)).content.decode()
        for key in ("y", "n", "s", "j", "k", "u", "?"):
            assert f"<kbd>{key}</kbd>" in body

    def test_it_is_forbidden_without_the_review_permission(self):
        self.login(self.charlie)
        assert self.client.get(self.url(self.same)).status_code == 403
