"""Re-score the open pairs an instruction template governs, after it is published.

Human decisions are untouched: only pending, discarded and automatically merged
pairs are re-scored. A pair's category is its first SKU's category (``sku_a``),
as everywhere else in alignment.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Q, QuerySet
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


def band(probability: float, *, auto: float, review: float) -> str:
    if probability >= auto:
        return "auto"
    return "review" if probability >= review else "discard"


def route(old: str, band: str) -> str:
    """The new status of an open pair whose probability falls in ``band``.

    Re-routing never merges or splits on its own: a pair that now clears the auto
    threshold goes to a reviewer (merging needs the pipeline's safety checks), and
    an automatic merge that no longer clears it is reviewed, staying merged meanwhile.
    """
    if old == Match.Status.AUTO_MERGED:
        return Match.Status.AUTO_MERGED if band == "auto" else Match.Status.PENDING
    return Match.Status.DISCARDED if band == "discard" else Match.Status.PENDING


def rescore_match(match: Match, *, template: InstructionTemplate, scorer: Scorer) -> str:
    """Score one open pair with the template and route it again; returns "old->new" when
    its status changed, else "". A pair a reviewer decided meanwhile is left alone."""
    raw = scorer.score(match.sku_a.text(), [match.sku_b.text()], template.text)
    [probability] = calibration.to_probabilities(
        scorer, raw, language_pair=(match.sku_a.language, match.sku_b.language)
    )
    auto, review = thresholds_for(match.sku_a.category)
    old = match.status
    new = route(old, band(probability, auto=auto, review=review))
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
