from __future__ import annotations

import json
import math
import random
import tempfile
from pathlib import Path
from unittest.mock import patch

from django.test import TestCase

from alignment import calibration
from alignment.calibration import (
    ISOTONIC_MARGIN,
    Label,
    Mapping,
    calibration_info,
    expected_calibration_error,
    fit,
    fit_by_language_pair,
    pair_key,
    save_fit,
    to_probabilities,
    write_default,
)
from alignment.models import Calibration
from alignment.scorers.lexical import LexicalScorer
from tests.fakes import FakeScorer


def synthetic(n: int, *, seed: int = 1) -> tuple[list[float], list[bool]]:
    """Raw scores that overstate confidence: the true P(match) is score ** 3."""
    rng = random.Random(seed)
    scores = [rng.random() for _ in range(n)]
    return scores, [rng.random() < s**3 for s in scores]


class CalibrationFitTestCase(TestCase):
    def test_it_measures_expected_calibration_error(self):
        assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) < 1e-9
        assert abs(expected_calibration_error([0.9] * 10, [False] * 10) - 0.9) < 1e-9

    def test_it_fits_a_mapping_that_is_better_calibrated_than_the_raw_score(self):
        scores, labels = synthetic(2000)
        result = fit(scores, labels)
        assert result.mapping.method in ("platt", "isotonic")
        assert set(result.candidates) == {"platt", "isotonic"}
        assert result.log_loss == result.candidates[result.mapping.method]
        fresh_scores, fresh_labels = synthetic(2000, seed=2)
        calibrated = result.mapping.apply(fresh_scores)
        assert expected_calibration_error(calibrated, fresh_labels) < 0.05
        assert expected_calibration_error(fresh_scores, fresh_labels) > 0.15
        assert result.label_count == 2000 and result.positives == sum(labels)

    def test_it_keeps_the_smooth_curve_unless_the_steps_are_clearly_better(self):
        # Truth shaped like a logistic curve: isotonic's steps only fit the noise
        # (on these labels they score a held-out log loss 0.7 % lower than Platt's).
        rng = random.Random(5)
        scores = [rng.random() for _ in range(600)]
        labels = [rng.random() < 1 / (1 + math.exp(-8 * (s - 0.5))) for s in scores]
        result = fit(scores, labels)
        assert result.mapping.method == "platt"
        # Truth that no logistic curve follows (a plateau, then a jump): the steps win.
        labels = [rng.random() < (0.5 if s < 0.8 else 0.02 if s < 0.9 else 0.98) for s in scores]
        result = fit(scores, labels)
        assert result.mapping.method == "isotonic"
        assert result.candidates["isotonic"] < result.candidates["platt"] * (1 - ISOTONIC_MARGIN)

    def test_it_keeps_probabilities_monotonic_and_in_range(self):
        scores, labels = synthetic(500)
        for mapping in (calibration.fit_platt(scores, labels), calibration.fit_isotonic(scores, labels)):
            grid = [i / 100 for i in range(101)]
            out = mapping.apply(grid)
            assert all(0.0 <= p <= 1.0 for p in out)
            assert all(b >= a - 1e-12 for a, b in zip(out, out[1:]))

    def test_platt_does_not_run_away_on_scores_piled_at_both_ends(self):
        # A sharp scorer's labels (logits of the raw scores, clipped at -13.8 by EPSILON): the classes
        # overlap (a match at -5.0, non-matches at -2.3), so the best slope is finite. Full Newton steps
        # from (1, 0) overshot to a slope of millions, which maps every score to 1.
        logits = [-13.816, -13.816, -12.681, -11.451, -10.963, -10.354, -4.988, -2.262, -2.249, 0.132, 3.565, 4.935]
        labels = [False] * 6 + [True, False, False, True, True, True]
        scores = [1 / (1 + math.exp(-x)) for x in logits]
        mapping = calibration.fit_platt(scores, labels)
        assert 0.1 < mapping.params["a"] < 10
        probabilities = mapping.apply(scores)
        assert probabilities[0] < 0.01 and probabilities[-1] > 0.9 and 0.05 < probabilities[7] < 0.95

        def loss(a: float, b: float) -> float:
            return calibration.log_loss(Mapping("platt", {"a": a, "b": b}).apply(scores), labels)

        # No slope and intercept on a grid does better (the fit's small ridge aside).
        best = min(loss(a / 20, b / 10) for a in range(1, 100) for b in range(-40, 41))
        assert loss(mapping.params["a"], mapping.params["b"]) <= best + 1e-3

    def test_isotonic_steps_are_never_certain_on_a_few_labels(self):
        # The top 30 scores are all matches: their step is 31/32, not 1.
        scores = [i / 100 for i in range(100)]
        labels = [i % 2 == 0 for i in range(70)] + [True] * 30
        mapping = calibration.fit_isotonic(scores, labels)
        assert abs(mapping.apply([0.95])[0] - 31 / 32) < 1e-9
        assert abs(mapping.apply([0.10])[0] - 0.5) < 0.05

    def test_it_refuses_labels_of_one_class(self):
        with self.assertRaises(ValueError):
            fit([0.1, 0.5, 0.9], [True, True, True])

    def test_it_fits_a_language_pair_only_with_enough_labels_of_both_classes(self):
        scores, labels = synthetic(1000)
        many = [Label(s, y, "en-zh") for s, y in zip(scores[:600], labels[:600])]
        few = [Label(s, y, "de-fr") for s, y in zip(scores[600:900], labels[600:900])]
        fits = fit_by_language_pair(many + few)
        assert set(fits) == {"", "en-zh"}  # 300 labels are too few for a pair of its own
        assert fits[""].label_count == 900

    def test_it_keys_language_pairs_regardless_of_order(self):
        assert pair_key(("zh", "en")) == pair_key(("en", "zh")) == "en-zh"
        assert pair_key(None) == pair_key(("zh", "")) == ""


class CalibrationLookupTestCase(TestCase):
    def test_it_uses_the_shipped_default_on_an_empty_database(self):
        info = calibration_info(LexicalScorer())
        assert info.source == "shipped"
        assert to_probabilities(LexicalScorer(), [0.2, 0.8]) == info.mapping.apply([0.2, 0.8])

    def test_it_passes_scores_through_for_a_scorer_without_any_fit(self):
        assert calibration_info(FakeScorer()).source == "identity"
        assert to_probabilities(FakeScorer(), [0.3, 0.95]) == [0.3, 0.95]
        assert to_probabilities(FakeScorer(), []) == []

    def test_it_prefers_the_stored_fit_for_the_language_pair_then_for_all_pairs(self):
        scorer = FakeScorer()
        scores, labels = synthetic(400)
        overall = save_fit(scorer, fit(scores, labels))
        assert calibration_info(scorer, ("de", "fr")).source == "database"
        assert calibration_info(scorer, ("de", "fr")).language_pair == ""
        save_fit(scorer, fit(scores, labels, seed=3), language_pair="en-zh")
        info = calibration_info(scorer, ("zh", "en"))
        assert info.language_pair == "en-zh"
        assert to_probabilities(scorer, [0.5], language_pair=("zh", "en")) == info.mapping.apply([0.5])
        assert to_probabilities(scorer, [0.5]) == Mapping(overall.method, overall.params).apply([0.5])

    def test_it_keeps_one_active_fit_and_the_history(self):
        scorer = FakeScorer()
        scores, labels = synthetic(400)
        first = save_fit(scorer, fit(scores, labels))
        second = save_fit(scorer, fit(scores, labels, seed=5))
        first.refresh_from_db()
        assert not first.is_active and second.is_active
        assert Calibration.objects.filter(scorer="fake").count() == 2
        assert second.label_count == 400 and 0.0 <= second.ece <= 1.0

    def test_it_ignores_a_fit_for_another_model_revision(self):
        scorer = FakeScorer()
        scores, labels = synthetic(400)
        save_fit(scorer, fit(scores, labels))
        with patch.object(FakeScorer, "model_revision", "fake-2"):
            assert calibration_info(FakeScorer()).source == "identity"

    def test_it_writes_and_reads_a_shipped_default(self):
        scores, labels = synthetic(400)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "default_calibration.json"
            write_default(FakeScorer(), {"": fit(scores, labels)}, source="test.jsonl", path=path)
            data = json.loads(path.read_text())
            assert data["scorers"]["fake"]["label_count"] == 400
            assert data["scorers"]["fake"]["fitted_on"] == "test.jsonl"
            with patch.object(calibration, "DEFAULT_CALIBRATION_PATH", path):
                info = calibration_info(FakeScorer())
                assert info.source == "shipped" and info.label_count == 400
