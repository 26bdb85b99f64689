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
from django.db.models import Count

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


def labelled_queries(category: Category | None, *, max_pairs: int, seed: int = 0) -> tuple[list[Query], int]:
    """A deterministic sample of labelled queries (at most ``max_pairs`` pairs in all),
    and about how many labelled pairs the scope holds (product_ref negatives counted
    as NEGATIVES_PER_QUERY per group). Reads ids first and loads only the sample, so
    the cost does not grow with the catalog."""
    rng = random.Random(seed)
    tree = category.tree_ids() if category else None
    decided = Match.objects.filter(status__in=(Match.Status.CONFIRMED, Match.Status.REJECTED))
    if tree is not None:
        decided = decided.filter(sku_a__category_id__in=tree)
    decided_rows = list(decided.order_by("pk").values_list("sku_a_id", "sku_b_id", "status"))
    reviewed_pairs = {(a, b) for a, b, _ in decided_rows}
    decided_rows = rng.sample(decided_rows, min(len(decided_rows), max_pairs))

    # Ground truth from the import: product_ref groups in two languages or more.
    in_scope = SKU.objects.exclude(product_ref="")
    if tree is not None:
        in_scope = in_scope.filter(category_id__in=tree)
    groups = dict(
        in_scope.values("product_ref")
        .annotate(languages=Count("language", distinct=True), size=Count("pk"))
        .filter(languages__gte=2)
        .values_list("product_ref", "size")
    )
    refs = sorted(groups)
    labelled = len(reviewed_pairs) + sum(size - 1 + NEGATIVES_PER_QUERY for size in groups.values())
    refs = rng.sample(refs, min(len(refs), max_pairs))
    members: dict[str, list[SKU]] = defaultdict(list)
    for sku in in_scope.filter(product_ref__in=refs).select_related("category").order_by("pk"):
        members[sku.product_ref].append(sku)
    # Negatives: other-language SKUs of the same root category tree, another product_ref.
    pool = SKU.objects.exclude(product_ref="")
    if category is not None:
        pool = pool.filter(category_id__in=category.root().tree_ids())
    pool_rows = list(pool.order_by("pk").values_list("pk", "language", "product_ref"))

    plan: list[tuple[int, list[int], list[bool]]] = []
    for a, b, status in decided_rows:
        plan.append((a, [b], [status == Match.Status.CONFIRMED]))
    for ref in refs:
        group = members[ref]
        anchor = group[0]
        candidates = [s.pk for s in group if s.language != anchor.language]
        negatives: set[int] = set()
        for _ in range(NEGATIVES_PER_QUERY * 10):
            if len(negatives) == NEGATIVES_PER_QUERY or not pool_rows:
                break
            pk, language, other_ref = pool_rows[rng.randrange(len(pool_rows))]
            if language != anchor.language and other_ref != ref:
                negatives.add(pk)
        candidates += sorted(negatives)
        candidates = [pk for pk in candidates if Match.ordered(anchor.pk, pk) not in reviewed_pairs]
        plan.append((anchor.pk, candidates, [pk not in negatives for pk in candidates]))
    rng.shuffle(plan)

    chosen: list[tuple[int, list[int], list[bool]]] = []
    budget = max_pairs
    for anchor_pk, candidates, labels in plan:
        if budget <= 0:
            break
        if candidates:
            chosen.append((anchor_pk, candidates[:budget], labels[:budget]))
            budget -= len(chosen[-1][1])
    needed = {pk for anchor_pk, candidates, _ in chosen for pk in (anchor_pk, *candidates)}
    skus = SKU.objects.select_related("category").in_bulk(needed)
    queries = [Query(skus[a], [skus[pk] for pk in candidates], labels) for a, candidates, labels in chosen]
    return queries, labelled


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
    if not scorer.uses_instruction:
        # The text cannot change this scorer's scores. Scoring a pair alone would only drop
        # the rivals the pipeline scored it among, and count that as moves.
        result.moves = {}
        return
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
