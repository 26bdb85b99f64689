from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from alignment import backtest, export, instructions, reranking, rescoring
from alignment.forms import EXAMPLES, InstructionForm, PlaygroundForm, ThresholdForm, instruction_warnings
from alignment.models import CategoryThreshold, InstructionTemplate, Match, RescoreRun
from alignment.scorers import ScoringError, get_scorer
from alignment.thresholds import default_thresholds, thresholds_for
from catalog.models import Category


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def playground(request: HtmxHttpRequest) -> HttpResponse:
    example = EXAMPLES.get(request.GET.get("example", ""))
    if request.method == "POST":
        form = PlaygroundForm(request.POST)
    elif example is not None:
        form = PlaygroundForm(
            {"query": example.query, "candidates": "\n".join(example.candidates), "instruction": example.instruction}
        )
    else:
        form = PlaygroundForm()
    ranking, error = None, ""
    if form.is_bound and form.is_valid():
        try:
            ranking = reranking.rerank(
                form.cleaned_data["query"],
                form.cleaned_data["candidates"],
                instruction=form.cleaned_data["instruction"] or None,
            )
        except ScoringError as exc:
            error = f"Scoring failed: {exc}"
    auto, review = default_thresholds()
    context = {
        "form": form,
        "ranking": ranking,
        "error": error,
        "examples": EXAMPLES,
        "auto": auto,
        "review": review,
        "scorer": get_scorer(),
    }
    template = "alignment/playground.html"
    if request.htmx:
        template += "#results" if request.method == "POST" else "#workspace"
    return render(request, template, context)


@require_http_methods(["GET"])
@login_required
@permission_required(["catalog.view_product", "catalog.view_sku"], raise_exception=True)
def export_catalog(request: HttpRequest) -> StreamingHttpResponse:
    # A BOM first, so spreadsheets read the Chinese titles as UTF-8.
    lines = itertools.chain(["\ufeff"], export.csv_lines(export.catalog_rows()))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="skualign-catalog-{stamp}.csv"'
    return response


# Instruction templates ------------------------------------------------------

TEMPLATE_PERMISSION = "alignment.change_instructiontemplate"
THRESHOLD_PERMISSION = "alignment.change_categorythreshold"


def _scope(scope: str) -> Category | None:
    """The category a URL's scope names: "default" or a category id."""
    if scope == "default":
        return None
    if not scope.isdigit():
        raise Http404("No such instruction scope")
    return get_object_or_404(Category, pk=int(scope))


def _scope_slug(category: Category | None) -> str:
    return str(category.pk) if category else "default"


@require_http_methods(["GET"])
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
def templates(request: HttpRequest) -> HttpResponse:
    versions: dict[int | None, list[InstructionTemplate]] = {}
    for template in InstructionTemplate.objects.select_related("category").order_by("-version"):
        versions.setdefault(template.category_id, []).append(template)
    overrides = {t.category_id: t for t in CategoryThreshold.objects.all()}
    query = request.GET.get("q", "").strip()
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    categories = Category.objects.order_by("path")
    if query:
        categories = categories.filter(path__icontains=query)

    def summary(category: Category | None) -> dict[str, object]:
        own = versions.get(category.pk if category else None, [])
        active = next((t for t in own if t.is_published), None)
        inherited = None
        ancestor = parents.get(category.pk) if category else None
        while active is None and inherited is None and ancestor is not None:
            inherited = next((t for t in versions.get(ancestor, []) if t.is_published), None)
            ancestor = parents.get(ancestor)
        return {
            "category": category,
            "slug": _scope_slug(category),
            "active": active,
            "inherited": inherited,
            "drafts": [t for t in own if not t.is_published and (active is None or t.version > active.version)],
            "versions": len(own),
            "threshold": overrides.get(category.pk) if category else None,
        }

    context = {
        "default": summary(None),
        "rows": [summary(c) for c in categories],
        "query": query,
        "auto": settings.ALIGNMENT_AUTO_THRESHOLD,
        "review": settings.ALIGNMENT_REVIEW_THRESHOLD,
        "can_export": request.user.has_perms(["catalog.view_product", "catalog.view_sku"]),
    }
    return render(request, "alignment/templates.html", context)


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (op, text) segments, op in "equal", "delete", "insert"."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
    return segments


def _detail_context(request: HttpRequest, category: Category | None, **extra: object) -> dict[str, object]:
    versions = list(
        InstructionTemplate.scope(category).select_related("created_by").annotate(match_count=Count("matches"))
    )
    by_version = {t.version: t for t in versions}
    latest = versions[0] if versions else None
    active = next((t for t in versions if t.is_published), None)
    selected = latest
    if request.GET.get("v", "").isdigit():
        selected = by_version.get(int(request.GET["v"]), latest)
    previous = None
    if selected is not None:
        previous = next((t for t in versions if t.version < selected.version), None)
    current_text, current_template = instructions.instruction_for(category)
    auto, review = thresholds_for(category)
    runs = RescoreRun.objects.filter(template__category=category).select_related("template")[:5]
    context: dict[str, object] = {
        "category": category,
        "slug": _scope_slug(category),
        "versions": versions,
        "latest": latest,
        "active": active,
        "selected": selected,
        "previous": previous,
        "diff": diff_words(previous.text, selected.text) if selected and previous else None,
        "current_text": current_text,
        "current_template": current_template,
        "form": InstructionForm(initial={"text": latest.text if latest else current_text}),
        "warnings": instruction_warnings(latest.text) if latest else [],
        "auto": auto,
        "review": review,
        "threshold_override": CategoryThreshold.objects.filter(category=category).first() if category else None,
        "runs": runs,
        "scorer": get_scorer(),
        "max_pairs": settings.ALIGNMENT_BACKTEST_MAX_PAIRS,
    }
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
@vary_on_headers("HX-Request")
def template_detail(request: HtmxHttpRequest, scope: str) -> HttpResponse:
    category = _scope(scope)
    if request.method == "POST":
        form = InstructionForm(request.POST)
        latest = InstructionTemplate.scope(category).first()
        if form.is_valid() and latest is not None and latest.text == form.cleaned_data["text"]:
            form.add_error("text", f"No change: this is the text of version {latest.version}.")
        if form.is_valid():
            template = InstructionTemplate.add_version(category, text=form.cleaned_data["text"], by=request.user)
            messages.success(request, f"Saved as version {template.version} (a draft until you publish it).")
            for warning in instruction_warnings(template.text):
                messages.warning(request, warning)
            url = reverse("alignment:template_detail", args=[scope])
            return HttpResponseRedirect(f"{url}?v={template.version}")
        context = _detail_context(request, category, form=form, warnings=instruction_warnings(request.POST.get("text", "")))
        return render(request, "alignment/template_detail.html", context, status=400)
    context = _detail_context(request, category)
    if request.htmx and request.htmx.target == "version":
        return render(request, "alignment/template_detail.html#version", context)
    return render(request, "alignment/template_detail.html", context)


@require_POST
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
def template_check(request: HttpRequest, scope: str) -> HttpResponse:
    """Live advice while typing: empty, non-English or overlong instructions."""
    _scope(scope)
    form = InstructionForm(request.POST)
    context = {"form": form, "warnings": instruction_warnings(request.POST.get("text", "")), "checked": form.is_valid()}
    return render(request, "alignment/template_detail.html#warnings", context)


@require_POST
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
@vary_on_headers("HX-Request")
def template_backtest(request: HtmxHttpRequest, scope: str) -> HttpResponse:
    category = _scope(scope)
    form = InstructionForm(request.POST)
    result, error = None, ""
    if form.is_valid():
        current_text, _ = instructions.instruction_for(category)
        try:
            result = backtest.run_backtest(category, draft=form.cleaned_data["text"], current=current_text)
        except ScoringError as exc:
            error = f"Scoring failed: {exc}"
    else:
        error = " ".join(form.errors.get("text", ["Enter an instruction to backtest."]))
    extra = {"backtest": result, "backtest_error": error, "bands": ("auto", "review", "discard")}
    if request.htmx:
        return render(request, "alignment/template_detail.html#backtest", {**extra, "scorer": get_scorer()})
    context = _detail_context(request, category, form=form, **extra)
    return render(request, "alignment/template_detail.html", context)


@require_POST
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
def template_publish(request: HttpRequest, scope: str, version: int) -> HttpResponse:
    category = _scope(scope)
    template = get_object_or_404(InstructionTemplate.scope(category), version=version)
    if template.is_published:
        messages.info(request, f"Version {template.version} is already the active one.")
        return HttpResponseRedirect(reverse("alignment:template_detail", args=[scope]))
    with transaction.atomic():
        template.publish()
        run = rescoring.start_rescore(template, by=request.user)
    messages.success(
        request,
        f"Version {template.version} is now active. Re-scoring {run.total} open pairs in the background; "
        "confirmed and rejected pairs are left as they are.",
    )
    return HttpResponseRedirect(reverse("alignment:template_detail", args=[scope]) + f"?v={template.version}")


@require_http_methods(["GET"])
@login_required
@permission_required(TEMPLATE_PERMISSION, raise_exception=True)
def rescore_progress(request: HttpRequest, scope: str, run_id: int) -> HttpResponse:
    category = _scope(scope)
    run = get_object_or_404(RescoreRun.objects.select_related("template"), pk=run_id, template__category=category)
    return render(request, "alignment/template_detail.html#run", {"run": run, "slug": scope})


# Thresholds -----------------------------------------------------------------


def _threshold_scope(category: Category) -> Q:
    """The pairs whose thresholds come from this category (not from an override below it)."""
    return rescoring.scope_filter(category, overrides=Category.objects.filter(threshold__isnull=False))


def _threshold_preview(category: Category, *, new: tuple[float, float]) -> dict[str, object]:
    """Open pair counts now and after saving ``new`` (auto, review) thresholds."""
    scope = _threshold_scope(category)
    old = thresholds_for(category)
    moves = rescoring.threshold_moves(old=old, new=new)
    # Pairs that newly clear the auto threshold: they go to review, not to a merge.
    clear_auto = (
        Q(status__in=[Match.Status.PENDING, Match.Status.DISCARDED])
        & ~rescoring.band_filter("auto", auto=old[0], review=old[1])
        & rescoring.band_filter("auto", auto=new[0], review=new[1])
    )
    counts = Match.objects.filter(scope).aggregate(
        **{f"move{i}": Count("pk", filter=move.condition & ~Q(is_audit_sample=True) & Q(reopened_from__isnull=True))
           for i, move in enumerate(moves)},
        **{status: Count("pk", filter=Q(status=status)) for status in rescoring.OPEN_STATUSES},
        decided=Count("pk", filter=Q(status__in=[Match.Status.CONFIRMED, Match.Status.REJECTED])),
        clear_auto=Count("pk", filter=clear_auto),
    )
    change: Counter[str] = Counter()
    for i, move in enumerate(moves):
        change[move.old] -= counts[f"move{i}"]
        change[move.new] += counts[f"move{i}"]
    rows = [
        {"status": status, "label": Match.Status(status).label, "now": counts[status],
         "after": counts[status] + change[status], "change": change[status]}
        for status in (Match.Status.AUTO_MERGED, Match.Status.PENDING, Match.Status.DISCARDED)
    ]
    return {"rows": rows, "decided": counts["decided"], "clear_auto": counts["clear_auto"]}


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(THRESHOLD_PERMISSION, raise_exception=True)
def thresholds(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)
    override = CategoryThreshold.objects.filter(category=category).first()
    auto, review = thresholds_for(category)
    if request.method == "POST" and "remove" in request.POST:
        if override is not None:
            override.delete()
            moved = rescoring.apply_thresholds(
                _threshold_scope(category), old=(auto, review), new=thresholds_for(category)
            )
            auto, review = thresholds_for(category)
            messages.success(
                request, f"Override removed: {category} now uses review {review:g}, auto {auto:g}. {moved} open pairs moved."
            )
        return HttpResponseRedirect(reverse("alignment:thresholds", args=[category.pk]))
    form = ThresholdForm(request.POST if request.method == "POST" else None, initial={"auto": auto, "review": review})
    if form.is_valid():
        new_auto, new_review = form.cleaned_data["auto"], form.cleaned_data["review"]
        with transaction.atomic():
            CategoryThreshold.objects.update_or_create(
                category=category, defaults={"auto": new_auto, "review": new_review, "updated_by": request.user}
            )
            moved = rescoring.apply_thresholds(
                _threshold_scope(category), old=(auto, review), new=(new_auto, new_review)
            )
        messages.success(
            request, f"Thresholds for {category} saved: review {new_review:g}, auto {new_auto:g}. {moved} open pairs moved."
        )
        return HttpResponseRedirect(reverse("alignment:thresholds", args=[category.pk]))
    context = {
        "category": category,
        "override": override,
        "inherited_from": None if override else _threshold_source(category),
        "form": form,
        "auto": auto,
        "review": review,
        "preview": _threshold_preview(category, new=(auto, review)),
    }
    return render(request, "alignment/thresholds.html", context, status=400 if form.is_bound else 200)


def _threshold_source(category: Category) -> Category | None:
    overrides = set(CategoryThreshold.objects.values_list("category_id", flat=True))
    return next((c for c in category.ancestors()[1:] if c.pk in overrides), None)


@require_POST
@login_required
@permission_required(THRESHOLD_PERMISSION, raise_exception=True)
def thresholds_preview(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)
    form = ThresholdForm(request.POST)
    preview = None
    if form.is_valid():
        preview = _threshold_preview(category, new=(form.cleaned_data["auto"], form.cleaned_data["review"]))
    auto, review = thresholds_for(category)
    context = {"form": form, "preview": preview, "category": category, "auto": auto, "review": review}
    return render(request, "alignment/thresholds.html#preview", context)
