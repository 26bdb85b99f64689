from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, trigger_client_event

from alignment.models import Match
from catalog.models import SKU, Product
from reviews import dashboard as dashboard_stats
from reviews import decisions, history, queue
from reviews.comparison import compare
from reviews.forms import DecisionForm, UndoForm, read_filters
from reviews.models import Decision

REVIEW = "alignment.review_match"
PAGE_SIZE = 50
# Counting a filtered queue of a million rows exactly is slow; past this, "1000+".
COUNT_CAP = 1_000
# The pair page lists this many of each product's other SKUs (and says how many there are).
OTHERS_SHOWN = 20


@dataclass
class QueuePage:
    """One page of the queue as plain rows, without the exact COUNT(*) a Paginator runs."""

    rows: list[dict[str, Any]]
    number: int
    has_next: bool
    matching: int | None

    @classmethod
    def of(cls, qs: Any, number: str | None, *, count: bool, at_least: int = 0) -> QueuePage:
        """Page ``number`` of ``qs``; with ``count``, how many rows match (capped).

        ``at_least`` is a known lower bound (from the cached facet counts): far past
        the cap, the label is "1000+" whatever a fresh count says, so none is run.
        """
        page = int(number) if number and number.isdigit() and int(number) > 0 else 1
        offset = (page - 1) * PAGE_SIZE
        found = list(qs.values(*ROW_FIELDS)[offset : offset + PAGE_SIZE + 1])
        matching = None
        if count and page == 1 and len(found) <= PAGE_SIZE:
            matching = len(found)  # the whole result is on this page
        elif count and at_least > 2 * COUNT_CAP:
            matching = at_least
        elif count:
            matching = qs.order_by()[: COUNT_CAP + 1].count()
        now, pair_url = timezone.now(), _pair_url()
        return cls([_row(r, now, pair_url) for r in found[:PAGE_SIZE]], page, len(found) > PAGE_SIZE, matching)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def matching_label(self) -> str:
        return f"{COUNT_CAP}+" if (self.matching or 0) > COUNT_CAP else str(self.matching)


ROW_FIELDS = (
    "pk", "probability", "review_impact", "is_audit_sample", "claimed_until", "claimed_by__username",
    *(f"{side}__{field}" for side in ("sku_a", "sku_b") for field in ("language", "title", "source", "sku_code")),
)


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _pair_url() -> Callable[[int], str]:
    """The pair page's URL for any id, from one reverse() (fifty cost about 4 ms a page)."""
    marker = "2147483647"
    pattern = reverse("reviews:pair", args=[int(marker)])
    return lambda pk: pattern.replace(marker, str(pk))


def _row(values: dict[str, Any], now: Any, pair_url: Callable[[int], str]) -> dict[str, Any]:
    """What the queue table shows of one pair (formatted here: it is the page's hot loop)."""
    held = values["claimed_until"] is not None and values["claimed_until"] >= now
    return {
        "pk": values["pk"],
        "url": pair_url(values["pk"]),
        # Audit samples are blind: their score never reaches the page.
        "score": None if values["is_audit_sample"] else f"{values['probability']:.3f}",
        "impact": values["review_impact"],
        "holder": values["claimed_by__username"] if held else None,
        "sides": [
            {
                "language": values[f"{side}__language"],
                "title": _short(values[f"{side}__title"]),
                "code": f"{values[f'{side}__source']}/{values[f'{side}__sku_code']}",
            }
            for side in ("sku_a", "sku_b")
        ],
    }


def _today_count(user: object) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Decision.objects.by(user).verdicts().standing().filter(created_at__gte=start).count()


def _recent_undoable(user: object) -> Any:
    """The five decisions the pair page offers to undo: only what the list shows."""
    return decisions.undoable(user).only("pk", "created_at", "action", "match_id")[:5]


def _with_query(url: str, query: dict[str, str]) -> str:
    return f"{url}?{urlencode(query)}" if query else url


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"can_review": request.user.has_perm(REVIEW)}
    if context["can_review"]:
        counts = queue.facet_counts()
        context.update(
            counts=counts,
            today=_today_count(request.user),
            held=Match.objects.filter(claimed_by=request.user, claimed_until__gte=timezone.now()).first(),
            recent=Decision.objects.by(request.user).select_related("match")[:5],
        )
    return render(request, "reviews/home.html", context)


@require_GET
@login_required
@permission_required(REVIEW, raise_exception=True)
@vary_on_headers("HX-Request")
def queue_page(request: HttpRequest) -> HttpResponse:
    queue.place_new_pairs()
    counts = queue.facet_counts()
    form, filters = read_filters(request.GET, sources=[source for source, _ in counts["sources"]])
    page = QueuePage.of(
        queue.queued(filters), request.GET.get("page"), count=bool(filters),
        at_least=queue.matching_at_least(filters, counts),
    )
    context = {
        "form": form,
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "page": page,
        "counts": counts,
        "today": _today_count(request.user),
    }
    template = "reviews/queue.html#results" if request.htmx else "reviews/queue.html"
    return render(request, template, context)


def _pair_context(request: HttpRequest, match: Match, *, filters: queue.Filters, held: bool) -> dict:
    sku_a, sku_b = match.sku_a, match.sku_b
    blind = match.is_audit_sample and match.status == Match.Status.AUTO_MERGED
    context = {
        "match": match,
        "a": sku_a,
        "b": sku_b,
        "comparison": compare(sku_a, sku_b),
        "found_by": [(str(key).replace("_", " "), value) for key, value in sorted((match.retrieval or {}).items())],
        "blind": blind,
        "held": held,
        "held_by_other": queue.held_by_other(match, request.user),
        "in_queue": match.is_queued,
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "form": DecisionForm(initial={"hash_a": sku_a.content_hash, "hash_b": sku_b.content_hash}),
        "undoable": _recent_undoable(request.user),
        "today": _today_count(request.user),
        "decisions": match.decisions.select_related("reviewer")[:10],
    }
    if not blind:
        # Blind audit samples already share one product: showing it would give the answer away.
        others = _other_skus(sku_a, sku_b)
        for side, sku in (("a", sku_a), ("b", sku_b)):
            in_product = others.get(sku.product_id, [])
            context[f"others_{side}"] = in_product[:OTHERS_SHOWN]
            context[f"others_{side}_total"] = len(in_product)
        context["same_product"] = sku_a.product_id == sku_b.product_id
    return context


def _other_skus(sku_a: SKU, sku_b: SKU) -> dict[int, list[dict[str, Any]]]:
    """Both products' other SKUs, by product, in one query of plain rows (the page
    lists the first OTHERS_SHOWN of each: a product grown to hundreds of SKUs would
    fill it, and its history page lists them all)."""
    rows = (
        SKU.objects.filter(product_id__in={sku_a.product_id, sku_b.product_id})
        .exclude(pk__in=[sku_a.pk, sku_b.pk])
        .order_by("language", "pk")
        .values("pk", "language", "title", "source", "sku_code", "product_id")
    )
    by_product: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_product.setdefault(row["product_id"], []).append(row)
    return by_product


def _render_pair(
    request: HttpRequest, match: Match | None, *, filters: queue.Filters, held: bool = False, status: int = 200
) -> HttpResponse:
    """The pair page, or only its #pair partial for htmx (with the URL pushed)."""
    if match is None:
        context = {"match": None, "filters": filters, "query": urlencode(filters.as_query()),
                   "today": _today_count(request.user), "undoable": _recent_undoable(request.user)}
    else:
        context = _pair_context(request, match, filters=filters, held=held)
    if request.htmx:
        response = render(request, "reviews/pair.html#pair", context, status=status)
        if match is not None:
            push_url(response, _with_query(reverse("reviews:pair", args=[match.pk]), filters.as_query()))
        else:
            push_url(response, _with_query(reverse("reviews:next"), filters.as_query()))
        return response
    return render(request, "reviews/pair.html", context, status=status)


@require_GET
@login_required
@permission_required(REVIEW, raise_exception=True)
@vary_on_headers("HX-Request")
def next_pair(request: HttpRequest) -> HttpResponse:
    """Lease the next pair (or the one after/before a given pair: the j and k keys)."""
    _, filters = read_filters(request.GET)
    after = before = None
    if request.GET.get("after", "").isdigit():
        after = Match.objects.filter(pk=request.GET["after"]).first()
    if request.GET.get("before", "").isdigit():
        before = Match.objects.filter(pk=request.GET["before"]).first()
    queue.place_new_pairs()
    match = queue.claim_next(request.user, filters=filters, after=after, before=before)
    if match is None and (after or before):
        origin = after or before
        messages.info(request, "No more pairs in that direction.")
        if request.htmx:
            held, fresh = queue.claim(origin, request.user)
            return _render_pair(request, fresh, filters=filters, held=held)
        return HttpResponseRedirect(_with_query(reverse("reviews:pair", args=[origin.pk]), filters.as_query()))
    if match is not None and not request.htmx:
        return HttpResponseRedirect(_with_query(reverse("reviews:pair", args=[match.pk]), filters.as_query()))
    return _render_pair(request, match, filters=filters, held=match is not None)


@require_GET
@login_required
@permission_required(REVIEW, raise_exception=True)
@vary_on_headers("HX-Request")
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    _, filters = read_filters(request.GET)
    match = get_object_or_404(Match, pk=pk)
    held, match = queue.claim(match, request.user)
    return _render_pair(request, match, filters=filters, held=held)


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    # The pair is read (and found missing) by record_decision; it is loaded here only
    # to show it again after a refusal.
    _, filters = read_filters(request.POST)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            held, match = queue.claim(get_object_or_404(Match, pk=pk), request.user)
            context = _pair_context(request, match, filters=filters, held=held)
            context["form"] = form
            return render(request, "reviews/pair.html#pair", context, status=400)
        messages.error(request, "Choose confirm, reject or skip (and keep the note under 2000 characters).")
        return HttpResponseRedirect(_with_query(reverse("reviews:pair", args=[pk]), filters.as_query()))
    try:
        decision = decisions.record_decision(
            pk,
            by=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            seen_hashes=form.seen_hashes(),
        )
    except decisions.NoSuchPair:
        raise Http404("No such pair.") from None
    except decisions.DecisionError as error:
        messages.error(request, str(error))
        if request.htmx:
            held, fresh = queue.claim(get_object_or_404(Match, pk=pk), request.user)
            return _render_pair(request, fresh, filters=filters, held=held, status=409)
        return HttpResponseRedirect(_with_query(reverse("reviews:pair", args=[pk]), filters.as_query()))
    messages.success(request, _describe(decision))
    if not request.htmx:
        return HttpResponseRedirect(_with_query(reverse("reviews:next"), filters.as_query()))
    following = queue.claim_next(request.user, filters=filters)
    response = _render_pair(request, following, filters=filters, held=following is not None)
    return trigger_client_event(response, "decided", {"action": decision.action, "match": pk})


def _describe(decision: Decision) -> str:
    match = decision.match
    label = f"pair {match.sku_a_id} ~ {match.sku_b_id}"
    if decision.action == Decision.Action.CONFIRM:
        if decision.blind:
            return f"Confirmed {label}: the automatic merge was correct."
        event = decision.product_event
        return f"Confirmed {label}: products merged into {event.product_id}." if event else f"Confirmed {label}."
    if decision.action == Decision.Action.REJECT:
        if decision.product_event:
            return f"Rejected {label}: the SKUs were split apart and will not be merged again."
        return f"Rejected {label}: they will not be merged."
    if decision.action == Decision.Action.UNDO:
        undone = {"confirm": "confirmation", "reject": "rejection"}.get(decision.undoes.action, decision.undoes.action)
        return f"Undid your {undone} of {label}; it is back in the queue."
    return f"Skipped {label}."


@require_POST
@login_required
@permission_required(REVIEW, raise_exception=True)
def undo(request: HttpRequest) -> HttpResponse:
    _, filters = read_filters(request.POST)
    form = UndoForm(request.POST)
    target = form.cleaned_data.get("decision") if form.is_valid() else None
    if target is None:
        latest = decisions.undoable(request.user).first()
        target = latest.pk if latest else None
    if target is None:
        messages.warning(request, "Nothing to undo: you have no recent decisions.")
        if request.htmx:
            return _render_pair(request, queue.claim_next(request.user, filters=filters), filters=filters, held=True)
        return HttpResponseRedirect(_with_query(reverse("reviews:next"), filters.as_query()))
    try:
        done = decisions.undo_decision(target, by=request.user)
    except decisions.DecisionError as error:
        messages.error(request, str(error))
        if request.htmx:
            following = queue.claim_next(request.user, filters=filters)
            return _render_pair(request, following, filters=filters, held=following is not None, status=409)
        return HttpResponseRedirect(_with_query(reverse("reviews:next"), filters.as_query()))
    messages.success(request, _describe(done))
    if not request.htmx:
        return HttpResponseRedirect(_with_query(reverse("reviews:pair", args=[done.match_id]), filters.as_query()))
    held, match = queue.claim(done.match, request.user)
    return _render_pair(request, match, filters=filters, held=held)


@require_GET
@login_required
@permission_required(REVIEW, raise_exception=True)
def product_history(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    return render(request, "reviews/history.html", history.product_history(product))


@require_GET
@login_required
@permission_required(REVIEW, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/dashboard.html", dashboard_stats.collect())
