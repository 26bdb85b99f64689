from __future__ import annotations

from django.contrib.auth.models import Group

from alignment.models import ApiToken, Match
from catalog import merging
from catalog.models import SKU, Category, Product
from reviews import roles
from tests.base import BaseTestCase


class ApiCatalogTestCase(BaseTestCase):
    """Product and match lookups: bob is a merchandiser with a token, charlie has no role."""

    def setUp(self):
        super().setUp()
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
        _, key = ApiToken.issue(self.bob, name="erp")
        self.auth = {"Authorization": f"Bearer {key}"}
        _, key = ApiToken.issue(self.charlie, name="nosy")
        self.charlie_auth = {"Authorization": f"Token {key}"}
        kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        self.en = SKU.objects.create(source="shop", sku_code="K-1", language="en", title="Kettle 1.7 L", category=kettles)
        self.de = SKU.objects.create(source="shop", sku_code="K-1-DE", language="de", title="Wasserkocher 1,7 L", category=kettles)
        self.zh = SKU.objects.create(source="cn/shop", sku_code="KT/200", language="zh", title="电热水壶 1.7L", category=kettles)

    def match(self, a, b, *, status, probability=0.8):
        sku_a, sku_b = sorted([a, b], key=lambda s: s.pk)
        return Match.objects.create(
            sku_a=sku_a, sku_b=sku_b, probability=probability, raw_score=probability, scorer="lexical",
            status=status, hash_a=sku_a.content_hash, hash_b=sku_b.content_hash, instruction_version=3,
        )

    def test_it_returns_a_product_with_its_skus_per_language(self):
        merging.merge_products(self.en, self.de, via="admin")
        self.en.refresh_from_db()
        r = self.client.get(f"/api/products/{self.en.product_id}", headers=self.auth)
        assert r.status_code == 200
        body = r.json()
        assert body["id"] == self.en.product_id
        assert body["merged"] is False
        assert [s["sku_code"] for s in body["skus"]["en"]] == ["K-1"]
        assert [s["sku_code"] for s in body["skus"]["de"]] == ["K-1-DE"]
        assert body["skus"]["zh"] == []
        assert body["skus"]["de"][0]["category"] == "Home > Kitchen > Kettles"

    def test_it_answers_a_merged_away_id_with_the_live_product(self):
        merging.merge_products(self.en, self.de, via="admin")
        merged_away = Product.objects.get(merged_into__isnull=False)
        live = merged_away.merged_into_id
        r = self.client.get(f"/api/products/{merged_away.pk}", headers=self.auth)
        assert r.status_code == 200
        body = r.json()
        assert body["id"] == live
        assert body["requested_id"] == merged_away.pk
        assert body["merged"] is True
        assert body["sku_count"] == 2
        assert body["url"].endswith(f"/api/products/{live}")

    def test_it_answers_404_for_an_unknown_product(self):
        r = self.client.get("/api/products/999999", headers=self.auth)
        assert r.status_code == 404
        assert r.json() == {"error": "No product 999999", "field": None}

    def test_it_needs_view_permissions(self):
        assert self.client.get(f"/api/products/{self.en.product_id}", headers=self.charlie_auth).status_code == 403
        r = self.client.get("/api/skus/shop/K-1/matches", headers=self.charlie_auth)
        assert r.status_code == 403
        assert "alignment.view_match" in r.json()["error"]

    def test_it_lists_a_skus_matches_with_status(self):
        self.match(self.en, self.de, status=Match.Status.CONFIRMED, probability=0.95)
        self.match(self.en, self.zh, status=Match.Status.PENDING, probability=0.8)
        self.match(self.de, self.zh, status=Match.Status.DISCARDED, probability=0.1)
        r = self.client.get("/api/skus/shop/K-1/matches", headers=self.auth)
        assert r.status_code == 200
        body = r.json()
        assert body["sku"]["sku_code"] == "K-1"
        assert [(m["other"]["sku_code"], m["status"]) for m in body["matches"]] == [
            ("K-1-DE", "confirmed"),
            ("KT/200", "pending"),
        ]
        assert body["matches"][0]["instruction_version"] == 3

    def test_it_finds_skus_whose_source_and_code_contain_slashes_and_filters_by_status(self):
        self.match(self.en, self.zh, status=Match.Status.PENDING)
        self.match(self.de, self.zh, status=Match.Status.DISCARDED)
        r = self.client.get("/api/skus/cn%2Fshop/KT/200/matches?status=pending", headers=self.auth)
        assert r.status_code == 200
        assert [m["other"]["sku_code"] for m in r.json()["matches"]] == ["K-1"]

    def test_it_rejects_an_unknown_status_filter(self):
        r = self.client.get("/api/skus/shop/K-1/matches?status=maybe", headers=self.auth)
        assert r.status_code == 400
        assert r.json()["field"] == "status"

    def test_it_answers_404_for_an_unknown_sku(self):
        r = self.client.get("/api/skus/shop/NOPE/matches", headers=self.auth)
        assert r.status_code == 404
        assert "shop/NOPE" in r.json()["error"]


class ApiSchemaTestCase(BaseTestCase):
    def test_it_serves_an_openapi_3_document(self):
        _, key = ApiToken.issue(self.charlie, name="docs")
        r = self.client.get("/api/schema", headers={"Authorization": f"Token {key}"})
        assert r.status_code == 200
        schema = r.json()
        assert schema["openapi"].startswith("3.")
        assert set(schema["paths"]) == {
            "/api/rerank", "/api/products/{id}", "/api/skus/{source}/{sku_code}/matches", "/api/schema"
        }
        request = schema["components"]["schemas"]["RerankRequest"]
        assert request["properties"]["documents"]["maxItems"] == 100
        assert request["required"] == ["query", "documents"]

    def test_it_needs_authentication(self):
        assert self.client.get("/api/schema").status_code == 401
