from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from alignment.scorers import ScoringError, get_scorer, load_scorer
from alignment.scorers.lexical import LexicalScorer
from tests.fakes import FakeScorer


class ScorerRegistryTestCase(SimpleTestCase):
    def setUp(self) -> None:
        get_scorer.cache_clear()
        self.addCleanup(get_scorer.cache_clear)

    def test_it_accepts_short_names_and_dotted_paths(self):
        assert isinstance(load_scorer("lexical"), LexicalScorer)
        assert isinstance(load_scorer("alignment.scorers.lexical.LexicalScorer"), LexicalScorer)
        assert load_scorer("e5").name == "e5"
        assert load_scorer("qwen3", model="/models/qwen3").model_path == "/models/qwen3"

    def test_it_names_the_setting_for_an_unknown_scorer(self):
        with self.assertRaises(ScoringError) as caught:
            load_scorer("bert")
        assert caught.exception.permanent
        assert "ALIGNMENT_SCORER" in str(caught.exception)

    @override_settings(ALIGNMENT_SCORER="tests.fakes.FakeScorer")
    def test_it_builds_the_configured_scorer_once_per_process(self):
        scorer = get_scorer()
        assert isinstance(scorer, FakeScorer)
        assert get_scorer() is scorer

    def test_it_does_not_load_models_when_building_scorers(self):
        assert not load_scorer("qwen3").loaded
        assert load_scorer("e5")._model is None

    def test_the_fake_returns_fixed_scores_in_document_order(self):
        with FakeScorer.returning({"b": 0.95, ("q", "c"): 0.2}, default=0.1) as fake:
            assert FakeScorer().score("q", ["a", "b", "c"], "instr") == [0.1, 0.95, 0.2]
            assert fake.calls == [("q", ["a", "b", "c"], "instr")]
        with FakeScorer.returning(error=ScoringError("down")), self.assertRaises(ScoringError):
            FakeScorer().score("q", ["a"], "")
