"""Measure a scorer on a labelled set of queries and candidates (``manage.py evaluate``).

One JSON object per line::

    {"id": "...", "category": "Home > Kitchen", "query": {"lang": "zh", "text": "..."},
     "candidates": [{"lang": "en", "text": "...", "match": true}, ...]}

Ranking metrics (Top-1, Top-3, MRR) count queries that have at least one match.
Pair metrics use calibrated probabilities against the auto-merge and review
thresholds, exactly as routing would.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from alignment.calibration import to_probabilities
from alignment.scorers.base import Scorer


@dataclass(frozen=True)
class Candidate:
    lang: str
    text: str
    match: bool


@dataclass(frozen=True)
class Example:
    id: str
    category: str
    lang: str
    text: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class BadLine:
    number: int
    error: str


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value


def parse_example(raw: str) -> Example:
    """One line as an Example; ValueError says what is wrong with it."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    query = data.get("query")
    if not isinstance(query, dict):
        raise ValueError('"query" must be an object with "lang" and "text"')
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        raise ValueError('"candidates" must be a non-empty list')
    parsed = []
    for i, candidate in enumerate(candidates):
        if not isinstance(candidate, dict):
            raise ValueError(f"candidate {i} is not an object")
        if not isinstance(candidate.get("match"), bool):
            raise ValueError(f'candidate {i} needs "match": true or false')
        parsed.append(
            Candidate(
                lang=str(candidate.get("lang") or ""),
                text=_text(candidate.get("text"), f"candidate {i} text"),
                match=candidate["match"],
            )
        )
    return Example(
        id=str(data.get("id", "")),
        category=str(data.get("category") or ""),
        lang=str(query.get("lang") or ""),
        text=_text(query.get("text"), "query text"),
        candidates=tuple(parsed),
    )


def read_examples(lines: Iterable[str]) -> Iterator[Example | BadLine]:
    """Examples in order, with a BadLine (1-based line number) for each line that is not one."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield parse_example(raw)
        except ValueError as exc:
            yield BadLine(number, str(exc))


@dataclass
class ScoredExample:
    example: Example
    probabilities: list[float]
    raw_scores: list[float]
    seconds: float


def score_examples(
    scorer: Scorer, examples: Iterable[Example], *, instruction: str, calibrate: bool = True
) -> list[ScoredExample]:
    """Score every example's candidates against its query, timing each query."""
    scored = []
    for example in examples:
        documents = [c.text for c in example.candidates]
        start = time.perf_counter()
        raw = scorer.score(example.text, documents, instruction)
        probabilities = list(raw)
        if calibrate:
            by_pair: dict[tuple[str, str] | None, list[int]] = {}
            for i, candidate in enumerate(example.candidates):
                pair = (example.lang, candidate.lang) if example.lang and candidate.lang else None
                by_pair.setdefault(pair, []).append(i)
            for pair, indices in by_pair.items():
                calibrated = to_probabilities(scorer, [raw[i] for i in indices], language_pair=pair)
                for i, p in zip(indices, calibrated, strict=True):
                    probabilities[i] = p
        scored.append(ScoredExample(example, probabilities, list(raw), time.perf_counter() - start))
    return scored


def _ranking(scored: list[ScoredExample]) -> dict[str, float]:
    ranked = [s for s in scored if any(c.match for c in s.example.candidates)]
    top1 = top3 = reciprocal = 0.0
    for s in ranked:
        # Ties are broken against the match: a scorer that cannot separate gets no credit.
        order = sorted(
            range(len(s.raw_scores)), key=lambda i: (-s.raw_scores[i], s.example.candidates[i].match)
        )
        first = next(rank for rank, i in enumerate(order, start=1) if s.example.candidates[i].match)
        top1 += first == 1
        top3 += first <= 3
        reciprocal += 1 / first
    n = len(ranked) or 1
    return {"top1": top1 / n, "top3": top3 / n, "mrr": reciprocal / n, "queries": len(ranked)}


def metrics(scored: list[ScoredExample], *, auto: float, review: float) -> dict[str, Any]:
    """Top-1/Top-3/MRR, per query language, pair precision/recall at the thresholds, timing."""
    pairs = [(p, c.match) for s in scored for p, c in zip(s.probabilities, s.example.candidates, strict=True)]
    positives = sum(1 for _, y in pairs if y)

    def precision_recall(threshold: float) -> tuple[float, float, int]:
        chosen = [y for p, y in pairs if p >= threshold]
        hits = sum(chosen)
        precision = hits / len(chosen) if chosen else 1.0
        recall = hits / positives if positives else 0.0
        return precision, recall, len(chosen)

    auto_p, auto_r, auto_n = precision_recall(auto)
    review_p, review_r, review_n = precision_recall(review)
    in_band = sum(1 for p, _ in pairs if review <= p < auto)
    milliseconds = [s.seconds * 1000 for s in scored]
    by_language: dict[str, dict[str, float]] = {}
    for lang in sorted({s.example.lang for s in scored}):
        by_language[lang or "?"] = _ranking([s for s in scored if s.example.lang == lang])
    ranking = _ranking(scored)
    return {
        "n": len(scored),
        "top1": ranking["top1"],
        "top3": ranking["top3"],
        "mrr": ranking["mrr"],
        "auto_precision": auto_p,
        "auto_recall": auto_r,
        "review_precision": review_p,
        "review_recall": review_r,
        "review_share": in_band / len(pairs) if pairs else 0.0,
        "ms_per_query_mean": statistics.fmean(milliseconds) if milliseconds else 0.0,
        "ms_per_query_p95": _percentile(milliseconds, 95),
        "pairs": len(pairs),
        "positive_pairs": positives,
        "auto_merged_pairs": auto_n,
        "review_or_better_pairs": review_n,
        "thresholds": {"auto": auto, "review": review},
        "by_language": by_language,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
