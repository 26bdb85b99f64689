"""Fit the e5 scorer's fusion weights (alignment/scorers/e5_fusion.json) on the dev set.

    .venv/bin/python bench/fit_e5_fusion.py data/devset.jsonl [--check data/devset_extra.jsonl] [--write]
    .venv/bin/python bench/fit_e5_fusion.py data/devset.jsonl --exclude data/devset_extra.jsonl --folds 5 \
        [--dump PAIRS.jsonl]

A logistic regression over the features documented in alignment/scorers/e5.py
(standardised, fixed seed), with a hidden layer of rectified units over the
hand-made ones (``--hidden 0``: the logistic model alone, L2) and the title reader
over the titles' token states (``--reader 0``: none), which --write stores in
alignment/scorers/e5_reader.npz beside the JSON. It first fits on
the queries of half the categories and reports ranking and threshold metrics on
the other half (so what is shipped is not judged on what it was fitted on), then
on every query, which is what --write stores. --check reports the final weights on other files.

--folds K is how a change of features is judged: K folds by category, each
scored by a fusion and a calibration fitted on the other folds only (the
calibration on cross-fitted scores, as the shipped one is), reported for the
catalog queries ("cat-" ids) and the hard ones (the sibling files) apart.
--dump writes each out-of-fold pair with its features, for reading the errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import django
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # the scorer tells languages apart with catalog.languages

from alignment.calibration import MIN_LABELS_PER_PAIR, Label, fit_by_language_pair, pair_key, write_default  # noqa: E402
from alignment.evaluation import Example, read_examples  # noqa: E402
from alignment.scorers.e5 import (  # noqa: E402
    DIFFERENCE_FEATURES,
    DIMENSIONS,
    FUSION_FEATURES,
    HIDDEN_INPUTS,
    FUSION_PATH,
    READER_PATH,
    READER_TOKENS,
    E5Scorer,
    fused_scores,
    list_idf,
    segments,
)

SEED = 20260225
# On standardised features; the set is small. Grouped 5-fold CV on 685 queries (435 hard):
# 1.0 -> 2.0 keeps top1 (0.933) and top3 (1.000), auto precision 0.948 -> 0.951 at recall
# 0.469 -> 0.490 on the hard queries, catalog recall 0.522 -> 0.542 at precision 0.997;
# 3.0 and more raise recall further but drop a query out of the top 3.
L2 = 2.0
# On the embedding differences (difference_*, 384 of them): a far stronger penalty, so that
# they learn a weighting of the dimensions rather than the dev set. Grouped 5-fold CV on 817
# queries, hard precision at 60 % recall: 800 0.942, 2000 0.941, 5000 0.937 (none: 0.931).
DIFFERENCE_L2 = 2000.0
# The hidden layer (``hidden`` in e5_fusion.json, see alignment.scorers.e5.fused_score): rectified
# units over the hand-made features, trained with the logistic part by AdamW in torch. Grouped
# 5-fold CV on 1,717 queries (1,467 hard), the logistic model alone against 32 units trained for
# 15 epochs: hard top1 0.973 -> 0.976, auto precision 0.962 -> 0.966 at recall 0.674 -> 0.671,
# P@R.6 0.969 -> 0.977, AP 0.953 -> 0.960; catalog recall 0.669 -> 0.715 at precision 0.996 ->
# 0.998. Epochs: 8 and 25 measure about the same (hard AP 0.959, 0.961); 60 learns the dev set
# so surely that its scores pile up at 1.0, calibrate into ties and rank the wrong one first
# (hard top1 0.896).
HIDDEN = 32
HIDDEN_DROPOUT = 0.2  # on the units, while training
INPUT_DROPOUT = 0.5  # on the logistic part's inputs, while training: no one difference carries it
WEIGHT_DECAY = 1e-3
DIFFERENCE_PENALTY = 1e-3  # squared weights of the logistic part on the embedding differences
EPOCHS = 15
BATCH = 256
LEARNING_RATE = 3e-3
# Fits from successive seeds whose logits are averaged (shipped as one layer of all their units,
# see merged): one fit's weights depend on its seed, and so do a few pairs either side of a threshold.
# Grouped 5-fold CV on 1,957 queries (1,707 hard), one fit against five: hard top1 0.972 -> 0.975,
# auto precision 0.963 -> 0.965 at recall 0.683 -> 0.672, AP 0.956 -> 0.958; catalog recall 0.687 ->
# 0.698 at precision 1.000.
MEMBERS = 5
# The title reader (alignment.scorers.e5.title_reader_logits), trained with the rest: tokens projected to
# READER_WIDTH dimensions, READER_UNITS rectified units before its logit, dropout on its comparisons.
# Grouped 5-fold CV on 2,902 queries (2,652 hard), one fit each, uncalibrated, two seeds: hard average
# precision 0.974 -> 0.977-0.979, precision at 60 % recall 0.986 -> 0.987-0.988, at 70 % 0.977-0.978 ->
# 0.981-0.983.
READER_WIDTH = 64
READER_UNITS = 8
READER_DROPOUT = 0.1


def load(path: str) -> list[Example]:
    with open(path, encoding="utf-8") as handle:
        return [e for e in read_examples(handle) if isinstance(e, Example)]


CACHE = Path("/tmp/skualign-e5-fusion-cache.npz")
SAVE_EVERY = 60.0  # seconds
# Texts per engine call while warming: the engine sorts a call's texts by length and batches them
# (scored chunks in production are embedded the same way, see E5Scorer.score_groups).
WARM_BATCH = 64


def warm(scorer: E5Scorer, examples: list[Example]) -> None:
    """Embed every text once, keeping the vectors on disk between runs of this script."""
    whole = list(dict.fromkeys(t for e in examples for t in (e.text, *(c.text for c in e.candidates))))
    texts = list(dict.fromkeys(whole + [s for t in whole for s in segments(t)]))
    stored = dict(np.load(CACHE)) if CACHE.exists() else {}
    keys = {t: hashlib.sha1(t.encode()).hexdigest() for t in texts}
    known = [t for t in texts if keys[t] in stored]
    scorer.remember(known, [stored[keys[t]] for t in known])
    # The titles' token states (not stored: about a minute for every title of the dev set), in one call,
    # which batches them by length.
    scorer.title_tokens(whole)
    missing = [t for t in texts if keys[t] not in stored]
    saved = time.monotonic()
    for start in range(0, len(missing), WARM_BATCH):
        chunk = missing[start : start + WARM_BATCH]
        for text, vector in zip(chunk, scorer.embed(chunk), strict=True):
            stored[keys[text]] = vector
        done = start + len(chunk)
        print(f"embedded {done}/{len(missing)}", file=sys.stderr)
        # Writing the whole cache takes longer as it grows: once a minute, not every batch.
        if done == len(missing) or time.monotonic() - saved > SAVE_EVERY:
            np.savez(CACHE, **stored)
            saved = time.monotonic()


def featurise(scorer: E5Scorer, examples: list[Example]) -> list[tuple]:
    """Per query: (features matrix, labels, language pair keys, candidate texts, the titles' tokens: the
    query's and then each candidate's, as ``fused_scores`` takes them)."""
    warm(scorer, examples)
    rows = []
    for e in examples:
        rows.append(
            (
                np.array(scorer.features(e.text, [c.text for c in e.candidates]), dtype=np.float64),
                np.array([c.match for c in e.candidates], dtype=np.float64),
                [pair_key((e.lang, c.lang)) for c in e.candidates],
                [c.text for c in e.candidates],
                scorer.title_tokens([e.text, *(c.text for c in e.candidates)]),
            )
        )
    return rows


class TitlePairs:
    """The two titles of every pair of ``rows`` (in the order of their stacked features) for training the
    title reader: each distinct title's token states once, padded to READER_TOKENS, and per pair the two
    titles' indices and their tokens' ``list_idf`` weights (which depend on the query's list)."""

    def __init__(self, rows: list[tuple]) -> None:
        import torch

        index: dict[int, int] = {}
        titles, first, second, weights_a, weights_b = [], [], [], [], []
        for row in rows:
            tokens = row[4]
            weights = [w[:READER_TOKENS] for w in list_idf([ids for ids, _, _ in tokens])]
            at = []
            for _, states, _ in tokens:
                if id(states) not in index:  # a title's states are one cached array wherever it recurs
                    index[id(states)] = len(titles)
                    titles.append(states[:READER_TOKENS])
                at.append(index[id(states)])
            for j in range(1, len(tokens)):
                first.append(at[0])
                second.append(at[j])
                weights_a.append(weights[0])
                weights_b.append(weights[j])
        width = titles[0].shape[1] if titles else 1
        self.states = torch.zeros((len(titles), READER_TOKENS, width), dtype=torch.float16)
        self.lengths = torch.ones(len(titles), dtype=torch.long)  # a title of no word reads as one empty token
        for i, states in enumerate(titles):
            self.states[i, : len(states)] = torch.from_numpy(np.asarray(states, dtype=np.float16))
            self.lengths[i] = max(len(states), 1)
        self.first, self.second = torch.tensor(first), torch.tensor(second)
        self.weights_a, self.weights_b = (self._padded(w) for w in (weights_a, weights_b))

    @staticmethod
    def _padded(weights: list[np.ndarray]):
        import torch

        out = torch.zeros((len(weights), READER_TOKENS))
        for i, w in enumerate(weights):
            out[i, : len(w)] = torch.from_numpy(np.asarray(w, dtype=np.float32))
        return out

    def batch(self, pairs):
        """The padded states, masks and idf weights of these pairs' two titles, cut to the longest."""
        import torch

        a, b = self.first[pairs], self.second[pairs]
        length = int(max(self.lengths[a].max(), self.lengths[b].max()))
        positions = torch.arange(length)
        return (
            self.states[a, :length].float(), positions[None] < self.lengths[a][:, None], self.weights_a[pairs, :length],
            self.states[b, :length].float(), positions[None] < self.lengths[b][:, None], self.weights_b[pairs, :length],
        )


def title_reader(width: int, units: int):
    """The title reader in torch, as ``alignment.scorers.e5.title_reader_logits`` computes it in numpy."""
    import torch
    from torch import nn

    class TitleReader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(DIMENSIONS + 1, width)
            self.compare = nn.Linear(4 * width + 3, width)
            self.out = nn.Linear(4 * width, units)
            self.head = nn.Linear(units, 1)

        def side(self, a, mask_a, weight_a, b, mask_b, cosines):
            attention = (a @ b.transpose(1, 2) / math.sqrt(width)).masked_fill(~mask_b[:, None, :], -1e4)
            aligned = torch.softmax(attention, dim=-1) @ b
            best = cosines.masked_fill(~mask_b[:, None, :], -2.0).max(dim=-1).values
            scalars = torch.stack([weight_a, best, weight_a * (1 - best)], dim=-1)
            compared = torch.relu(self.compare(torch.cat([a, aligned, a - aligned, a * aligned, scalars], dim=-1)))
            compared = nn.functional.dropout(compared, READER_DROPOUT, self.training)
            # Rectified, so the padding's zeros never exceed a real token's maximum.
            largest = compared.masked_fill(~mask_a[..., None], 0.0).max(dim=1).values
            weight = weight_a * mask_a
            mean = (compared * weight[..., None]).sum(dim=1) / weight.sum(dim=1, keepdim=True).clamp_min(1e-6)
            return largest, mean

        def forward(self, a, mask_a, weight_a, b, mask_b, weight_b):
            cosines = a @ b.transpose(1, 2)
            pa = self.proj(torch.cat([a, weight_a[..., None]], dim=-1))
            pb = self.proj(torch.cat([b, weight_b[..., None]], dim=-1))
            max_a, mean_a = self.side(pa, mask_a, weight_a, pb, mask_b, cosines)
            max_b, mean_b = self.side(pb, mask_b, weight_b, pa, mask_a, cosines.transpose(1, 2))
            pooled = torch.cat(
                [max_a + max_b, torch.maximum(max_a, max_b), mean_a + mean_b, torch.maximum(mean_a, mean_b)], dim=-1
            )
            return self.head(torch.relu(self.out(pooled))).squeeze(-1)

        def arrays(self) -> dict[str, np.ndarray]:
            """The weights as ``title_reader_logits`` reads them, for one fit (M = 1)."""
            def array(tensor):
                return tensor.detach().float().numpy()[None]

            return {
                "proj": array(self.proj.weight), "proj_b": array(self.proj.bias),
                "compare": array(self.compare.weight), "compare_b": array(self.compare.bias),
                "out": array(self.out.weight), "out_b": array(self.out.bias), "head": array(self.head.weight[0]),
            }

    return TitleReader()


@dataclass(frozen=True)
class Fit:
    """How the fusion is fitted: the logistic model alone (``hidden=0``, ridge ``l2``) or with a hidden layer."""

    l2: float = L2
    hidden: int = HIDDEN
    members: int = MEMBERS
    reader: int = READER_WIDTH  # 0: no title reader

    def __call__(self, rows: list[tuple]) -> dict:
        x, y = np.vstack([r[0] for r in rows]), np.concatenate([r[1] for r in rows])
        if not self.hidden:
            return fit_logistic(x, y, l2=self.l2)
        pairs = TitlePairs(rows) if self.reader else None
        return merged(
            [
                fit_hidden(x, y, hidden=self.hidden, seed=SEED + k, pairs=pairs, reader=self.reader)
                for k in range(self.members)
            ]
        )


def merged(fits: list[dict]) -> dict:
    """Fits from several seeds as one: the mean of their logits is a logistic part with the mean
    weights and a hidden layer of all their units, each unit's output weight divided by their number."""
    if len(fits) == 1:
        return fits[0]
    share = 1 / len(fits)
    one = {
        **fits[0],
        "coef": np.mean([f["coef"] for f in fits], axis=0).round(8).tolist(),
        "bias": round(float(np.mean([f["bias"] for f in fits])), 8),
        "hidden": {
            "weight": [row for f in fits for row in f["hidden"]["weight"]],
            "bias": [b for f in fits for b in f["hidden"]["bias"]],
            "out": [round(w * share, 8) for f in fits for w in f["hidden"]["out"]],
        },
    }
    if fits[0].get("reader"):  # the fits' readers stacked, each one's output weight shared as the units'
        one["reader"] = {
            name: np.concatenate([f["reader"][name] for f in fits]) * (share if name == "head" else 1.0)
            for name in fits[0]["reader"]
        }
    return one


def fit_hidden(
    x: np.ndarray, y: np.ndarray, *, hidden: int, seed: int = SEED, pairs: TitlePairs | None = None, reader: int = 0
) -> dict:
    """The logistic part over every feature and ``hidden`` rectified units over HIDDEN_INPUTS, fitted together,
    with a title reader of width ``reader`` over ``pairs`` (the titles of x's rows) where given."""
    import torch

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = torch.tensor((x - mean) / scale, dtype=torch.float32)
    target = torch.tensor(y, dtype=torch.float32)
    inputs = torch.tensor(HIDDEN_INPUTS)
    differences = torch.tensor([name in DIFFERENCE_FEATURES for name in FUSION_FEATURES])
    linear = torch.nn.Linear(z.shape[1], 1)
    layer = torch.nn.Linear(len(HIDDEN_INPUTS), hidden)
    out = torch.nn.Linear(hidden, 1)
    parameters = [*linear.parameters(), *layer.parameters(), *out.parameters()]
    titles = title_reader(reader, READER_UNITS) if reader and pairs is not None else None
    if titles is not None:
        parameters += list(titles.parameters())
    optimiser = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    for _ in range(EPOCHS):
        order = torch.randperm(len(z), generator=generator)
        for start in range(0, len(z), BATCH):
            batch = order[start : start + BATCH]
            zb = z[batch]
            units = torch.nn.functional.dropout(torch.relu(layer(zb[:, inputs])), HIDDEN_DROPOUT)
            logit = (linear(torch.nn.functional.dropout(zb, INPUT_DROPOUT)) + out(units)).squeeze(1)
            if titles is not None:
                logit = logit + titles(*pairs.batch(batch))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, target[batch])
            loss = loss + DIFFERENCE_PENALTY * (linear.weight[0, differences] ** 2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    bias = linear.bias[0] + out.bias[0] + (titles.head.bias[0] if titles is not None else 0.0)
    fitted = {
        "features": list(FUSION_FEATURES),
        "mean": mean.round(8).tolist(),
        "scale": scale.round(8).tolist(),
        "coef": linear.weight[0].detach().double().numpy().round(8).tolist(),
        "bias": round(float(bias.detach()), 8),
        "hidden": {
            "weight": layer.weight.detach().double().numpy().round(8).tolist(),
            "bias": layer.bias.detach().double().numpy().round(8).tolist(),
            "out": out.weight[0].detach().double().numpy().round(8).tolist(),
        },
    }
    if titles is not None:
        fitted["reader"] = titles.arrays()
    return fitted


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float) -> dict:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    penalty = np.array([DIFFERENCE_L2 if name in DIFFERENCE_FEATURES else l2 for name in FUSION_FEATURES])
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(50):  # Newton's method
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g_w = z.T @ (p - y) + penalty * w
        g_b = float(np.sum(p - y))
        s = p * (1 - p)
        h = np.zeros((z.shape[1] + 1, z.shape[1] + 1))
        h[:-1, :-1] = (z * s[:, None]).T @ z + np.diag(penalty)
        h[:-1, -1] = h[-1, :-1] = (z * s[:, None]).sum(axis=0)
        h[-1, -1] = s.sum() + 1e-9
        step = np.linalg.solve(h, np.append(g_w, g_b))
        w -= step[:-1]
        b -= step[-1]
        if np.abs(step).max() < 1e-10:
            break
    return {
        "features": list(FUSION_FEATURES),
        "mean": mean.round(8).tolist(),
        "scale": scale.round(8).tolist(),
        "coef": w.round(8).tolist(),
        "bias": round(float(b), 8),
    }


def report(weights: dict, rows: list, *, calibrations: dict | None = None, auto: float = 0.9, review: float = 0.7) -> dict:
    """Ranking and threshold metrics; probabilities are the fused scores, calibrated when given."""
    top1 = top3 = 0
    probabilities, labels = [], []
    for x, y, pairs, documents, tokens in rows:
        p = fused_scores([list(r) for r in x], documents, weights, tokens)
        if calibrations:
            p = [(calibrations.get(k) or calibrations[""]).mapping.apply([v])[0] for v, k in zip(p, pairs, strict=True)]
        order = sorted(range(len(p)), key=lambda i: (-p[i], y[i]))
        first = next(rank for rank, i in enumerate(order, 1) if y[i])
        top1 += first == 1
        top3 += first <= 3
        probabilities += p
        labels += list(y)
    p, y = np.array(probabilities), np.array(labels)
    chosen = p >= auto
    return {
        "queries": len(rows),
        "top1": round(top1 / len(rows), 4),
        "top3": round(top3 / len(rows), 4),
        "auto_precision": round(float(y[chosen].mean()) if chosen.any() else 1.0, 4),
        "auto_recall": round(float(y[chosen].sum() / y.sum()), 4),
        "review_share": round(float(((p >= review) & (p < auto)).mean()), 4),
        "log_loss": round(float(-np.mean(y * np.log(np.clip(p, 1e-6, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-6, 1)))), 4),
    }


def cross_fitted_labels(rows: list, groups: list[str], *, fit: Fit, report_halves: bool = False) -> list[Label]:
    """Labelled scores that the fusion did not see: each half of the groups scored by weights
    fitted on the other half (optionally reporting each half's metrics)."""
    names = sorted(set(groups))
    random.Random(SEED).shuffle(names)
    half = set(names[: math.ceil(len(names) / 2)])
    labels: list[Label] = []
    for name, train_set in (("A", half), ("B", set(names) - half)):
        train = [r for r, g in zip(rows, groups, strict=True) if g in train_set]
        test = [r for r, g in zip(rows, groups, strict=True) if g not in train_set]
        weights = fit(train)
        if report_halves:
            print(f"fit on categories {name}, checked on the others:", report(weights, test))
        for x, y, pairs, documents, tokens in test:
            scores = fused_scores([list(r) for r in x], documents, weights, tokens)
            labels += [Label(p, bool(label), pair) for p, label, pair in zip(scores, y, pairs, strict=True)]
    return labels


def precision_at_recall(p: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The best precision of any threshold that keeps at least this share of the true pairs."""
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order])
    reached = np.nonzero(hits >= recall * y.sum())[0]
    return float(hits[reached[0]] / (reached[0] + 1)) if len(reached) else 0.0


def cross_validate(
    rows: list, examples: list[Example], *, folds: int, fit: Fit, min_pair_labels: int, dump: str | None
) -> None:
    """K folds by category: fusion and calibration fitted on the other folds, metrics per kind of query."""
    categories = sorted({e.category for e in examples})
    random.Random(SEED).shuffle(categories)
    fold_of = {c: i % folds for i, c in enumerate(categories)}
    scored: list[tuple[Example, np.ndarray, np.ndarray, np.ndarray]] = []  # example, labels, probabilities, features
    for fold in range(folds):
        train = [(r, e) for r, e in zip(rows, examples, strict=True) if fold_of[e.category] != fold]
        weights = fit([r for r, _ in train])
        labels = cross_fitted_labels([r for r, _ in train], [e.category for _, e in train], fit=fit)
        fits = fit_by_language_pair(labels, min_labels=min_pair_labels, seed=SEED)
        for (x, y, pairs, documents, tokens), e in zip(rows, examples, strict=True):
            if fold_of[e.category] == fold:
                raw = fused_scores([list(r) for r in x], documents, weights, tokens)
                p = [(fits.get(k) or fits[""]).mapping.apply([v])[0] for v, k in zip(raw, pairs, strict=True)]
                scored.append((e, y, np.array(p), x))
    kinds = {
        "catalog": [s for s in scored if s[0].id.startswith("cat-")],
        "hard": [s for s in scored if not s[0].id.startswith("cat-")],
        "all": scored,
    }
    print(f"{folds}-fold cross-validation by category, {len(scored)} queries")
    print(
        f"{'queries':<8} {'n':>4} {'top1':>6} {'top3':>6} {'auto P':>7} {'auto R':>7} {'review':>7} "
        f"{'P@R.6':>6} {'P@R.5':>6} {'AP':>6}"
    )
    for name, items in kinds.items():
        if not items:
            continue
        firsts = []
        for _, y, p, _ in items:
            order = sorted(range(len(p)), key=lambda i: (-p[i], y[i]))
            firsts.append(next(rank for rank, i in enumerate(order, 1) if y[i]))
        p = np.concatenate([s[2] for s in items])
        y = np.concatenate([s[1] for s in items])
        auto = p >= 0.9
        order = np.argsort(-p, kind="stable")
        hits = np.cumsum(y[order])
        average_precision = float(np.sum((hits / np.arange(1, len(p) + 1))[y[order] == 1]) / y.sum())
        print(
            f"{name:<8} {len(items):>4} {np.mean([f == 1 for f in firsts]):>6.3f} "
            f"{np.mean([f <= 3 for f in firsts]):>6.3f} "
            f"{y[auto].mean() if auto.any() else 1.0:>7.3f} {y[auto].sum() / y.sum():>7.3f} "
            f"{((p >= 0.7) & ~auto).mean():>7.3f} {precision_at_recall(p, y, 0.6):>6.3f} "
            f"{precision_at_recall(p, y, 0.5):>6.3f} {average_precision:>6.3f}"
        )
    if dump:
        with open(dump, "w", encoding="utf-8") as handle:
            for e, y, p, x in scored:
                for candidate, label, probability, features in zip(e.candidates, y, p, x, strict=True):
                    record = {
                        "id": e.id, "category": e.category, "query": e.text, "document": candidate.text,
                        "match": bool(label), "probability": round(float(probability), 4),
                        "features": {
                            n: round(float(v), 4)
                            for n, v in zip(FUSION_FEATURES, features, strict=True)
                            if v and n not in DIFFERENCE_FEATURES
                        },
                    }
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"wrote {dump}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("devset")
    parser.add_argument("--check", action="append", default=[])
    parser.add_argument("--exclude", action="append", default=[], help="leave out queries whose id is in this file")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--min-pair-labels", type=int, default=MIN_LABELS_PER_PAIR)
    parser.add_argument("--l2", type=float, default=L2, help="with --hidden 0: ridge penalty on standardised features")
    parser.add_argument(
        "--hidden", type=int, default=HIDDEN, help="units of the hidden layer; 0: the logistic model alone"
    )
    parser.add_argument("--members", type=int, default=MEMBERS, help="with a hidden layer: fits from this many seeds")
    parser.add_argument(
        "--reader", type=int, default=READER_WIDTH, help="with a hidden layer: the title reader's width; 0: none"
    )
    parser.add_argument(
        "--folds", type=int, default=0, help="cross-validate with this many folds by category, write nothing"
    )
    parser.add_argument("--dump", help="with --folds: write the out-of-fold pairs to this JSON lines file")
    args = parser.parse_args()

    # Every text of the dev set, and every title's tokens, stay in memory.
    scorer = E5Scorer(fusion=False, cache_size=1_000_000, token_cache_size=1_000_000)
    excluded = {e.id for path in args.exclude for e in load(path)}
    examples = [e for e in load(args.devset) if e.id not in excluded]
    rows = featurise(scorer, examples)
    fit = Fit(l2=args.l2, hidden=args.hidden, members=args.members, reader=args.reader)
    if args.folds:
        cross_validate(
            rows, examples, folds=args.folds, fit=fit, min_pair_labels=args.min_pair_labels, dump=args.dump
        )
        return
    # Cross-fitting: each half's scores come from weights fitted on the other half;
    # the shipped calibration is fitted on these out-of-fold scores, so it is not
    # flattered by the fusion having seen the pairs.
    out_of_fold = cross_fitted_labels(rows, [e.category for e in examples], fit=fit, report_halves=True)
    weights = fit(rows)
    # The features and the weights are part of the version: a stored calibration of other
    # features must not apply, and a refit on as many features (their meaning changed) must
    # not pass for the old one.
    fitted = [weights["coef"], weights["bias"], weights.get("hidden")]
    digest = hashlib.sha1(json.dumps(fitted).encode())
    for name, array in sorted((weights.get("reader") or {}).items()):
        digest.update(name.encode() + array.tobytes())
    digest = digest.hexdigest()[:7]
    weights["version"] = f"{Path(args.devset).stem}-{len(examples)}q-{len(FUSION_FEATURES)}f-{digest}"
    weights["fitted_on"] = Path(args.devset).name
    weights["seed"] = SEED
    if fit.hidden:
        weights["hidden_units"] = len(weights["hidden"]["out"])
        weights["members"] = fit.members
    else:
        weights["l2"] = args.l2
        weights["difference_l2"] = DIFFERENCE_L2
    print("fit on all, in-sample:", report(weights, rows))
    print({n: c for n, c in zip(FUSION_FEATURES, weights["coef"], strict=True) if n not in DIFFERENCE_FEATURES})
    fits = fit_by_language_pair(out_of_fold, min_labels=args.min_pair_labels, seed=SEED)
    for key, result in fits.items():
        print(f"calibration {key or 'all pairs'}: {result.mapping.method}, {result.label_count} labels, "
              f"held-out ECE {result.ece:.4f}, log loss {result.log_loss:.4f}")
    calibrated = np.array([(fits.get(lb.language_pair) or fits[""]).mapping.apply([lb.raw_score])[0] for lb in out_of_fold])
    truth = np.array([lb.match for lb in out_of_fold])
    auto = calibrated >= 0.9
    print(
        "out-of-fold, calibrated:",
        {
            "auto_precision": round(float(truth[auto].mean()), 4),
            "auto_recall": round(float(truth[auto].sum() / truth.sum()), 4),
            "review_share": round(float(((calibrated >= 0.7) & ~auto).mean()), 4),
        },
    )
    for path in args.check:
        print(f"check {path}:", report(weights, featurise(scorer, load(path)), calibrations=fits))
    if args.write:
        stored = dict(weights)
        if weights.get("reader"):
            np.savez_compressed(READER_PATH, **weights["reader"])
            stored["reader"] = {
                "file": READER_PATH.name, "sha1": hashlib.sha1(READER_PATH.read_bytes()).hexdigest(),
                "width": fit.reader, "units": READER_UNITS, "members": fit.members,
            }
            print(f"wrote {READER_PATH}")
        else:
            READER_PATH.unlink(missing_ok=True)
        FUSION_PATH.write_text(json.dumps(stored, indent=1) + "\n")
        print(f"wrote {FUSION_PATH}")
        path = write_default(E5Scorer(), fits, source=f"{Path(args.devset).name} (out-of-fold fused scores)")
        print(f"wrote {path}")

if __name__ == "__main__":
    main()
