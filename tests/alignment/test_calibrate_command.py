from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path
from unittest.mock import patch

from django.core.management import CommandError, call_command
from django.test import TestCase

from alignment import calibration, embeddings, retrieval
from alignment.calibration import Label, calibration_info
from alignment.models import Calibration, Match
from alignment.scorers.lexical import LexicalScorer
from catalog.models import SKU, Category
from tests.fakes import FakeScorer

PRODUCTS = [
    ("kettle-17", {"en": "Aquora electric kettle 1.7 L 2200 W", "de": "Aquora Wasserkocher 1,7 L 2200 W", "zh": "Aquora 电热水壶 1.7L 2200W"}),
    ("kettle-15", {"en": "Aquora electric kettle 1.5 L 1800 W", "de": "Aquora Wasserkocher 1,5 L 1800 W", "zh": "Aquora 电热水壶 1.5L 1800W"}),
    ("kettle-10", {"en": "Brevo travel kettle 1.0 L 1000 W", "de": "Brevo Reisewasserkocher 1,0 L 1000 W", "zh": "Brevo 旅行电热水壶 1.0L 1000W"}),
    ("bank-20", {"en": "Voltix power bank 20000 mAh 65 W", "de": "Voltix Powerbank 20 000 mAh 65 W", "zh": "Voltix 充电宝 20000mAh 65W"}),
    ("bank-10", {"en": "Voltix power bank 10000 mAh 22.5 W", "de": "Voltix Powerbank 10 000 mAh 22,5 W", "zh": "Voltix 充电宝 10000mAh 22.5W"}),
]


class CalibrateCommandTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        retrieval.reset_index()
        self.addCleanup(retrieval.reset_index)
        category = Category.get_or_create_path("Home > Small appliances")
        self.skus = {}
        for ref, texts in PRODUCTS:
            for language, title in texts.items():
                self.skus[ref, language] = SKU.objects.create(
                    source="shop", sku_code=f"{ref}-{language}", language=language, title=title,
                    category=category, product_ref=ref,
                )

    def run_command(self, *args: str) -> str:
        out = StringIO()
        result = call_command("calibrate", "--scorer", "lexical", "--k", "6", "--min-pair-labels", "10", *args, stdout=out, stderr=StringIO())
        return out.getvalue() + (result or "")

    def test_it_fits_from_product_refs_and_stores_the_active_calibration(self):
        out = self.run_command()
        overall = Calibration.objects.get(scorer="lexical", language_pair="", is_active=True)
        assert overall.model_revision == LexicalScorer.model_revision
        assert overall.positives > 0 and overall.label_count > overall.positives
        assert 0.0 <= overall.ece <= 1.0
        assert "Stored" in out and "lexical all pairs" in out
        info = calibration_info(LexicalScorer(), ("en", "zh"))
        assert info.source == "database"

    def test_it_fits_language_pairs_that_have_enough_labels(self):
        self.run_command()
        pairs = set(Calibration.objects.filter(is_active=True).values_list("language_pair", flat=True))
        assert "" in pairs and pairs - {""} <= {"de-en", "de-zh", "en-zh"}

    def test_it_lets_reviewers_decisions_override_the_reference_data(self):
        a, b = self.skus["kettle-17", "en"], self.skus["kettle-15", "de"]
        low, high = sorted([a, b], key=lambda s: s.pk)
        Match.objects.create(sku_a=low, sku_b=high, probability=0.8, raw_score=0.8, scorer="lexical",
                             status=Match.Status.CONFIRMED, hash_a=low.content_hash, hash_b=high.content_hash)
        labels = calibration.collect_labels(LexicalScorer(), k=6)
        positives = sum(lb.match for lb in labels)
        Match.objects.all().delete()
        assert positives > sum(lb.match for lb in calibration.collect_labels(LexicalScorer(), k=6))

    def test_it_scores_a_decided_pair_retrieval_missed_among_the_sku_s_candidates(self):
        kettle, bank = self.skus["kettle-10", "en"], self.skus["bank-20", "zh"]
        low, high = sorted([kettle, bank], key=lambda s: s.pk)
        Match.objects.create(sku_a=low, sku_b=high, probability=0.1, raw_score=0.1, scorer="fake",
                             status=Match.Status.REJECTED, hash_a=low.content_hash, hash_b=high.content_hash)
        first, second = embeddings.sku_text(low), embeddings.sku_text(high)
        with FakeScorer.returning(default=0.3) as fake:
            labels = calibration.collect_labels(FakeScorer(), k=2)
            retrieved, decided = [docs for query, docs, _ in fake.calls if query == first]
        assert len(retrieved) == 2 and second not in retrieved  # retrieval did not bring it up
        assert decided == [*retrieved, second]  # scored after the candidates the pipeline would score
        assert Label(0.3, False, "en-zh") in labels

    def test_it_stores_nothing_on_a_dry_run(self):
        out = self.run_command("--dry-run")
        assert "Dry run" in out
        assert not Calibration.objects.exists()

    def test_it_explains_when_there_are_no_labels(self):
        SKU.objects.update(product_ref="")
        with self.assertRaisesMessage(CommandError, "Not enough labels"):
            self.run_command()
        assert not Calibration.objects.exists()

    def test_it_writes_the_shipped_default_from_a_dev_set(self):
        with tempfile.TemporaryDirectory() as tmp:
            devset = Path(tmp) / "dev.jsonl"
            lines = []
            for ref, texts in PRODUCTS:
                others = [t for r, ts in PRODUCTS if r != ref for lang, t in ts.items() if lang != "en"]
                lines.append({"id": ref, "query": {"lang": "en", "text": texts["en"]}, "candidates": [
                    {"lang": "de", "text": texts["de"], "match": True},
                    {"lang": "zh", "text": texts["zh"], "match": True},
                ] + [{"lang": "de", "text": t, "match": False} for t in others[:4]]})
            devset.write_text("\n".join(json.dumps(line) for line in lines) + "\nbroken\n")
            target = Path(tmp) / "default_calibration.json"
            with patch.object(calibration, "DEFAULT_CALIBRATION_PATH", target):
                out = self.run_command("--from-devset", str(devset), "--write-default")
                shipped = json.loads(target.read_text())["scorers"]["lexical"]
                assert shipped["label_count"] == 30 and shipped["positives"] == 10
                assert shipped["fitted_on"] == "dev.jsonl"
                assert calibration_info(LexicalScorer()).source == "shipped"
            assert "Wrote" in out
            assert not Calibration.objects.exists()
