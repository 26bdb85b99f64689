from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

from django.test import SimpleTestCase

from alignment import warmup
from alignment.scorers import ScoringError, load_scorer
from alignment.scorers.qwen3 import PREFIX, SUFFIX, Qwen3Scorer, format_body
from tests.alignment.qwen3_tiny import build_tiny_qwen3

INSTRUCTION = "Judge whether both texts describe the same product"
QUERY = "智能恒温电热水壶，1.7L大容量"
DOCUMENTS = [
    "Bouilloire électrique 1,7 L",
    "Electric kettle 1.7 L, stainless steel, 2200 W, four presets, keep warm for two hours",
    "Power bank 20000 mAh",
]


class Qwen3ScorerTestCase(SimpleTestCase):
    directory: Path

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.directory = Path(tempfile.mkdtemp(prefix="tiny-qwen3-"))
        build_tiny_qwen3(cls.directory)
        cls.scorer = Qwen3Scorer(str(cls.directory), max_length=512, batch_tokens=1000)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.directory, ignore_errors=True)
        super().tearDownClass()

    def reference(self, query: str, document: str, instruction: str) -> float:
        """The model card's formula on one unpadded input, computed independently."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self.directory)
        model = AutoModelForCausalLM.from_pretrained(self.directory, dtype=torch.float32).eval()
        text = PREFIX + format_body(instruction, query, document) + SUFFIX
        ids = torch.tensor([tokenizer.encode(text, add_special_tokens=False)])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, -1]
        yes, no = tokenizer.convert_tokens_to_ids("yes"), tokenizer.convert_tokens_to_ids("no")
        return torch.softmax(torch.stack([logits[no], logits[yes]]).float(), dim=0)[1].item()

    def test_it_loads_lazily_on_first_score(self):
        scorer = Qwen3Scorer(str(self.directory))
        assert not scorer.loaded
        scorer.score(QUERY, DOCUMENTS[:1], INSTRUCTION)
        assert scorer.loaded

    def test_it_matches_the_official_formula(self):
        scores = self.scorer.score(QUERY, DOCUMENTS, INSTRUCTION)
        for document, score in zip(DOCUMENTS, scores, strict=True):
            assert abs(score - self.reference(QUERY, document, INSTRUCTION)) < 1e-5
        assert all(0.0 <= s <= 1.0 for s in scores)

    def test_it_scores_a_pair_the_same_in_a_mixed_batch_and_alone(self):
        batched = self.scorer.score(QUERY, DOCUMENTS, INSTRUCTION)
        inputs = self.scorer.build_inputs(QUERY, DOCUMENTS, INSTRUCTION)
        assert len({len(ids) for ids in inputs}) == 3  # really padded together
        assert len(self.scorer.batches([len(ids) for ids in inputs])) == 1
        for document, score in zip(DOCUMENTS, batched, strict=True):
            assert abs(self.scorer.score(QUERY, [document], INSTRUCTION)[0] - score) < 1e-5

    def test_it_batches_several_queries_together_and_splits_the_scores_back(self):
        other_query = "Bouilloire électrique 1,7 L"
        groups = [(QUERY, DOCUMENTS), (other_query, []), (other_query, DOCUMENTS[1:])]
        scorer = Qwen3Scorer(str(self.directory), max_length=512, batch_tokens=100_000)
        with patch.object(scorer, "_score_batch", wraps=scorer._score_batch) as batch:
            grouped = scorer.score_groups(groups, INSTRUCTION)
        assert batch.call_count == 1  # five pairs of two queries in one forward pass
        assert [len(scores) for scores in grouped] == [3, 0, 2]
        for (query, documents), scores in zip(groups, grouped, strict=True):
            for expected, score in zip(self.scorer.score(query, documents, INSTRUCTION), scores, strict=True):
                assert abs(expected - score) < 1e-5

    def test_it_truncates_the_document_never_the_suffix(self):
        scorer = Qwen3Scorer(str(self.directory), max_length=96)
        long_document = "Electric kettle stainless steel " * 200
        (ids,) = scorer.build_inputs(QUERY, [long_document], INSTRUCTION)
        assert len(ids) == 96
        assert ids[: len(scorer.prefix_ids)] == scorer.prefix_ids
        assert ids[-len(scorer.suffix_ids) :] == scorer.suffix_ids
        assert 0.0 <= scorer.score(QUERY, [long_document], INSTRUCTION)[0] <= 1.0

    def test_it_bounds_batches_by_padded_tokens(self):
        scorer = Qwen3Scorer(str(self.directory), batch_tokens=100)
        assert scorer.batches([40, 10, 30, 20, 60]) == [[1, 3, 2], [0], [4]]

    def test_it_puts_the_instruction_in_the_input_and_the_score(self):
        a = self.scorer.build_inputs(QUERY, DOCUMENTS[:1], INSTRUCTION)
        b = self.scorer.build_inputs(QUERY, DOCUMENTS[:1], "Is it the same brand")
        assert a != b
        assert self.scorer.score(QUERY, DOCUMENTS[:1], INSTRUCTION) != self.scorer.score(
            QUERY, DOCUMENTS[:1], "Is it the same brand"
        )

    def test_it_is_reachable_by_short_name_with_a_model_option(self):
        scorer = load_scorer("qwen3", model=str(self.directory))
        assert isinstance(scorer, Qwen3Scorer)
        assert scorer.uses_instruction

    def test_it_fails_permanently_without_weights_offline(self):
        for model in (str(self.directory / "missing"), "no-such-org/no-such-reranker"):
            with patch("huggingface_hub.constants.HF_HUB_OFFLINE", True):
                try:
                    Qwen3Scorer(model).score(QUERY, DOCUMENTS[:1], INSTRUCTION)
                except ScoringError as exc:
                    assert exc.permanent
                    assert "ALIGNMENT_QWEN3_MODEL" in str(exc)
                else:
                    raise AssertionError(f"{model} loaded")


    # torch.compile: on by default on CUDA only, and a compiler failure never fails a batch.

    def test_it_compiles_only_on_cuda_by_default(self):
        scorer = Qwen3Scorer(str(self.directory), device="cpu")
        scorer.score(QUERY, DOCUMENTS[:1], INSTRUCTION)
        assert scorer.loaded and not scorer.compiled

    def test_the_compile_option_scores_through_a_dynamic_shape_compiled_model(self):
        # A real CPU compile takes minutes: the compiler is stood in for by a wrapper that counts calls.
        scorer = Qwen3Scorer(str(self.directory), device="cpu", compile=True)
        calls = []

        def fake_compile(model, **options):
            calls.append(options)
            return lambda **inputs: calls.append("forward") or model(**inputs)

        with patch("torch.compile", side_effect=fake_compile):
            scorer.score(QUERY, DOCUMENTS, INSTRUCTION)
        assert calls == [{"dynamic": True}, "forward"]
        assert scorer.compiled

    def test_the_compiled_model_never_gets_a_batch_of_one_row(self):
        # One row would be a new specialised graph: minutes of compiling on a worker's first lone pair.
        eager = Qwen3Scorer(str(self.directory), device="cpu", compile=False)
        scorer = Qwen3Scorer(str(self.directory), device="cpu", compile=True)
        rows = []

        def fake_compile(model, **options):
            return lambda **inputs: rows.append(inputs["input_ids"].shape[0]) or model(**inputs)

        with patch("torch.compile", side_effect=fake_compile):
            alone = scorer.score(QUERY, DOCUMENTS[:1], INSTRUCTION)
        assert rows == [2]
        assert abs(alone[0] - eager.score(QUERY, DOCUMENTS[:1], INSTRUCTION)[0]) < 1e-5

    def test_the_warm_up_runs_the_compiled_model_on_padded_batches_of_several_rows(self):
        # What a GPU worker process does when it starts (alignment.tasks.warm_up_scorer).
        scorer = Qwen3Scorer(str(self.directory), device="cpu", compile=True)
        masks = []

        def fake_compile(model, **options):
            return lambda **inputs: masks.append(inputs["attention_mask"]) or model(**inputs)

        with patch("torch.compile", side_effect=fake_compile):
            warmup.warm_up(scorer)
        assert scorer.loaded and scorer.compiled
        assert masks and all(mask.shape[0] > 1 for mask in masks)
        assert any(not mask.all() for mask in masks)  # rows of different lengths, left-padded

    def test_a_compiler_failure_falls_back_to_the_eager_model(self):
        eager = Qwen3Scorer(str(self.directory), device="cpu", compile=False)
        scorer = Qwen3Scorer(str(self.directory), device="cpu", compile=True)

        def broken(*args, **kwargs):
            raise RuntimeError("inductor: no C compiler")

        with patch("torch.compile", return_value=broken), self.assertLogs("alignment.scorers.qwen3", "ERROR"):
            scores = scorer.score(QUERY, DOCUMENTS, INSTRUCTION)
        assert scores == eager.score(QUERY, DOCUMENTS, INSTRUCTION)
        assert not scorer.compiled  # the next batch goes straight to the eager model
