from __future__ import annotations

import hashlib
import importlib.util
import math
import sys
import tempfile
from pathlib import Path
from unittest.mock import patch

import numpy as np
from django.conf import settings
from django.test import SimpleTestCase

from alignment.scorers.e5 import (
    CONTRADICTED_CAP,
    CONTRADICTIONS,
    FUSION_FEATURES,
    HIDDEN_INPUTS,
    IDF_FLOOR,
    PHRASE_FEATURES,
    READER_PATH,
    READER_TOKENS,
    TOKEN_FEATURES,
    E5Scorer,
    contradicted,
    exclusive,
    fused_score,
    fused_scores,
    fusion_features,
    load_reader,
    language_of,
    segment_alignment,
    segments,
    list_idf,
    title_of,
    phrase_coverage,
    title_reader_logits,
    token_alignment,
)
from alignment.scorers.base import ScoringError

KETTLE_ZH = "智能恒温电热水壶，1.7L大容量，4档温度调节"
KETTLE_FR = "Bouilloire électrique intelligente, 1,7 L, 4 réglages de température"
KETTLE_15 = "Bouilloire électrique intelligente, 1,5 L, 4 réglages de température"
SCALE = "Balance de cuisine numérique, précision 0,1 g"


def no_tokens(count: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Titles with no content tokens (the token and phrase features are then 0)."""
    return [(np.zeros(0, dtype=np.int64), np.zeros((0, 384)), np.zeros(0, dtype=np.int64))] * count


def fit_script():
    """bench/fit_e5_fusion.py as a module."""
    path = Path(settings.BASE_DIR) / "bench" / "fit_e5_fusion.py"
    spec = importlib.util.spec_from_file_location("fit_e5_fusion", path)
    fit = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fit  # its dataclass looks its module up
    try:
        spec.loader.exec_module(fit)
    finally:
        del sys.modules[spec.name]
    return fit


def random_titles(rng: np.random.Generator, lengths: list[int]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Titles of these many tokens: ids drawn from a small vocabulary (so some recur), unit-length states."""
    titles = []
    for length in lengths:
        states = rng.normal(size=(length, 384))
        states /= np.linalg.norm(states, axis=1, keepdims=True)
        titles.append((rng.integers(0, 12, size=length), states.astype(np.float16), np.zeros(length, dtype=np.int64)))
    return titles


class E5ScorerTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.scorer = E5Scorer()  # one model load for the module (~1 s)

    def test_it_embeds_normalised_vectors_and_caches_them_per_text(self):
        vectors = self.scorer.embed([KETTLE_ZH, KETTLE_FR])
        assert vectors.shape == (2, 384) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        with patch.object(self.scorer._model, "encode", autospec=True) as encode:
            again = self.scorer.embed([KETTLE_FR, KETTLE_ZH])
        encode.assert_not_called()
        assert np.array_equal(again[0], vectors[1])

    def test_a_look_alike_scores_lower_beside_the_listing_it_resembles(self):
        # Why the pipeline hands the fused scorer every candidate, those scored already included.
        lookalike = "Bouilloire électrique intelligente Modèle B, 1,7 L, 4 réglages de température"
        alone = self.scorer.score(KETTLE_ZH, [lookalike, SCALE])[0]
        beside = self.scorer.score(KETTLE_ZH, [lookalike, SCALE, KETTLE_FR])[0]
        assert beside < alone
        assert self.scorer.reads_the_list and not E5Scorer(fusion=False).reads_the_list

    def test_it_bounds_the_cache(self):
        scorer = E5Scorer(cache_size=2)
        scorer._model = self.scorer._load()
        scorer.embed(["one", "two", "three"])
        assert len(scorer._cache) == 2

    def test_it_splits_long_text_into_windows_and_pools_them(self):
        scorer = E5Scorer(max_tokens=64)  # e5 reads 512; a small window keeps the test fast
        scorer._model = self.scorer._load()
        long_text = " ".join(f"{KETTLE_FR}, modèle {i}." for i in range(8))
        windows = scorer.windows(long_text)
        assert len(windows) > 1
        assert "".join(windows) == long_text
        assert all(scorer._model.token_count(w, True) <= 64 for w in windows)
        pooled = scorer.embed([long_text])[0]
        expected = scorer._model.encode(windows, True).mean(axis=0)
        assert np.allclose(pooled, expected / np.linalg.norm(expected), atol=1e-5)
        assert scorer.windows(KETTLE_FR) == [KETTLE_FR]

    def test_it_scores_the_same_product_above_a_contradicting_one(self):
        scores = self.scorer.score(KETTLE_ZH, [KETTLE_15, KETTLE_FR, SCALE], "ignored")
        assert scores[1] > scores[0] and scores[1] > scores[2]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert self.scorer.score(KETTLE_ZH, [], "") == []

    def test_it_builds_the_documented_features(self):
        differences = np.full((2, 384), 0.01)
        differences[1, 7] = 0.2
        rows = fusion_features(
            [0.9, 0.8],
            KETTLE_ZH,
            [KETTLE_FR, KETTLE_15],
            [(0.9, 0.8, 0.85), (0.7, 0.3, 0.4)],
            differences,
            tokens=no_tokens(3),
        )
        named = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in rows]
        assert abs(named[0]["cosine_gap"] - 0.1) < 1e-9 and abs(named[1]["cosine_gap"] + 0.1) < 1e-9
        assert named[0]["cosine_rank"] == 1.0 and named[1]["cosine_rank"] == 0.5
        assert (named[1]["segment_align"], named[1]["segment_min"], named[1]["segment_worst2"]) == (0.7, 0.3, 0.4)
        assert named[1]["difference_7"] == 0.2 and named[1]["difference_8"] == 0.01
        assert named[0]["cjk_pair"] == 1.0 and named[0]["long_texts"] == 0.0
        assert named[0]["unit_agree"] == 1 and named[1]["unit_conflict"] == 1
        single_row = fusion_features(
            [0.9], KETTLE_ZH, [KETTLE_FR], [(1.0, 1.0, 1.0)], np.zeros((1, 384)), tokens=no_tokens(2)
        )[0]
        single = dict(zip(FUSION_FEATURES, single_row, strict=True))
        assert single["cosine_gap"] == 0.0 and single["cosine_z"] == 0.0

    def test_a_title_that_sells_what_the_other_never_names_leaves_tokens_unaligned(self):
        # A pillow, a comb, a missing plug: the whole titles' embeddings average it away, their tokens do not.
        for query, plain, more in (
            (
                "Vandrelo Duo Camp Doppelschlafsack 220 x 150 cm, navy",
                "Vandrelo Duo Camp double sleeping bag 220 x 150 cm, navy",
                "Vandrelo Duo Camp double sleeping bag 220 x 150 cm, navy, with 2 pillows",
            ),
            (
                "Pawtrim ProCut 700 Hundeschermaschine, kabellos, Schiefergrau",
                "Pawtrim ProCut 700 cordless dog clipper, slate grey",
                "Pawtrim ProCut 700 cordless dog clipper, slate grey + grooming scissors + steel comb",
            ),
            (
                "Thermelle TR-8 电热毛巾架 8杆 哑光黑 100W",
                "Thermelle TR-8 heated towel rail, 8 bars, matte black, 100W",
                "Thermelle TR-8 heated towel rail, 8 bars, matte black, 100W, hardwired, no plug",
            ),
        ):
            rows = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in self.scorer.features(query, [plain, more])]
            assert rows[1]["token_recall"] < rows[0]["token_recall"] - 0.03, more
            assert rows[1]["token_idf_unaligned_max"] > rows[0]["token_idf_unaligned_max"] + 0.1, more

    def test_a_document_is_read_against_its_rivals_token_by_token(self):
        query = "Vandrelo Duo Camp Doppelschlafsack 220 x 150 cm, navy"
        plain = "Vandrelo Duo Camp double sleeping bag 220 x 150 cm, navy"
        pillows = "Vandrelo Duo Camp double sleeping bag 220 x 150 cm, navy, with 2 pillows"
        french = "Sac de couchage double Vandrelo Duo Camp 220 x 150 cm bleu marine"
        rows = self.scorer.features(query, [plain, pillows, french])
        named = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in rows]
        # The two English titles compete for one place: the one that adds nothing stands above the other.
        assert named[0]["token_f_language_gap"] > 0 > named[1]["token_f_language_gap"]
        assert named[0]["token_idf_f_language_gap"] == -named[1]["token_idf_f_language_gap"] > 0
        # The only French title has no rival in its language, and stands below the best English one.
        assert named[2]["token_f_language_gap"] == named[2]["segment_align_language_gap"] == 0.0
        assert named[2]["token_f_gap"] < 0

    def test_token_alignment_reads_each_token_of_both_titles(self):
        eye = np.eye(4)
        same = dict(zip(TOKEN_FEATURES, token_alignment(eye[:3], eye[:3], np.ones(3), np.ones(3)), strict=True))
        assert same["token_precision"] == same["token_recall"] == same["token_f"] == 1.0
        assert same["token_unaligned_max"] == 0.0 and same["token_idf_top"] == 0.0
        # The document has a fourth token, like none of the query's: it aligns with nothing and weighs its idf.
        more = token_alignment(eye[:3], eye, np.ones(3), np.array([1.0, 1.0, 1.0, 3.0]))
        more = dict(zip(TOKEN_FEATURES, more, strict=True))
        assert more["token_precision"] == 1.0 and more["token_recall"] == 0.75 and more["token_min"] == 0.0
        assert more["token_unaligned_max"] == 0.25 and more["token_unaligned_min"] == 0.0
        assert more["token_unaligned_short"] == 0.0  # the query's title is the shorter, and each of its tokens aligns
        assert more["token_idf_unaligned_max"] == 0.5 and more["token_idf_top"] == 3.0
        assert token_alignment(eye[:0], eye, np.ones(0), np.ones(4)) == [0.0] * len(TOKEN_FEATURES)

    def test_phrase_coverage_finds_the_phrase_one_title_adds(self):
        eye = np.eye(5)
        # The document is the query's two phrases and a third of its own (tokens 3 and 4, like none of the query's).
        phrases = np.array([0, 0, 1]), np.array([0, 0, 1, 2, 2])
        named = dict(zip(PHRASE_FEATURES, phrase_coverage(eye[:3], eye, *phrases, np.ones(3), np.ones(5)), strict=True))
        assert named["phrase_min"] == 0.0 and named["phrase_min_other"] == 1.0 and named["phrase_second"] == 1.0
        assert named["phrase_idf_missing_max"] == 2.0 and named["phrase_idf_missing_min"] == 0.0
        # One token of a phrase left out only halves the phrase's coverage.
        half = phrase_coverage(eye[:2], eye[:1], np.array([0, 0]), np.array([0]), np.ones(2), np.ones(1))
        assert half[0] == 0.5
        assert phrase_coverage(eye[:0], eye, np.zeros(0, int), np.zeros(5, int), np.ones(0), np.ones(5)) == [0.0] * 5

    def test_a_token_every_title_of_the_list_shares_weighs_least(self):
        titles = [np.array([1, 2]), np.array([1, 3]), *[np.array([1, 2, 10 + i]) for i in range(8)]]
        weights = list_idf(titles)
        # Ten titles: token 1 is in all of them, 2 in nine, 3 in one; a word of one title only weighs 1.
        most = math.log(11 / 2) + IDF_FLOOR
        assert np.allclose(weights[1], [(math.log(11 / 11) + IDF_FLOOR) / most, 1.0])
        assert np.allclose(weights[0][1], (math.log(11 / 10) + IDF_FLOOR) / most)
        # Against one document, every word would read as setting a title apart: a short list counts as
        # IDF_MIN_TITLES titles, and the words it shares weigh nearly as much as those it does not.
        pair = list_idf([np.array([1, 2]), np.array([1, 3])])
        assert pair[0][0] > 0.7 and pair[0][1] == 1.0

    def test_it_caches_the_titles_tokens_and_bounds_the_cache(self):
        scorer = E5Scorer(token_cache_size=2)
        scorer._model = self.scorer._load()
        first = scorer.title_tokens([KETTLE_FR, KETTLE_ZH])
        with patch.object(scorer._model, "token_states", autospec=True) as token_states:
            again = scorer.title_tokens([KETTLE_ZH, KETTLE_FR])
        token_states.assert_not_called()
        assert np.array_equal(again[0][0], first[1][0]) and again[0][1].dtype == np.float16
        scorer.title_tokens([SCALE])
        assert len(scorer._token_cache) == 2

    def test_the_embeddings_differ_dimension_by_dimension(self):
        query, document = self.scorer.embed([KETTLE_ZH, KETTLE_FR])
        row = self.scorer.features(KETTLE_ZH, [KETTLE_FR])[0]
        first = FUSION_FEATURES.index("difference_0")
        np.testing.assert_allclose(row[first : first + 384], np.abs(query - document), atol=1e-6)

    def test_a_contradiction_in_the_titles_caps_the_score(self):
        motor = "GearDrive JGB37-520 DC Gear Motor 24V 100 RPM, Metal Gearbox"
        other_voltage = "Motorreductor DC 12V 100 RPM JGB37-520 GearDrive, reductora metálica"
        same = "Motorreductor DC 24V 100 RPM JGB37-520 GearDrive, reductora metálica"
        contradicted, matching = self.scorer.score(motor, [other_voltage, same])
        assert contradicted <= CONTRADICTED_CAP < matching
        # Only the title counts: a description may name the sibling model.
        # ("versión" would be evidence of its own: version_one_sided, a feature and no cap.)
        described = same + "\nMismo motor que el modelo de 12V, con eje de 6 mm."
        assert title_of(described) == same
        row = dict(zip(FUSION_FEATURES, self.scorer.features(motor, [described])[0], strict=True))
        assert row["head_unit_conflict"] == 0 and row["unit_conflict"] == 0
        assert self.scorer.score(motor, [described])[0] > CONTRADICTED_CAP
        # A title that gives no voltage, over a description that names the sibling's.
        untitled = "Motorreductor JGB37-520 GearDrive\nMismo motor que la versión de 12V."
        row = dict(zip(FUSION_FEATURES, self.scorer.features(motor, [untitled])[0], strict=True))
        assert row["head_unit_conflict"] == 0 and row["unit_conflict"] == 1

    def test_attributes_that_the_descriptions_contradict_cap_the_score_too(self):
        mouse = "Vortena Glide M3 Wireless Vertical Mouse, Rechargeable, 4000 DPI, Right-Handed, Graphite"
        right = "Ratón vertical inalámbrico Vortena Glide M3, recargable, 4000 DPI, grafito\nPara diestros."
        left = "Ratón vertical inalámbrico Vortena Glide M3, recargable, 4000 DPI, grafito\nVersión para zurdos."
        rows = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in self.scorer.features(mouse, [right, left])]
        assert rows[0]["text_attribute_conflict"] == 0 and rows[1]["text_attribute_conflict"] == 1
        assert rows[1]["head_attribute_conflict"] == 0  # the titles alone agree
        matching, contradicted = self.scorer.score(mouse, [right, left])
        assert contradicted <= CONTRADICTED_CAP < matching

    def test_models_codes_sizes_or_accessories_that_differ_cap_the_score(self):
        shoe = "Chaussures de running Stridemax Aero 5 homme, noir/blanc, pointure 42"
        shoe_same = "Stridemax Aero 5 Men's Road Running Shoes, Black/White, EU 42"
        shoe_older = "Stridemax Aero 4 Men's Road Running Shoes, Black/White, EU 42"
        headphones = "索尼 Sony WH-1000XM5 头戴式无线降噪耳机 黑色"
        same = "Sony WH-1000XM5 Wireless Noise Cancelling Headphones, Black"
        older = "Sony WH-1000XM4 Kabellose Kopfhörer mit Noise Cancelling, Schwarz"
        curtains = "Rideaux occultants thermiques 140 x 260 cm, lot de 2, gris"
        curtains_same = "Verdunkelungsvorhänge 2er-Set, 140 x 260 cm, grau"
        shorter = "Cortinas opacas térmicas 140 x 175 cm, pack de 2, gris"
        for query, match, other, contradiction in (
            (shoe, shoe_same, shoe_older, "head_model_conflict"),
            (headphones, same, older, "head_code_conflict"),
            (curtains, curtains_same, shorter, "head_values_differ"),
        ):
            rows = self.scorer.features(query, [match, other])
            named = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in rows]
            assert named[0][contradiction] == 0 and named[1][contradiction] == 1
            matching, contradicted = self.scorer.score(query, [match, other])
            assert contradicted <= CONTRADICTED_CAP < matching
            # However much else agrees, the contradiction alone caps the score.
            flagged = list(rows[0])
            flagged[FUSION_FEATURES.index(contradiction)] = 1.0
            assert fused_score(rows[0], self.scorer.fusion) > CONTRADICTED_CAP >= fused_score(flagged, self.scorer.fusion)

    def test_an_accessory_for_the_model_scores_low_but_is_no_cap(self):
        monitor = "Medivana BP-600 Oberarm-Blutdruckmessgerät mit Bluetooth, Manschette 22-42 cm"
        monitor_same = "Tensiómetro de brazo Medivana BP-600 con Bluetooth, manguito 22-42 cm"
        cuff = "Replacement Cuff for Medivana BP-600 Blood Pressure Monitor, 22-42 cm"
        rows = self.scorer.features(monitor, [monitor_same, cuff])
        named = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in rows]
        assert named[0]["head_accessory"] == 0 and named[1]["head_accessory"] == 1
        matching, accessory = self.scorer.score(monitor, [monitor_same, cuff])
        # The cuff far below the review band (under a third of its 0.7; refits move it about 0.1); the
        # monitor above the cap (raw scores: the shipped calibration puts 0.65 in the review band).
        assert accessory < 0.2 and matching > CONTRADICTED_CAP
        # A Spanish title names its own model after its use: strong evidence, not a cap.
        stand = "Monteza DS-200 Dual Monitor Desk Mount, Two Screens 13 to 27 Inches, Black"
        soporte = "Soporte doble para monitor Monteza DS-200, 2 pantallas de 13 a 27 pulgadas, negro"
        (row,) = self.scorer.features(stand, [soporte])
        assert dict(zip(FUSION_FEATURES, row, strict=True))["head_accessory"] == 1 and not contradicted(row)

    def test_documents_compete_with_the_others_in_their_own_language(self):
        wasserkocher = "Wasserkocher 1,7 Liter mit Temperaturwahl, 4 Stufen"
        documents = [KETTLE_FR, KETTLE_15, wasserkocher]
        assert [language_of(d) for d in [KETTLE_ZH, *documents]] == ["zh", "fr", "fr", "de"]
        rows = fusion_features(
            [0.9, 0.8, 0.85], KETTLE_ZH, documents, [(0.8, 0.7, 0.75)] * 3, np.zeros((3, 384)), tokens=no_tokens(4)
        )
        named = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in rows]
        assert abs(named[0]["language_gap"] - 0.1) < 1e-9 and named[0]["language_rank"] == 1.0
        assert abs(named[1]["language_gap"] + 0.1) < 1e-9 and named[1]["language_rank"] == 0.5
        # The only German document has no rival, whatever the French ones score.
        assert named[2]["language_gap"] == 0.0 and named[2]["language_rank"] == 1.0
        assert abs(named[2]["cosine_gap"] + 0.05) < 1e-9

    def test_rivals_in_one_language_share_one_place(self):
        # Two look-alikes in French cannot both be the query's product; a German one can be too.
        shared = exclusive([0.95, 0.95, 0.95], ["fr", "fr", "de"])
        assert abs(shared[0] - 0.95 / 0.05 / (1 + 2 * 0.95 / 0.05)) < 1e-9 and shared[0] == shared[1] < 0.5
        assert abs(shared[2] - 0.95) < 1e-9
        # A clear winner keeps most of its score; a document of unknown language competes with none.
        winner, rival = exclusive([0.97, 0.6], ["fr", "fr"])
        assert 0.9 < winner < 0.97 and rival < 0.1
        assert exclusive([0.95, 0.95], ["", ""]) == [0.95, 0.95]

    def test_the_hidden_layer_weighs_evidence_beside_other_evidence(self):
        # One unit that fires only when the cosine is high and the codes agree: the logistic part
        # alone gives 0.5 whatever the row, the unit adds 2 to the log-odds of such rows only.
        n = len(FUSION_FEATURES)
        cosine, codes = HIDDEN_INPUTS.index(0), HIDDEN_INPUTS.index(FUSION_FEATURES.index("code_agree"))
        unit = [0.0] * len(HIDDEN_INPUTS)
        unit[cosine] = unit[codes] = 1.0
        weights = {"mean": [0.0] * n, "scale": [1.0] * n, "coef": [0.0] * n, "bias": 0.0,
                   "hidden": {"weight": [unit], "bias": [-1.0], "out": [1.0]}}
        row = [0.0] * n
        assert fused_score(row, weights) == 0.5
        row[0] = 1.0
        assert fused_score(row, weights) == 0.5  # a high cosine alone: the unit stays at 0
        row[FUSION_FEATURES.index("code_agree")] = 2.0
        assert abs(fused_score(row, weights) - 1 / (1 + np.exp(-2.0))) < 1e-12
        assert fused_score(row, {**weights, "hidden": None}) == 0.5
        assert "hidden" in self.scorer.fusion and len(self.scorer.fusion["hidden"]["out"]) == 5 * 32  # five seeds

    def test_fits_from_several_seeds_ship_as_one_layer_that_averages_their_logits(self):
        fit = fit_script()
        n, rng = len(FUSION_FEATURES), np.random.default_rng(7)
        members = [
            {"mean": [0.0] * n, "scale": [1.0] * n, "coef": rng.normal(size=n).tolist(), "bias": float(rng.normal()),
             "hidden": {"weight": rng.normal(size=(4, len(HIDDEN_INPUTS))).tolist(),
                        "bias": rng.normal(size=4).tolist(), "out": rng.normal(size=4).tolist()}}
            for _ in range(3)
        ]
        one = fit.merged(members)
        assert len(one["hidden"]["out"]) == 12 and fit.merged(members[:1]) is members[0]
        for _ in range(5):
            row = (rng.normal(size=n) * 0.1).tolist()
            for name in CONTRADICTIONS:
                row[FUSION_FEATURES.index(name)] = 0.0  # no contradiction: no cap
            logits = [np.log(fused_score(row, m) / (1 - fused_score(row, m))) for m in members]
            assert abs(fused_score(row, one) - 1 / (1 + np.exp(-np.mean(logits)))) < 1e-6

    def test_the_title_reader_scores_as_it_was_trained(self):
        # The reader's logits in numpy (what scoring runs) equal the torch module's that the fit trains,
        # for two fits merged as one (their mean), a title of no word included.
        import torch

        fit = fit_script()
        rng = np.random.default_rng(3)
        tokens = random_titles(rng, [6, 9, 0, 4, 70])  # the last one longer than the reader reads
        torch.manual_seed(5)
        readers = [fit.title_reader(8, 3).eval() for _ in range(2)]
        pairs = fit.TitlePairs([(None, None, None, None, tokens)])
        with torch.no_grad():
            trained = np.mean([(r(*pairs.batch(torch.arange(4))) - r.head.bias).numpy() for r in readers], axis=0)
        n = len(FUSION_FEATURES)
        members = [
            {"mean": [0.0] * n, "scale": [1.0] * n, "coef": [0.0] * n, "bias": 0.0,
             "hidden": {"weight": [[0.0] * len(HIDDEN_INPUTS)], "bias": [0.0], "out": [0.0]}, "reader": r.arrays()}
            for r in readers
        ]
        read = title_reader_logits(tokens, fit.merged(members)["reader"])
        assert np.allclose(read, trained, atol=1e-4) and np.ptp(read) > 1e-3
        # The first tokens only: the 70-token title reads as its first READER_TOKENS.
        cut = [*tokens[:4], tuple(part[:READER_TOKENS] for part in tokens[4])]
        assert title_reader_logits(cut, fit.merged(members)["reader"]) == read

    def test_the_shipped_fusion_reads_the_titles_and_needs_them(self):
        reader = self.scorer.fusion["reader"]
        assert reader["proj"].shape[0] == 5  # one reader per seed
        row = self.scorer.features(KETTLE_ZH, [KETTLE_FR])
        with self.assertRaisesMessage(ValueError, "pass their tokens"):
            fused_scores(row, [KETTLE_FR], self.scorer.fusion)
        tokens = self.scorer.title_tokens([KETTLE_ZH, KETTLE_FR])
        reading = title_reader_logits(tokens, reader)[0]
        assert reading != 0.0
        expected = [fused_score(row[0], self.scorer.fusion, reading)]
        assert fused_scores(row, [KETTLE_FR], self.scorer.fusion, tokens) == expected

    def test_a_reader_that_is_not_the_fitted_one_is_refused(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "e5_reader.npz"
            path.write_bytes(READER_PATH.read_bytes())
            assert load_reader(path, hashlib.sha1(path.read_bytes()).hexdigest())["proj"].shape[0] == 5
            np.savez_compressed(path, proj=np.zeros((1, 2, 385)))
            with self.assertRaisesMessage(ScoringError, "not the title reader the e5 fusion was fitted with"):
                load_reader(path, self.scorer.fusion["version"])
            path.unlink()
            with self.assertRaisesMessage(ScoringError, "is missing"):
                load_reader(path, "")

    def test_a_sibling_in_the_same_language_lowers_the_score_of_a_look_alike(self):
        alone = self.scorer.score(KETTLE_ZH, [KETTLE_FR])[0]
        # A second French listing that says the same in other words: at most one of the two can be the product.
        # (A "Pro" sibling no longer competes: the title reader tells "Pro" apart.)
        twin = "Bouilloire électrique intelligente 1,7 L avec 4 réglages de température"
        beside = self.scorer.score(KETTLE_ZH, [KETTLE_FR, twin])
        assert beside[0] < alone and beside[0] + beside[1] < 1.0

    def test_a_long_title_is_cut_between_words(self):
        title = (
            "Trovik SolarGuard S4 Solar Security Camera Wireless Outdoors, 2 Cam Kit, 2K WiFi Battery Camera with "
            "Solar Panel, PIR Motion Detection, Colour Night Vision, IP65"
        )
        assert len(title) == 161 and title_of(title).endswith("Vision,") and "IP6" not in title_of(title)
        assert len(title_of("监控摄像头" * 40)) == 160  # no spaces to cut at in Chinese

    def test_the_materials_of_descriptions_are_no_contradiction(self):
        # A description names the material of every part, and of the packaging.
        washer = "Stromfeld HD 160 Plus Hochdruckreiniger 2500 W\n\nPumpe aus Aluminium."
        same = "Stromfeld HD 160 Plus Pressure Washer, 2500W\n\n10 m steel braided hose."
        row = dict(zip(FUSION_FEATURES, self.scorer.features(washer, [same])[0], strict=True))
        assert row["text_attribute_conflict"] == 0

    def test_it_splits_a_whole_text_into_lines_sentences_and_bullets(self):
        page = (
            "Robot FP-640 – 3,2 L. Gris\n▶ 1000W大功率纯铜电机，2档调速。3.2L大容量主碗\n"
            "Bowl: 3.2 L. Dishwasher safe. - Two speeds\nMotor"
        )
        assert segments(page) == [
            "Robot FP-640 – 3,2 L. Gris",  # the title whole
            "1000W大功率纯铜电机，2档调速。", "3.2L大容量主碗", "Bowl: 3.2 L.", "Dishwasher safe.", "Two speeds",
        ]
        assert segments("Kettle") == ["Kettle"]  # a title alone: one segment
        # A catalog SKU's text: the brand's own line and the attributes are no segments.
        sku = "Aquora\n智能恒温电热水壶，1.7L大容量\n容量: 1.7L; 功率: 2200W\n304不锈钢内胆，无异味。一键保温，四档温度。"
        assert segments(sku) == ["智能恒温电热水壶，1.7L大容量", "304不锈钢内胆，无异味。", "一键保温，四档温度。"]
        assert segments("Aquora\nKettle 1.7 L") == ["Kettle 1.7 L"]
        assert segments("Aquora Kettle\nSpecs: white")[0] == "Aquora Kettle"  # a title, not a brand
        # The title of such a text is the brand with the title under it, not the brand alone.
        assert title_of(sku) == "Aquora 智能恒温电热水壶，1.7L大容量"
        assert title_of("Aquora Kettle\nSpecs: white") == "Aquora Kettle"
        vectors = self.scorer.embed(["1.7L Capacity", "Smart Kettle", "4 presets"])
        align, worst, worst2 = segment_alignment(vectors[:2], vectors[:2])
        assert abs(align - 1.0) < 1e-5 and abs(worst - 1.0) < 1e-5 and abs(worst2 - 1.0) < 1e-5
        align, worst, worst2 = segment_alignment(vectors[:1], vectors)  # "1.7L Capacity" is in both
        assert abs(worst - 1.0) < 1e-5 and align < 1.0

    def test_a_line_that_no_listing_of_the_product_says_lowers_the_segment_match(self):
        # The sibling's title and first line are the same product's; its last line is
        # not. The whole texts' cosines cannot tell (the sibling's is even higher).
        page = (
            "Verano Rauchmelder RM-20 mit 10-Jahres-Batterie\n"
            "Fest eingebaute Lithiumbatterie mit 10 Jahren Laufzeit.\n"
            "Lauter Alarm mit 85 dB und Stummschaltung per Knopfdruck.\n"
            "Testknopf und Montagematerial für die Decke.\n"
            "Geprüft nach EN 14604."
        )
        same = (
            "Verano RM-20 Smoke Alarm, 10-Year Battery\nSealed lithium battery lasts ten years.\n"
            "85 dB siren with a hush button."
        )
        sibling = (
            "Verano RM-20 Smoke Alarm, 10-Year Battery\nSealed lithium battery lasts ten years.\n"
            "Family pack: three alarms in one box."
        )
        rows = [dict(zip(FUSION_FEATURES, row, strict=True)) for row in self.scorer.features(page, [same, sibling])]
        assert rows[0]["segment_min"] > rows[1]["segment_min"] + 0.02
        assert rows[0]["segment_worst2"] > rows[1]["segment_worst2"]
        assert rows[0]["segment_align"] > rows[1]["segment_align"]
        same_score, sibling_score = self.scorer.score(page, [same, sibling])
        assert same_score > sibling_score


class E5ScoreGroupsTestCase(SimpleTestCase):
    def test_it_scores_a_chunk_as_score_would_in_one_engine_call(self):
        groups = [(KETTLE_FR, [KETTLE_ZH, KETTLE_15, SCALE]), (SCALE, [KETTLE_FR, "Küchenwaage, 0,1 g Genauigkeit"])]
        reference = E5Scorer()
        scorer = E5Scorer()
        scorer._model = reference._model = reference._load()
        with patch.object(scorer._model, "encode", wraps=scorer._model.encode) as encode:
            grouped = scorer.score_groups(groups)
        assert encode.call_count == 1
        # In bfloat16 a text's vector moves by ~1e-5 in cosine with the batch it is
        # embedded in (products round by batch shape), and a fused score, which reads
        # cosines relative to the list's spread, by up to ~1e-3: far less than any
        # threshold could notice.
        expected = [reference.score(query, documents) for query, documents in groups]
        assert [len(g) for g in grouped] == [len(e) for e in expected]
        np.testing.assert_allclose(np.concatenate(grouped), np.concatenate(expected), atol=5e-3)
