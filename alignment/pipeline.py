"""The alignment workflow: retrieve -> score -> route, over a list of SKU ids.

``align_skus`` is a plain function: the Celery task, the ``align`` command and the
tests all call it. It is idempotent: a pair has one Match row (written by upsert),
a SKU whose text changed since it was enqueued is skipped (a newer run follows),
and human decisions are never overwritten.

Routing by calibrated probability p, with the category's thresholds
(``thresholds.thresholds_for``):

- p >= auto: the two products merge, unless a safety rule holds it for review
  (``Match.hold_reason`` says which; see ``alignment.joins``);
- review <= p < auto: a pending Match for the review queue;
- p < review: a discarded Match, kept with its score for audit; but a pair whose
  SKUs already share a product goes to review instead (a doubtful member).
"""

from __future__ import annotations

import functools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alignment import calibration, embeddings, instructions, joins, retrieval, thresholds
from alignment.changes import is_material_change, text_snapshot
from alignment.models import AlignmentState, InstructionTemplate, Match
from alignment.scorers import Scorer, get_scorer
from catalog import merging
from catalog.models import SKU, Category, ProductEvent

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Match.Status.PENDING, Match.Status.DISCARDED, Match.Status.AUTO_MERGED, Match.Status.STALE)
DECIDED_STATUSES = (Match.Status.CONFIRMED, Match.Status.REJECTED)
STAGES = ("embedding", "retrieval", "scoring", "writing")


@dataclass
class AlignmentSummary:
    """What a run did, and where its time went (seconds per stage)."""

    aligned: int = 0
    skipped: int = 0
    pairs_scored: int = 0
    auto_merged: int = 0
    pending: int = 0
    discarded: int = 0
    held: int = 0
    reopened: int = 0
    stale: int = 0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started

    def add(self, other: AlignmentSummary) -> None:
        for name in ("aligned", "skipped", "pairs_scored", "auto_merged", "pending", "discarded", "held", "reopened", "stale"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for stage, seconds in other.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "aligned": self.aligned, "skipped": self.skipped, "pairs_scored": self.pairs_scored,
            "auto_merged": self.auto_merged, "pending": self.pending, "discarded": self.discarded,
            "held": self.held, "reopened": self.reopened, "stale": self.stale,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }

    def __str__(self) -> str:
        return (
            f"{self.aligned} SKUs aligned ({self.skipped} skipped), {self.pairs_scored} pairs scored: "
            f"{self.auto_merged} merged automatically, {self.pending} pending review "
            f"({self.held} held by a safety rule), {self.discarded} discarded, "
            f"{self.reopened} human decisions re-opened"
        )


@dataclass
class ScoredPair:
    a: SKU  # the lower id
    b: SKU
    raw: float
    probability: float
    retrieval: dict[str, Any]
    instruction: InstructionTemplate | None
    auto: float
    review: float

    @property
    def key(self) -> tuple[int, int]:
        return (self.a.pk, self.b.pk)


def align_skus(
    sku_ids: Iterable[int],
    *,
    expected_hashes: dict[int, str] | None = None,
    scorer: Scorer | None = None,
    k: int | None = None,
) -> AlignmentSummary:
    """Align these SKUs: find candidates, score them, write Matches and merge products.

    ``expected_hashes`` ({sku_id: content_hash} from the enqueue) skips SKUs whose
    text changed since: the save that changed them enqueued a newer run.
    """
    scorer = scorer or get_scorer()
    summary = AlignmentSummary()
    ids = list(dict.fromkeys(int(i) for i in sku_ids))
    skus = list(SKU.objects.filter(pk__in=ids).select_related("category").order_by("pk"))
    if expected_hashes:
        # Enqueued work: skip SKUs edited since (a newer task follows) and SKUs that
        # another delivery of the same work (a sweep, a redelivery) already aligned.
        aligned = set(
            AlignmentState.objects.filter(
                sku_id__in=ids, status=AlignmentState.Status.DONE, aligned_hash=F("sku__content_hash")
            ).values_list("sku_id", flat=True)
        )
        skus = [
            s for s in skus
            if expected_hashes.get(s.pk, s.content_hash) == s.content_hash and s.pk not in aligned
        ]
    summary.skipped = len(ids) - len(skus)  # deleted, edited since the enqueue, or already done
    if not skus:
        return summary
    _mark_started(skus)

    rescore: dict[int, set[int]] = defaultdict(set)
    with summary.timed("writing"):
        summary.reopened += _settle_changed_texts(skus, rescore=rescore, summary=summary)
    with summary.timed("embedding"):
        vectors = embeddings.ensure_embeddings(skus)
    with summary.timed("retrieval"):
        found = retrieval.get_index().retrieve(skus, vectors, k=k)
    with summary.timed("scoring"):
        pairs = _score(skus, found, rescore, scorer=scorer)
    summary.pairs_scored = len(pairs)
    with summary.timed("writing"):
        _write(pairs, scorer=scorer, summary=summary)
        _mark_done(skus)
    summary.aligned = len(skus)
    return summary


def _mark_started(skus: list[SKU]) -> None:
    AlignmentState.objects.bulk_create(
        [AlignmentState(sku_id=s.pk) for s in skus], ignore_conflicts=True
    )
    AlignmentState.objects.filter(sku_id__in=[s.pk for s in skus]).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )


def _mark_done(skus: list[SKU]) -> None:
    """Done at the hash aligned; a SKU edited meanwhile stays pending for its newer run."""
    states = [AlignmentState(sku_id=s.pk, aligned_hash=s.content_hash) for s in skus]
    AlignmentState.objects.bulk_update(states, ["aligned_hash"])
    ids = [s.pk for s in skus]
    AlignmentState.objects.filter(sku_id__in=ids, sku__content_hash=F("aligned_hash")).update(
        status=AlignmentState.Status.DONE, error="", updated_at=timezone.now()
    )


def _settle_changed_texts(
    skus: list[SKU], *, rescore: dict[int, set[int]], summary: AlignmentSummary
) -> int:
    """Apply text changes to the SKUs' existing matches; return how many decisions re-opened.

    Open matches scored on an old text become stale and their partners are
    re-scored. A human decision stands when the change is not material (see
    ``alignment.changes``), otherwise it is re-opened for review with the texts
    it was made on.
    """
    current = {s.pk: s for s in skus}
    ids = list(current)
    rows = Match.objects.filter(Q(sku_a__in=ids) | Q(sku_b__in=ids)).values_list("pk", "sku_a_id", "hash_a", "sku_b_id", "hash_b")
    changed: set[int] = set()
    for pk, a, hash_a, b, hash_b in rows:
        if (a in current and current[a].content_hash != hash_a) or (b in current and current[b].content_hash != hash_b):
            changed.add(pk)
    if not changed:
        return 0
    reopened = 0
    with transaction.atomic():
        for match in Match.objects.select_for_update().filter(pk__in=changed).order_by("pk"):
            sides = {
                side: current[sku_id]
                for side, sku_id, stored in (("a", match.sku_a_id, match.hash_a), ("b", match.sku_b_id, match.hash_b))
                if sku_id in current and current[sku_id].content_hash != stored
            }
            if sides:
                reopened += _settle_match(match, sides, rescore=rescore, summary=summary)
    return reopened


def _settle_match(
    match: Match, sides: dict[str, SKU], *, rescore: dict[int, set[int]], summary: AlignmentSummary
) -> int:
    """Settle one match whose texts changed on ``sides`` ("a", "b" or both); 1 if re-opened."""
    for sku in sides.values():
        rescore[sku.pk].add(match.other_sku_id(sku.pk))
    if match.status not in DECIDED_STATUSES:
        if match.status != Match.Status.STALE:
            match.mark_stale()
            summary.stale += 1
        return 0
    before = match.decided_texts or {}
    material = any(
        before.get(side) is None or is_material_change(before[side], text_snapshot(sku))
        for side, sku in sides.items()
    )
    if not material:
        # Typo fixes: the decision stands at the new texts.
        for side, sku in sides.items():
            setattr(match, f"hash_{side}", sku.content_hash)
        match.save(update_fields=[*(f"hash_{side}" for side in sides), "updated_at"])
        return 0
    match.reopen(
        reopened_from={
            "status": match.status,
            "decided_at": match.decided_at.isoformat() if match.decided_at else None,
            "a": before.get("a"),
            "b": before.get("b"),
            "changed": "".join(sorted(sides)),
        }
    )
    return 1


def _score(
    skus: list[SKU],
    found: dict[int, list[retrieval.Candidate]],
    rescore: dict[int, set[int]],
    *,
    scorer: Scorer,
) -> list[ScoredPair]:
    """Score every (SKU, candidate) pair not settled by a human, once per unordered pair."""
    wanted: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for sku in skus:
        for candidate in found.get(sku.pk, []):
            wanted[sku.pk][candidate.sku_id] = candidate.provenance()
        for other in rescore.get(sku.pk, ()):
            wanted[sku.pk].setdefault(other, {"rescored_after_edit": True})
    partner_ids = {o for others in wanted.values() for o in others}
    chunk = {s.pk: s for s in skus}
    partners = {
        s.pk: s for s in SKU.objects.filter(pk__in=partner_ids - chunk.keys()).select_related("category")
    }
    if embeddings.embedder() is scorer:
        # Hand the candidates' stored vectors to the scorer: it embeds nothing twice
        # (the chunk's own vectors reached it in align_skus).
        embeddings.ensure_embeddings(list(partners.values()))
    partners.update(chunk)
    roots = retrieval.category_roots()

    seen: set[tuple[int, int]] = set()
    decided = _decided_pairs(wanted)
    # A scorer that reads the whole list (e5's fusion: a document's rank among the candidates,
    # one place per language) scores a query against all its candidates, as evaluate does; the
    # pairs scored already from the other side or decided by a reviewer are context, not routed.
    # Without them the true partner is missing and a look-alike is the best of its language.
    reads_the_list = getattr(scorer, "reads_the_list", False)
    jobs: list[tuple[SKU, list[tuple[SKU, dict[str, Any]]], list[SKU]]] = []
    for sku in skus:
        documents, context = [], []
        for other_id, provenance in wanted[sku.pk].items():
            other = partners.get(other_id)
            if other is None:
                continue
            if not provenance.get("rescored_after_edit") and not _may_pair(sku, other, roots):
                continue  # the index was behind the database (a category or language edit)
            pair = Match.ordered(sku.pk, other_id)
            if pair in seen or pair in decided:
                if reads_the_list:
                    context.append(other)
                continue
            seen.add(pair)
            documents.append((other, provenance))
        if documents:
            jobs.append((sku, documents, context))

    instruction_cache: dict[int | None, tuple[str, InstructionTemplate | None]] = {}
    threshold_cache: dict[int | None, tuple[float, float]] = {}
    mapping_cache: dict[str, Any] = {}
    by_instruction: dict[str, list[tuple[SKU, list[tuple[SKU, dict[str, Any]]], list[SKU]]]] = defaultdict(list)
    for sku, documents, context in jobs:
        category_id = sku.category_id
        if category_id not in instruction_cache:
            instruction_cache[category_id] = instructions.instruction_for(sku.category)
            threshold_cache[category_id] = thresholds.thresholds_for(sku.category)
        by_instruction[instruction_cache[category_id][0]].append((sku, documents, context))
    pairs: list[ScoredPair] = []
    for text, group in by_instruction.items():
        # One call per instruction: a GPU scorer batches the whole chunk's pairs together.
        queries = [
            (embeddings.sku_text(sku), [embeddings.sku_text(o) for o in (*(o for o, _ in documents), *context)])
            for sku, documents, context in group
        ]
        for (sku, documents, _), raw_scores in zip(group, scorer.score_groups(queries, text), strict=True):
            raw_scores = raw_scores[: len(documents)]  # the context's scores route nothing
            pairs.extend(_routed(sku, documents, raw_scores, scorer, instruction_cache, threshold_cache, mapping_cache))
    return pairs


def _routed(
    sku: SKU,
    documents: list[tuple[SKU, dict[str, Any]]],
    raw_scores: list[float],
    scorer: Scorer,
    instruction_cache: dict[int | None, tuple[str, InstructionTemplate | None]],
    threshold_cache: dict[int | None, tuple[float, float]],
    mapping_cache: dict[str, Any],
) -> list[ScoredPair]:
    """One query's scored candidates with their calibrated probability and the thresholds that route them."""
    template = instruction_cache[sku.category_id][1]
    auto, review = threshold_cache[sku.category_id]
    pairs = []
    for (other, provenance), raw in zip(documents, raw_scores, strict=True):
        probability = _calibrate(scorer, raw, (sku.language, other.language), mapping_cache)
        a, b = (sku, other) if sku.pk < other.pk else (other, sku)
        provenance = {**provenance, "query": sku.pk}
        pairs.append(ScoredPair(a, b, raw, probability, provenance, template, auto, review))
    return pairs


def _calibrate(scorer: Scorer, raw: float, languages: tuple[str, str], cache: dict[str, Any]) -> float:
    key = calibration.pair_key(languages)
    if key not in cache:
        cache[key] = calibration.calibration_info(scorer, languages).mapping
    return float(cache[key].apply([raw])[0])


def _may_pair(sku: SKU, other: SKU, roots: dict[int, int]) -> bool:
    if sku.language == other.language:
        return False
    if sku.category_id is None or other.category_id is None:
        return True
    return roots.get(sku.category_id) == roots.get(other.category_id)


def _decided_pairs(wanted: dict[int, dict[int, dict[str, Any]]]) -> set[tuple[int, int]]:
    """Pairs a human has decided (at the current texts): never re-scored by the machine."""
    ids = set(wanted) | {o for others in wanted.values() for o in others}
    rows = Match.objects.filter(
        sku_a__in=ids, sku_b__in=ids, status__in=DECIDED_STATUSES
    ).values_list("sku_a_id", "sku_b_id")
    return set(rows)


def _write(pairs: list[ScoredPair], *, scorer: Scorer, summary: AlignmentSummary) -> None:
    """Upsert one Match per pair; merge the strong ones one at a time, strongest first."""
    existing = joins.existing_matches([p.key for p in pairs])
    product_of = dict(
        SKU.objects.filter(pk__in={i for p in pairs for i in p.key}).values_list("pk", "product_id")
    )
    scores = {p.key: p.probability for p in pairs}
    new_rows: list[Match] = []
    updates: list[Match] = []
    strong: list[ScoredPair] = []
    for pair in pairs:
        match = existing.get(pair.key)
        if match is not None and match.status in DECIDED_STATUSES:
            continue  # decided while we scored: the human wins
        reopened = match is not None and match.reopened_from is not None and match.status == Match.Status.PENDING
        if pair.probability >= pair.auto and not reopened:
            strong.append(pair)
            continue
        status, hold = Match.Status.DISCARDED, ""
        if pair.probability >= pair.review or reopened:
            status = Match.Status.PENDING
        elif product_of.get(pair.a.pk) == product_of.get(pair.b.pk):
            status, hold = Match.Status.PENDING, "In one product, but scored below the review threshold."
        row = _match_row(pair, scorer=scorer, status=status, hold_reason=hold, existing=match)
        (updates if match is not None else new_rows).append(row)
        _count(summary, status, hold)
    _save_rows(new_rows, updates)
    together: list[ScoredPair] = []
    for pair in sorted(strong, key=lambda p: -p.probability):
        if product_of.get(pair.a.pk) == product_of.get(pair.b.pk):
            together.append(pair)  # already one product (through other pairs), as first read
            continue
        event = _route_strong(pair, scorer=scorer, summary=summary, batch_scores=scores)
        if event is not None:
            for sku_id, product_id in product_of.items():
                if product_id == event.other_product_id:
                    product_of[sku_id] = event.product_id
    apart = _write_together(together, existing=existing, scorer=scorer, summary=summary)
    for pair in apart:
        _route_strong(pair, scorer=scorer, summary=summary, batch_scores=scores)


def _write_together(
    pairs: list[ScoredPair], *, existing: dict[tuple[int, int], Match], scorer: Scorer, summary: AlignmentSummary
) -> list[ScoredPair]:
    """Label auto_merged the strong pairs whose SKUs share a product; return those that no longer do.

    The chunk's first read of the SKUs' products took no lock, and a split (an undo,
    a reject, a catalog admin) may have separated a pair since. So the products are
    locked as a merge locks them and the SKUs read again: a pair still in one product
    is labelled while no split can move it; a pair found apart is for the caller to
    route like any other strong pair.
    """
    if not pairs:
        return []
    apart = []
    new_rows: list[Match] = []
    updates: list[Match] = []
    with transaction.atomic():
        product_of = merging.lock_products_of({i for p in pairs for i in p.key})
        for pair in pairs:
            if pair.a.pk not in product_of or pair.b.pk not in product_of:
                continue  # deleted meanwhile: its matches went with it
            if product_of[pair.a.pk] != product_of[pair.b.pk]:
                apart.append(pair)
                continue
            match = existing.get(pair.key)
            row = _match_row(pair, scorer=scorer, status=Match.Status.AUTO_MERGED, existing=match)
            (updates if match is not None else new_rows).append(row)
            _count(summary, Match.Status.AUTO_MERGED, "")
        _save_rows(new_rows, updates)
    return apart


def _match_row(
    pair: ScoredPair, *, scorer: Scorer, status: str, hold_reason: str = "", existing: Match | None = None
) -> Match:
    row = existing or Match(sku_a_id=pair.a.pk, sku_b_id=pair.b.pk)
    row.probability = pair.probability
    row.raw_score = pair.raw
    row.scorer = scorer.name
    row.model_revision = scorer.model_revision
    row.instruction = pair.instruction
    row.instruction_version = pair.instruction.version if pair.instruction else None
    row.retrieval = pair.retrieval
    row.status = status
    row.hold_reason = hold_reason
    row.hash_a = pair.a.content_hash
    row.hash_b = pair.b.content_hash
    row.updated_at = timezone.now()
    return row


SCORE_FIELDS = [
    "probability", "raw_score", "scorer", "model_revision", "instruction", "instruction_version",
    "retrieval", "status", "hold_reason", "hash_a", "hash_b", "updated_at",
]


def _save_rows(new_rows: list[Match], updates: list[Match]) -> None:
    # A pair inserted meanwhile by another worker keeps that worker's score.
    Match.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
    # Only open rows are updated: a pair a reviewer decided meanwhile stays decided.
    Match.objects.filter(status__in=OPEN_STATUSES).bulk_update(updates, SCORE_FIELDS, batch_size=500)


def _count(summary: AlignmentSummary, status: str, hold: str) -> None:
    if status == Match.Status.AUTO_MERGED:
        summary.auto_merged += 1
    elif status == Match.Status.PENDING:
        summary.pending += 1
        summary.held += bool(hold)
    else:
        summary.discarded += 1


def _route_strong(
    pair: ScoredPair, *, scorer: Scorer, summary: AlignmentSummary, batch_scores: dict[tuple[int, int], float]
) -> ProductEvent | None:
    """Merge a pair scored at or above the auto threshold, unless a safety rule refuses.

    Returns the merge event, if the products merged.
    """
    event = None
    checked: list[ScoredPair] = []
    with transaction.atomic():
        match = Match.objects.select_for_update().filter(sku_a=pair.a, sku_b=pair.b).first()
        if match is not None and match.status in DECIDED_STATUSES:
            return None
        refusal = joins.join_refusal(
            pair.a, pair.b, review=pair.review, batch_scores=batch_scores,
            score_missing=functools.partial(_score_cross_pairs, scorer=scorer, out=checked),
        )
        status = Match.Status.PENDING if refusal else Match.Status.AUTO_MERGED
        row = _match_row(pair, scorer=scorer, status=status, hold_reason=refusal or "", existing=match)
        row.save()
        if not refusal:
            event = merging.merge_products(
                pair.a, pair.b, via="auto", match_ref=row.pk, locked=True,  # join_refusal holds the locks
                reason=f"p={pair.probability:.3f} >= {pair.auto:.2f} ({scorer.name})",
            )
        _record_checked(checked, refusal=refusal, scorer=scorer)
    _count(summary, status, refusal or "")
    return event


def _score_cross_pairs(
    keys: list[tuple[int, int]], skus: dict[int, SKU], *, scorer: Scorer, out: list[ScoredPair]
) -> dict[tuple[int, int], float]:
    """Score the pairs a join depends on; the scored pairs are added to ``out``.

    A scorer that reads the list (``Scorer.reads_the_list``) also sees the query's own
    product, as context that routes nothing: scored among the other product's SKUs
    alone, the best of them would rank first however unlike the query it is, and a
    look-alike would pass for a bridge.
    """
    by_query: dict[int, list[int]] = defaultdict(list)
    for x, y in keys:
        by_query[x].append(y)
    scores: dict[tuple[int, int], float] = {}
    mapping_cache: dict[str, Any] = {}
    reads_the_list = getattr(scorer, "reads_the_list", False)
    for x, others in by_query.items():
        query = skus[x]
        text, template = instructions.instruction_for(query.category)
        auto, review = thresholds.thresholds_for(query.category)
        own_product = [s for pk, s in skus.items() if s.product_id == query.product_id and pk != x and pk not in others]
        context = own_product if reads_the_list else []
        documents = [embeddings.sku_text(skus[y]) for y in others] + [embeddings.sku_text(s) for s in context]
        raws = scorer.score(embeddings.sku_text(query), documents, text)[: len(others)]
        for y, raw in zip(others, raws, strict=True):
            p = _calibrate(scorer, raw, (query.language, skus[y].language), mapping_cache)
            scores[(x, y)] = p
            out.append(ScoredPair(query, skus[y], raw, p, {"merge_check": True}, template, auto, review))
    return scores


def _record_checked(pairs: list[ScoredPair], *, refusal: str | None, scorer: Scorer) -> None:
    """Record the cross pairs a join was checked on, routed by the join's outcome."""
    rows = []
    for pair in pairs:
        status, hold = Match.Status.DISCARDED, ""
        if pair.probability >= pair.auto and not refusal:
            status = Match.Status.AUTO_MERGED
        elif pair.probability >= pair.review:
            status = Match.Status.PENDING
            hold = (refusal or "") if pair.probability >= pair.auto else ""
        rows.append(_match_row(pair, scorer=scorer, status=status, hold_reason=hold))
    Match.objects.bulk_create(rows, ignore_conflicts=True)


def skus_in_category(category: Category) -> list[int]:
    return list(SKU.objects.filter(category_id__in=category.tree_ids()).order_by("pk").values_list("pk", flat=True))


def align_in_chunks(
    sku_ids: list[int],
    *,
    scorer: Scorer | None = None,
    chunk_size: int | None = None,
    on_embedded: Callable[[int], None] | None = None,
    on_aligned: Callable[[int], None] | None = None,
) -> AlignmentSummary:
    """Align many SKUs in the foreground: embed them all first, so that each
    chunk finds candidates among the later chunks too, then align chunk by chunk."""
    size = chunk_size or settings.ALIGNMENT_TASK_CHUNK_SIZE
    chunks = [sku_ids[i : i + size] for i in range(0, len(sku_ids), size)]
    summary = AlignmentSummary()
    done = 0
    for chunk in chunks:
        with summary.timed("embedding"):
            embeddings.ensure_embeddings(list(SKU.objects.filter(pk__in=chunk)))
        done += len(chunk)
        if on_embedded:
            on_embedded(done)
    done = 0
    for chunk in chunks:
        summary.add(align_skus(chunk, scorer=scorer))
        done += len(chunk)
        if on_aligned:
            on_aligned(done)
    return summary
