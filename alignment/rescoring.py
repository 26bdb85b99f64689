"""Re-score the open pairs an instruction template governs, after it is published.

Human decisions are untouched: only pending, discarded and automatically merged
pairs are re-scored. A pair's category is its first SKU's category (``sku_a``),
as everywhere else in alignment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from alignment import calibration
from alignment.models import InstructionTemplate, Match, RescoreRun
from alignment.scorers import Scorer, ScoringError, get_scorer
from alignment.thresholds import thresholds_for
from catalog.models import Category

OPEN_STATUSES = (Match.Status.PENDING, Match.Status.DISCARDED, Match.Status.AUTO_MERGED)
CHUNK_SIZE = 50


def scope_filter(category: Category | None, *, overrides: QuerySet[Category]) -> Q:
    """A filter on Match for the pairs a category's setting governs (None: the default):
    the category's tree, minus the subtrees of ``overrides`` below it (their own setting)."""
    if category is None:
        scope = Q()
        below = list(overrides)
    else:
        scope = Q(sku_a__category_id__in=category.tree_ids())
        below = [c for c in overrides.filter(path__startswith=category.path + " > ")]
    for other in below:
        scope &= ~Q(sku_a__category_id__in=other.tree_ids())
    return scope


def governed_by_template(category: Category | None) -> Q:
    published = InstructionTemplate.objects.filter(is_published=True, category__isnull=False)
    return scope_filter(category, overrides=Category.objects.filter(pk__in=published.values("category_id")))


def open_matches(category: Category | None) -> QuerySet[Match]:
    return Match.objects.filter(governed_by_template(category), status__in=OPEN_STATUSES)


def start_rescore(template: InstructionTemplate, *, by: object = None) -> RescoreRun:
    """Record a re-score run and enqueue it once the publishing transaction commits."""
    from alignment import tasks

    run = RescoreRun.objects.create(
        template=template, created_by=by, total=open_matches(template.category).count()
    )
    tasks.rescore_category.delay_on_commit(run.pk)
    return run


def rescore_run(run_id: int, *, scorer: Scorer | None = None) -> RescoreRun:
    """Do one run. Idempotent: a finished run is left alone, and a run whose template
    was superseded before it started finishes without re-scoring."""
    run = RescoreRun.objects.select_related("template__category").get(pk=run_id)
    if run.is_finished:
        return run
    template = run.template
    if not InstructionTemplate.objects.filter(pk=template.pk, is_published=True).exists():
        return _finish(run, error="Not run: another version was published before this one was applied.")
    scorer = scorer or get_scorer()
    ids = list(open_matches(template.category).order_by("pk").values_list("pk", flat=True))
    RescoreRun.objects.filter(pk=run.pk).update(
        status=RescoreRun.Status.RUNNING, started_at=timezone.now(), total=len(ids), done=0, moved={}
    )
    moved: Counter[str] = Counter()
    try:
        for start in range(0, len(ids), CHUNK_SIZE):
            chunk = ids[start : start + CHUNK_SIZE]
            for match in Match.objects.filter(pk__in=chunk).select_related("sku_a__category", "sku_b"):
                change = rescore_match(match, template=template, scorer=scorer)
                if change:
                    moved[change] += 1
            RescoreRun.objects.filter(pk=run.pk).update(done=start + len(chunk), moved=dict(moved))
    except ScoringError as exc:
        if not exc.permanent:
            # Left queued for the task's retry, which starts over: re-scoring is idempotent.
            RescoreRun.objects.filter(pk=run.pk).update(status=RescoreRun.Status.QUEUED, error=str(exc))
            raise
        return _finish(run, error=f"Scoring failed: {exc}")
    run.refresh_from_db()
    return _finish(run, error="")


def _finish(run: RescoreRun, *, error: str) -> RescoreRun:
    run.status = RescoreRun.Status.FAILED if error and run.done < run.total else RescoreRun.Status.DONE
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


BANDS = ("auto", "review", "discard")
# The pipeline keeps a pair whose SKUs already share a product in review, never discarded.
SAME_PRODUCT = Q(sku_a__product_id=F("sku_b__product_id"))


def band(probability: float, *, auto: float, review: float) -> str:
    if probability >= auto:
        return "auto"
    return "review" if probability >= review else "discard"


def band_filter(name: str, *, auto: float, review: float) -> Q:
    return {
        "auto": Q(probability__gte=auto),
        "review": Q(probability__gte=review, probability__lt=auto),
        "discard": Q(probability__lt=review),
    }[name]


def route(old: str, band: str) -> str:
    """The new status of an open pair whose probability falls in ``band``.

    Re-routing never merges or splits on its own: a pair that now clears the auto
    threshold goes to a reviewer (merging needs the pipeline's safety checks), and
    an automatic merge that no longer clears it is reviewed, staying merged meanwhile.
    """
    if old == Match.Status.AUTO_MERGED:
        return Match.Status.AUTO_MERGED if band == "auto" else Match.Status.PENDING
    return Match.Status.DISCARDED if band == "discard" else Match.Status.PENDING


def reroutable(scope: Q) -> QuerySet[Match]:
    """Open pairs a machine may move: not blind audit samples, not re-opened human decisions."""
    return Match.objects.filter(scope, status__in=OPEN_STATUSES, is_audit_sample=False, reopened_from__isnull=True)


@dataclass(frozen=True)
class Move:
    old: str
    new: str
    condition: Q


def threshold_moves(*, old: tuple[float, float], new: tuple[float, float]) -> list[Move]:
    """The status changes new (auto, review) thresholds cause, by stored probability.

    Only pairs whose band changes move: a pair the pipeline holds for a reason of
    its own (a safety rule, a doubtful member of a product) stays where it is.
    """
    moves = []
    for status in OPEN_STATUSES:
        for before in BANDS:
            for after in BANDS:
                target = route(status, after)
                if before == after or target == status:
                    continue
                condition = (
                    Q(status=status)
                    & band_filter(before, auto=old[0], review=old[1])
                    & band_filter(after, auto=new[0], review=new[1])
                )
                if target == Match.Status.DISCARDED:
                    condition &= ~SAME_PRODUCT
                moves.append(Move(status, target, condition))
    return moves


def apply_thresholds(scope: Q, *, old: tuple[float, float], new: tuple[float, float]) -> int:
    """Re-route the scope's open pairs after a threshold change; returns how many moved."""
    moved = 0
    with transaction.atomic():
        for move in threshold_moves(old=old, new=new):
            moved += reroutable(scope).filter(move.condition).update(status=move.new, updated_at=timezone.now())
    return moved


def rescore_match(match: Match, *, template: InstructionTemplate, scorer: Scorer) -> str:
    """Score one open pair with the template and route it again; returns "old->new" when
    its status changed, else "". A pair a reviewer decided meanwhile is left alone.

    A scorer that ignores instructions (e5, lexical) would give the same score, but for
    the pair alone, without the rivals the pipeline scored it among (two look-alikes in
    one language share one place): the pair only records the template's version.
    """
    if not scorer.uses_instruction:
        Match.objects.filter(pk=match.pk, status=match.status).update(
            instruction=template, instruction_version=template.version, updated_at=timezone.now()
        )
        return ""
    raw = scorer.score(match.sku_a.text(), [match.sku_b.text()], template.text)
    [probability] = calibration.to_probabilities(
        scorer, raw, language_pair=(match.sku_a.language, match.sku_b.language)
    )
    auto, review = thresholds_for(match.sku_a.category)
    old = new = match.status
    if not match.is_audit_sample and match.reopened_from is None:
        new = route(old, band(probability, auto=auto, review=review))
        if new == Match.Status.DISCARDED and match.sku_a.product_id == match.sku_b.product_id:
            new = Match.Status.PENDING
    with transaction.atomic():
        updated = Match.objects.filter(pk=match.pk, status=old).update(
            probability=probability,
            raw_score=raw[0],
            scorer=scorer.name,
            model_revision=scorer.model_revision,
            instruction=template,
            instruction_version=template.version,
            hash_a=match.sku_a.content_hash,
            hash_b=match.sku_b.content_hash,
            status=new,
            updated_at=timezone.now(),
        )
    return f"{old}->{new}" if updated and new != old else ""
