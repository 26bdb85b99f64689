"""Backtest an instruction before publishing it: score the category's labelled pairs
with a draft and with the current version, and count how open pairs would move.

Labelled pairs are the reviewers' decisions (confirmed = same product, rejected =
different) and the import's ground truth: SKUs sharing a ``product_ref`` are the
same product; other-language SKUs of the same category tree with another
``product_ref`` are different products. The work is bounded by
ALIGNMENT_BACKTEST_MAX_PAIRS (a deterministic sample), so it runs inside a request.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from alignment import calibration
from alignment.models import Match
from alignment.rescoring import OPEN_STATUSES, band
from alignment.scorers import Scorer, get_scorer
from alignment.thresholds import thresholds_for
from catalog.models import SKU, Category

NEGATIVES_PER_QUERY = 4


@dataclass
class Query:
    """One SKU and the candidates it is scored against, each labelled."""

    sku: SKU
    candidates: list[SKU]
    labels: list[bool]


@dataclass
class Metrics:
    pairs: int = 0
    positives: int = 0
    ranked_queries: int = 0
    top1: float | None = None
    auto_precision: float | None = None
    auto_recall: float | None = None
    review_precision: float | None = None
    review_recall: float | None = None


@dataclass
class Backtest:
    scorer: str
    uses_instruction: bool
    auto: float
    review: float
    labelled_pairs: int
    sampled_pairs: int
    current: Metrics
    # None when the scorer ignores instructions: the draft would score the same.
    draft: Metrics | None
    open_total: int = 0
    open_sampled: int = 0
    # (from band, to band) -> number of sampled open pairs, for pairs that move.
    moves: dict[tuple[str, str], int] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def moved(self) -> int:
        return sum(self.moves.values())


def run_backtest(
    category: Category | None,
    *,
    draft: str,
    current: str,
    max_pairs: int | None = None,
    seed: int = 0,
    scorer: Scorer | None = None,
) -> Backtest:
    """Compare ``draft`` with ``current`` (instruction texts) on the scope's labelled pairs."""
    started = time.perf_counter()
    scorer = scorer or get_scorer()
    max_pairs = max_pairs or settings.ALIGNMENT_BACKTEST_MAX_PAIRS
    auto, review = thresholds_for(category)
    queries, labelled = labelled_queries(category, max_pairs=max_pairs, seed=seed)
    current_scores = _score_queries(scorer, queries, current)
    result = Backtest(
        scorer=scorer.name,
        uses_instruction=scorer.uses_instruction,
        auto=auto,
        review=review,
        labelled_pairs=labelled,
        sampled_pairs=sum(len(q.candidates) for q in queries),
        current=measure(queries, current_scores, auto=auto, review=review),
        draft=None,
    )
    if scorer.uses_instruction:
        result.draft = measure(queries, _score_queries(scorer, queries, draft), auto=auto, review=review)
    _count_moves(result, category, scorer=scorer, instruction=draft, max_pairs=max(1, max_pairs // 2), seed=seed)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def scope_skus(category: Category | None) -> QuerySet[SKU]:
    skus = SKU.objects.select_related("category")
    return skus.filter(category_id__in=category.tree_ids()) if category else skus


def labelled_queries(category: Category | None, *, max_pairs: int, seed: int = 0) -> tuple[list[Query], int]:
    """A deterministic sample of labelled queries (at most ``max_pairs`` pairs in all),
    and how many labelled pairs the scope holds before sampling (an estimate for
    product_ref negatives: NEGATIVES_PER_QUERY per query)."""
    rng = random.Random(seed)
    queries: list[Query] = []
    # Reviewers' decisions, grouped by the first SKU of each pair.
    decided = Match.objects.filter(status__in=(Match.Status.CONFIRMED, Match.Status.REJECTED)).select_related(
        "sku_a", "sku_b"
    )
    if category is not None:
        decided = decided.filter(sku_a__category_id__in=category.tree_ids())
    by_sku: dict[int, Query] = {}
    for match in decided.order_by("pk"):
        query = by_sku.setdefault(match.sku_a_id, Query(match.sku_a, [], []))
        query.candidates.append(match.sku_b)
        query.labels.append(match.status == Match.Status.CONFIRMED)
    queries.extend(by_sku.values())
    reviewed_pairs = {(m.sku_a_id, m.sku_b_id) for m in decided}

    # Ground truth from the import: product_ref groups, with other-language negatives.
    skus = list(scope_skus(category).exclude(product_ref="").order_by("pk"))
    groups: dict[str, list[SKU]] = defaultdict(list)
    for sku in skus:
        groups[sku.product_ref].append(sku)
    pool_scope = category.root() if category else None
    pool = list(scope_skus(pool_scope).exclude(product_ref="").order_by("pk")) if pool_scope != category else skus
    for ref, members in sorted(groups.items()):
        languages = {s.language for s in members}
        if len(languages) < 2:
            continue
        anchor = members[0]
        positives = [s for s in members if s.language != anchor.language]
        others = [s for s in pool if s.product_ref != ref and s.language != anchor.language]
        negatives = rng.sample(others, min(NEGATIVES_PER_QUERY, len(others)))
        candidates = [s for s in positives + negatives if Match.ordered(anchor.pk, s.pk) not in reviewed_pairs]
        if candidates:
            queries.append(Query(anchor, candidates, [s.product_ref == ref for s in candidates]))
    labelled = sum(len(q.candidates) for q in queries)
    rng.shuffle(queries)
    sample: list[Query] = []
    budget = max_pairs
    for query in queries:
        if budget <= 0:
            break
        query.candidates, query.labels = query.candidates[:budget], query.labels[:budget]
        budget -= len(query.candidates)
        sample.append(query)
    return sample, labelled


def _score_queries(scorer: Scorer, queries: list[Query], instruction: str) -> list[list[float]]:
    scores = []
    for query in queries:
        raw = scorer.score(query.sku.text(), [c.text() for c in query.candidates], instruction)
        scores.append(_calibrate(scorer, query.sku, query.candidates, raw))
    return scores


def _calibrate(scorer: Scorer, sku: SKU, others: list[SKU], raw: list[float]) -> list[float]:
    probabilities = [0.0] * len(raw)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, other in enumerate(others):
        by_language[other.language].append(i)
    for language, indexes in by_language.items():
        values = calibration.to_probabilities(
            scorer, [raw[i] for i in indexes], language_pair=(sku.language, language)
        )
        for i, value in zip(indexes, values):
            probabilities[i] = value
    return probabilities


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def measure(queries: list[Query], scores: list[list[float]], *, auto: float, review: float) -> Metrics:
    """Top-1 over queries with both a match and a non-match; pair precision and recall at both thresholds."""
    metrics = Metrics()
    top1_hits = 0
    counts: Counter[str] = Counter()
    for query, probabilities in zip(queries, scores):
        for label, p in zip(query.labels, probabilities):
            metrics.pairs += 1
            metrics.positives += label
            for name, threshold in (("auto", auto), ("review", review)):
                if p >= threshold:
                    counts[f"{name}_predicted"] += 1
                    counts[f"{name}_correct"] += label
        if any(query.labels) and not all(query.labels):
            metrics.ranked_queries += 1
            best = max(range(len(probabilities)), key=lambda i: probabilities[i])
            top1_hits += query.labels[best]
    metrics.top1 = _ratio(top1_hits, metrics.ranked_queries)
    metrics.auto_precision = _ratio(counts["auto_correct"], counts["auto_predicted"])
    metrics.auto_recall = _ratio(counts["auto_correct"], metrics.positives)
    metrics.review_precision = _ratio(counts["review_correct"], counts["review_predicted"])
    metrics.review_recall = _ratio(counts["review_correct"], metrics.positives)
    return metrics


def _count_moves(
    result: Backtest, category: Category | None, *, scorer: Scorer, instruction: str, max_pairs: int, seed: int
) -> None:
    """Re-score a sample of the scope's open pairs with the draft; count band changes."""
    open_matches = Match.objects.filter(status__in=OPEN_STATUSES)
    if category is not None:
        open_matches = open_matches.filter(sku_a__category_id__in=category.tree_ids())
    result.open_total = open_matches.count()
    ids = list(open_matches.values_list("pk", flat=True))
    ids = sorted(random.Random(seed).sample(ids, min(max_pairs, len(ids))))
    sample = Match.objects.filter(pk__in=ids).select_related("sku_a__category", "sku_b")
    result.open_sampled = len(ids)
    moves: Counter[tuple[str, str]] = Counter()
    for match in sample:
        raw = scorer.score(match.sku_a.text(), [match.sku_b.text()], instruction)
        [p] = _calibrate(scorer, match.sku_a, [match.sku_b], raw)
        auto, review = thresholds_for(match.sku_a.category)
        # Compare bands of the stored and the new probability, so pairs the pipeline
        # holds in review for reasons of its own do not count as moves.
        before, after = band(match.probability, auto=auto, review=review), band(p, auto=auto, review=review)
        if before != after:
            moves[(before, after)] += 1
    result.moves = dict(moves)
