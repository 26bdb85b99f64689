from __future__ import annotations

import json

from django.test import override_settings

from alignment.models import ApiToken, InstructionTemplate
from tests.base import BaseTestCase
from tests.fakes import FakeScorer

KETTLE_ZH = "智能恒温电热水壶,1.7L大容量,4档温度调节"
KETTLE_EN = "Smart Temperature-Controlled Electric Kettle, 1.7L Capacity, 4 Preset Temp Settings"
KETTLE_DE = "Intelligente elektrische Wasserkocher mit Temperaturregelung, 1,7 L Fassungsvermögen, 4 Temperaturstufen"
THERMOMETER = "Digital Food Thermometer with Probe, Fast Reading"


class RerankTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        _, key = ApiToken.issue(self.charlie, name="test")
        self.auth = {"Authorization": f"Token {key}"}

    def post(self, body, *, content_type="application/json"):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post("/api/rerank", data, content_type=content_type, headers=self.auth)

    def assert_error(self, response, *, field, contains, status=400):
        assert response.status_code == status, response.content
        body = response.json()
        assert body["field"] == field
        assert contains in body["error"]

    def test_it_ranks_documents_by_calibrated_probability(self):
        r = self.post({"query": KETTLE_ZH, "documents": [THERMOMETER, KETTLE_DE, KETTLE_EN]})
        assert r.status_code == 200
        body = r.json()
        scores = [item["score"] for item in body["results"]]
        assert scores == sorted(scores, reverse=True)
        assert body["results"][-1]["index"] == 0
        assert body["results"][-1]["document"] == THERMOMETER
        assert {item["index"] for item in body["results"]} == {0, 1, 2}
        assert all(0 <= s <= 1 for s in scores)
        assert body["model"]["scorer"] == "lexical"
        assert body["instruction_version"] is None
        assert body["instruction_source"] == "built-in"

    def test_it_detects_the_language_of_each_document(self):
        body = self.post({"query": KETTLE_ZH, "documents": [KETTLE_EN, KETTLE_DE, "1.7L"]}).json()
        languages = {item["index"]: item["language"] for item in body["results"]}
        assert languages == {0: "en", 1: "de", 2: None}
        assert body["query_language"] == "zh"

    def test_it_returns_only_top_n(self):
        body = self.post({"query": KETTLE_ZH, "documents": [THERMOMETER, KETTLE_EN, KETTLE_DE], "top_n": 1}).json()
        assert len(body["results"]) == 1
        assert body["results"][0]["index"] in (1, 2)

    def test_it_names_the_default_template_version(self):
        template = InstructionTemplate.add_version(None, text="Same product?")
        template.publish()
        body = self.post({"query": KETTLE_ZH, "documents": [KETTLE_EN]}).json()
        assert body["instruction_version"] == template.version
        assert body["instruction_source"] == "template"

    @override_settings(ALIGNMENT_SCORER="tests.fakes.FakeScorer")
    def test_it_passes_the_instruction_to_the_scorer(self):
        from alignment.scorers import get_scorer

        get_scorer.cache_clear()
        try:
            with FakeScorer.returning({"b": 0.9}, default=0.2):
                body = self.post({"query": "q", "documents": ["a", "b"], "instruction": "Same voltage?"}).json()
                assert FakeScorer.calls[-1] == ("q", ["a", "b"], "Same voltage?")
        finally:
            get_scorer.cache_clear()
        assert [item["index"] for item in body["results"]] == [1, 0]
        assert body["instruction_source"] == "request"

    def test_it_requires_a_query(self):
        self.assert_error(self.post({"documents": ["a"]}), field="query", contains="query is required")

    def test_it_rejects_an_empty_query(self):
        self.assert_error(self.post({"query": "  ", "documents": ["a"]}), field="query", contains="must not be empty")

    def test_it_rejects_a_non_string_query(self):
        self.assert_error(self.post({"query": 12, "documents": ["a"]}), field="query", contains="must be a string")

    def test_it_requires_documents(self):
        self.assert_error(self.post({"query": "q"}), field="documents", contains="documents is required")

    def test_it_rejects_empty_documents(self):
        self.assert_error(self.post({"query": "q", "documents": []}), field="documents", contains="must not be empty")

    def test_it_rejects_documents_that_are_not_a_list(self):
        self.assert_error(self.post({"query": "q", "documents": "a"}), field="documents", contains="must be a list")

    def test_it_rejects_non_string_items(self):
        r = self.post({"query": "q", "documents": ["a", {"text": "b"}]})
        self.assert_error(r, field="documents[1]", contains="must be a string, not dict")
        r = self.post({"query": "q", "documents": ["a", "b", None]})
        self.assert_error(r, field="documents[2]", contains="documents[2] is required")

    def test_it_rejects_empty_items(self):
        self.assert_error(self.post({"query": "q", "documents": ["a", ""]}), field="documents[1]", contains="empty")

    @override_settings(API_MAX_DOCUMENTS=3)
    def test_it_rejects_too_many_documents(self):
        r = self.post({"query": "q", "documents": ["a", "b", "c", "d"]})
        self.assert_error(r, field="documents", contains="Too many documents: 4 given, at most 3")

    def test_it_allows_100_documents_by_default(self):
        r = self.post({"query": "kettle 1.7 L", "documents": [f"kettle {i} L" for i in range(100)]})
        assert r.status_code == 200
        assert len(r.json()["results"]) == 100
        r = self.post({"query": "kettle", "documents": ["kettle"] * 101})
        self.assert_error(r, field="documents", contains="at most 100")

    @override_settings(API_MAX_DOCUMENT_CHARS=50)
    def test_it_rejects_a_too_long_document(self):
        r = self.post({"query": "q", "documents": ["a", "x" * 51]})
        self.assert_error(r, field="documents[1]", contains="51 characters long, at most 50")
        r = self.post({"query": "q" * 51, "documents": ["a"]})
        self.assert_error(r, field="query", contains="at most 50")

    def test_it_rejects_invalid_json(self):
        r = self.post('{"query": "q", "documents": [')
        self.assert_error(r, field=None, contains="Invalid JSON")

    def test_it_rejects_a_body_that_is_not_an_object(self):
        self.assert_error(self.post(["q"]), field=None, contains="must be a JSON object")

    def test_it_rejects_the_wrong_content_type(self):
        r = self.post("query=q&documents=a", content_type="application/x-www-form-urlencoded")
        self.assert_error(r, field=None, contains="Content-Type: application/json", status=415)

    def test_it_rejects_an_invalid_top_n(self):
        for top_n in (0, -1, "3", 1.5, True):
            r = self.post({"query": "q", "documents": ["a"], "top_n": top_n})
            self.assert_error(r, field="top_n", contains="positive integer")

    def test_it_rejects_a_non_string_instruction(self):
        r = self.post({"query": "q", "documents": ["a"], "instruction": ["x"]})
        self.assert_error(r, field="instruction", contains="must be a string")

    def test_it_rejects_unknown_fields(self):
        r = self.post({"query": "q", "documents": ["a"], "topn": 3})
        self.assert_error(r, field="topn", contains="Unknown field 'topn'")

    def test_it_returns_text_as_given_without_html_escaping_in_json(self):
        doc = "<script>alert(1)</script> Kettle 1.7L"
        body = self.post({"query": KETTLE_ZH, "documents": [doc]})
        assert body["Content-Type"] == "application/json"
        assert body.json()["results"][0]["document"] == doc

    def test_it_uses_a_categorys_instruction_and_thresholds(self):
        from alignment.models import CategoryThreshold
        from catalog.models import Category

        kettles = Category.get_or_create_path("Home > Kitchen > Kettles")
        template = InstructionTemplate.add_version(kettles.parent, text="Same kitchen appliance?")
        template.publish()
        CategoryThreshold.objects.create(category=kettles, auto=0.99, review=0.01)
        for category in (kettles.pk, "Home > Kitchen > Kettles", "Home>Kitchen>Kettles"):
            body = self.post({"query": KETTLE_ZH, "documents": [KETTLE_EN, THERMOMETER], "category": category}).json()
            assert body["instruction_version"] == template.version
            assert body["thresholds"] == {"auto": 0.99, "review": 0.01}
            assert {item["band"] for item in body["results"]} == {"review"}
        body = self.post({"query": KETTLE_ZH, "documents": [KETTLE_EN]}).json()
        assert body["thresholds"] == {"auto": 0.9, "review": 0.7}
        assert body["results"][0]["band"] in ("auto", "review", "discard")

    def test_it_rejects_an_unknown_category(self):
        for category in (999999, "Garden > Hoses", 2**70, True, ["Home"]):
            r = self.post({"query": "q", "documents": ["a"], "category": category})
            self.assert_error(r, field="category", contains="ategor")
