from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from tests.fakes import FakeScorer

LINES = [
    # q1: the match ranks first; 0.95 auto-merges a true pair, 0.8 lands in review.
    {"id": "q1", "category": "Kettles", "query": {"lang": "zh", "text": "电热水壶 1.7L"}, "candidates": [
        {"lang": "en", "text": "Kettle 1.7 L", "match": True},
        {"lang": "fr", "text": "Bouilloire 1,7 L", "match": True},
        {"lang": "en", "text": "Kettle 1.5 L", "match": False},
    ]},
    # q2: a wrong candidate outranks the match (Top-1 miss, Top-3 hit) and auto-merges.
    {"id": "q2", "category": "Power banks", "query": {"lang": "en", "text": "Power bank 20000 mAh"}, "candidates": [
        {"lang": "de", "text": "Powerbank 10000 mAh", "match": False},
        {"lang": "zh", "text": "充电宝 20000mAh", "match": True},
    ]},
]
SCORES = {"Kettle 1.7 L": 0.95, "Bouilloire 1,7 L": 0.8, "Kettle 1.5 L": 0.2, "Powerbank 10000 mAh": 0.92, "充电宝 20000mAh": 0.5}


class EvaluateCommandTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = Path(directory.name) / "dev.jsonl"
        self.path.write_text(
            "\n".join([json.dumps(LINES[0]), "{not json", json.dumps({"id": "x", "query": {"lang": "en"}}), json.dumps(LINES[1])])
            + "\n",
            encoding="utf-8",
        )

    def run_command(self, *args: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("evaluate", str(self.path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_reports_ranking_and_threshold_metrics_as_json(self):
        with FakeScorer.returning(SCORES, default=0.0):
            out, err = self.run_command("--scorer", "tests.fakes.FakeScorer", "--json")
        result = json.loads(out)
        assert result["n"] == 2
        assert result["top1"] == 0.5 and result["top3"] == 1.0
        assert result["mrr"] == 0.75
        assert result["auto_precision"] == 0.5  # Kettle 1.7 L right, Powerbank 10000 mAh wrong
        assert abs(result["auto_recall"] - 1 / 3) < 1e-9
        assert result["review_share"] == 0.2  # Bouilloire at 0.8, of 5 pairs
        assert result["ms_per_query_mean"] >= 0 and result["ms_per_query_p95"] >= 0
        assert result["by_language"]["zh"]["top1"] == 1.0 and result["by_language"]["en"]["top1"] == 0.0

    def test_it_reports_bad_lines_with_their_numbers_and_goes_on(self):
        with FakeScorer.returning(SCORES):
            out, err = self.run_command("--scorer", "tests.fakes.FakeScorer")
        assert ":2: skipped: not JSON" in err
        assert ":3: skipped:" in err and "candidates" in err
        assert "Top-1  0.5000" in out
        assert "Queries 2" in out
        assert "2 bad line(s) skipped" in out

    def test_it_prints_a_table_with_the_language_breakdown_and_timing(self):
        with FakeScorer.returning(SCORES):
            out, _ = self.run_command("--scorer", "tests.fakes.FakeScorer")
        assert "query language" in out
        assert "auto-merge (p >= 0.9): precision 0.5000" in out
        assert "review band (0.7 <= p < 0.9): 20.00% of pairs" in out
        assert "ms per query: mean" in out

    def test_it_limits_the_number_of_queries(self):
        with FakeScorer.returning(SCORES):
            out, _ = self.run_command("--scorer", "tests.fakes.FakeScorer", "--json", "--limit", "1")
        assert json.loads(out)["n"] == 1

    def test_it_gives_calibrated_probabilities_on_an_empty_database(self):
        out, _ = self.run_command("--scorer", "lexical", "--json")
        result = json.loads(out)
        assert result["scorer"] == "lexical"
        assert "shipped" in result["calibration"]
        assert result["top1"] == 1.0  # 1.7 L and 20000 mAh agree; 1.5 L and 10000 mAh conflict

    def test_it_explains_unusable_input(self):
        with self.assertRaisesMessage(CommandError, "Cannot read"):
            call_command("evaluate", str(self.path) + ".missing", stdout=StringIO(), stderr=StringIO())
        self.path.write_text("garbage\n")
        with self.assertRaisesMessage(CommandError, "No valid examples"):
            call_command("evaluate", str(self.path), stdout=StringIO(), stderr=StringIO())

    def test_it_rejects_an_unknown_scorer(self):
        with self.assertRaisesMessage(CommandError, "Unknown scorer"):
            self.run_command("--scorer", "bert")
