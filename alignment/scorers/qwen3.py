"""Qwen3-Reranker through transformers, in the model's official format.

The reranker is a causal LM asked a yes/no question: a fixed system prefix,
the body ``<Instruct>: …\\n<Query>: …\\n<Document>: …`` and a fixed assistant
suffix with an empty think block. The score is P("yes") from the softmax over
the "no" and "yes" logits at the last position. Only the body is ever
truncated, so every input ends with the suffix the model was trained to answer.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings

from alignment.scorers.base import Scorer, ScoringError

logger = logging.getLogger(__name__)

PREFIX = (
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and "
    'the Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n'
)
SUFFIX = "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
# The model card's default when no instruction is given.
FALLBACK_INSTRUCTION = "Given a web search query, retrieve relevant passages that answer the query"


def format_body(instruction: str, query: str, document: str) -> str:
    return f"<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}"


class Qwen3Scorer(Scorer):
    """Qwen3-Reranker (0.6B in production) on CUDA in bf16 (fp16 without bf16), or CPU in float32.

    ``model`` is a local directory or a hub id (default: ALIGNMENT_QWEN3_MODEL).
    ``batch_tokens`` bounds a batch by padded tokens (rows x longest row), so a
    batch of long documents is small and a batch of titles is large. Default:
    65,536 on CUDA (measured on an H200: 803 pairs/s at 190 tokens per pair
    against 678 with 16,384; larger budgets gained nothing), 16,384 on CPU.
    ``compile`` runs the model through ``torch.compile`` (dynamic shapes, so new
    batch shapes do not recompile). The default (ALIGNMENT_QWEN3_COMPILE, "auto")
    compiles on CUDA only: there it fuses the many small element-wise kernels of
    the eager model (RMSNorm, rotary embeddings), about 2x the pairs per second
    (H100, random 0.6B, 189 tokens per pair: 1,231 against 594), for a one-off
    compile on the first batch (136 s there), which a worker process pays at its
    start (alignment.tasks.warm_up_scorer), not in its first chunk. If compiling
    fails on a machine, the scorer logs it and goes on eagerly.
    The model loads on the first ``score`` call: in a Celery worker that is after
    the fork, in the process that uses it.
    """

    name = "qwen3"
    uses_instruction = True
    requires = ("torch", "transformers")

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        max_length: int = 8192,
        batch_tokens: int | None = None,
        compile: bool | None = None,
    ) -> None:
        self.model_path = str(model or settings.ALIGNMENT_QWEN3_MODEL)
        self.device_name = device or getattr(settings, "ALIGNMENT_QWEN3_DEVICE", None)
        self.max_length = max_length
        self.batch_tokens = batch_tokens
        self.compile = compile if compile is not None else getattr(settings, "ALIGNMENT_QWEN3_COMPILE", None)
        self.model_revision = self.model_path
        self._model: Any = None
        self._compiled: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._model is not None:
            return
        # torch and transformers take seconds and hundreds of MB to import: only
        # the process that scores pays for them, never the web process or an import.
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = torch.device(self.device_name or ("cuda" if torch.cuda.is_available() else "cpu"))
        if device.type == "cuda":
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        else:
            dtype = torch.float32
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.model_path, padding_side="left")
            model = AutoModelForCausalLM.from_pretrained(self.model_path, dtype=dtype)
        except (OSError, ValueError) as exc:
            # No local copy and no hub (offline, or no network): retrying will not help.
            offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
            raise ScoringError(
                f"Cannot load the Qwen3 reranker from {self.model_path!r}"
                f"{' (HF_HUB_OFFLINE is set)' if offline else ''}: {str(exc).strip().rstrip('.')}. Download it, or set "
                "ALIGNMENT_QWEN3_MODEL to a local directory holding the model.",
                permanent=True,
            ) from exc
        self.yes_id = self._single_token(tokenizer, "yes")
        self.no_id = self._single_token(tokenizer, "no")
        self.prefix_ids = tokenizer.encode(PREFIX, add_special_tokens=False)
        self.suffix_ids = tokenizer.encode(SUFFIX, add_special_tokens=False)
        if self.max_length <= len(self.prefix_ids) + len(self.suffix_ids):
            raise ScoringError(f"max_length {self.max_length} leaves no room for the document", permanent=True)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id or 0
        self.device = device
        self._tokenizer = tokenizer
        self._model = model.to(device).eval()
        if self.batch_tokens is None:
            self.batch_tokens = 65_536 if device.type == "cuda" else 16_384
        if self.compile or (self.compile is None and device.type == "cuda"):
            self._compiled = torch.compile(self._model, dynamic=True)

    @staticmethod
    def _single_token(tokenizer: Any, word: str) -> int:
        ids = tokenizer.encode(word, add_special_tokens=False)
        if len(ids) != 1:
            raise ScoringError(f"The tokenizer splits {word!r} into {len(ids)} tokens: not a yes/no reranker", permanent=True)
        return ids[0]

    def build_inputs(self, query: str, documents: list[str], instruction: str) -> list[list[int]]:
        """Token ids for each pair: prefix + body (truncated to fit) + suffix."""
        self._load()
        room = self.max_length - len(self.prefix_ids) - len(self.suffix_ids)
        bodies = [format_body(instruction or FALLBACK_INSTRUCTION, query, d) for d in documents]
        encoded = self._tokenizer(bodies, add_special_tokens=False, truncation=True, max_length=room)["input_ids"]
        return [self.prefix_ids + ids + self.suffix_ids for ids in encoded]

    def batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices grouped by length (shortest first), each group within ``batch_tokens`` padded tokens."""
        self._load()  # the default budget depends on the device
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        groups: list[list[int]] = []
        current: list[int] = []
        for i in order:
            # Sorted ascending, so lengths[i] is the longest row if i joins.
            if current and (len(current) + 1) * lengths[i] > self.batch_tokens:
                groups.append(current)
                current = []
            current.append(i)
        if current:
            groups.append(current)
        return groups

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        if not documents:
            return []
        return self._score_inputs(self.build_inputs(query, documents, instruction))

    def score_groups(self, groups: list[tuple[str, list[str]]], instruction: str = "") -> list[list[float]]:
        """All the groups' pairs in shared length-sorted batches; split back per query."""
        inputs = [ids for query, documents in groups if documents for ids in self.build_inputs(query, documents, instruction)]
        flat = iter(self._score_inputs(inputs) if inputs else [])
        return [[next(flat) for _ in documents] for _, documents in groups]

    def _score_inputs(self, inputs: list[list[int]]) -> list[float]:
        scores = [0.0] * len(inputs)
        for group in self.batches([len(ids) for ids in inputs]):
            for i, p in zip(group, self._score_batch([inputs[i] for i in group]), strict=True):
                scores[i] = p
        return scores

    def _score_batch(self, rows: list[list[int]]) -> list[float]:
        import torch

        if self._compiled is not None and len(rows) == 1:
            # torch.compile specialises a dimension of size 1, so a lone pair would
            # cost a second compile of minutes (measured: 95 s on 2 CPU cores after
            # a 162 s first one). The same row twice keeps the dynamic graph.
            return self._score_batch(rows * 2)[:1]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for n, row in enumerate(rows):  # left padding: every row's last token is at -1
            ids[n, width - len(row) :] = torch.tensor(row, dtype=torch.long)
            mask[n, width - len(row) :] = 1
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
        try:
            with torch.inference_mode():
                logits = self._forward(
                    input_ids=ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    position_ids=positions.to(self.device),
                    use_cache=False,
                    logits_to_keep=1,
                ).logits[:, -1, :]
        except torch.cuda.OutOfMemoryError as exc:
            raise ScoringError(f"Out of GPU memory on a batch of {len(rows)}x{width} tokens") from exc
        pair = torch.stack([logits[:, self.no_id], logits[:, self.yes_id]], dim=1).float()
        return torch.log_softmax(pair, dim=1)[:, 1].exp().tolist()

    def _forward(self, **inputs: Any) -> Any:
        import torch

        if self._compiled is not None:
            try:
                return self._compiled(**inputs)
            except torch.cuda.OutOfMemoryError:
                raise
            except Exception:  # noqa: BLE001 - any compiler failure (inductor, triton, a C compiler missing)
                # The eager model computes the same scores, only slower: never fail a batch for speed.
                logger.exception("torch.compile failed for the Qwen3 reranker; scoring with the eager model")
                self._compiled = None
        return self._model(**inputs)

    @property
    def compiled(self) -> bool:
        return self._compiled is not None

    def unload(self) -> None:
        """Drop the model (tests, or a worker giving back memory)."""
        self._model = self._compiled = self._tokenizer = None

    @property
    def loaded(self) -> bool:
        return self._model is not None
