"""The review queue: which pairs wait, in what order, and who holds which.

A reviewer opening a pair leases it (``claim``) for REVIEWS_CLAIM_SECONDS. The
next pair is picked under ``SELECT ... FOR UPDATE SKIP LOCKED`` (on PostgreSQL),
so two reviewers asking at the same moment never get the same pair.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from alignment.models import InstructionTemplate, Match, MatchQuerySet
from catalog.models import PATH_SEPARATOR, SKU, Category
from reviews.models import Decision

# Score bands a reviewer can filter by: (key, label, low, high).
BANDS = [
    ("lt70", "below 0.70", 0.0, 0.70),
    ("70-75", "0.70–0.75", 0.70, 0.75),
    ("75-80", "0.75–0.80", 0.75, 0.80),
    ("80-85", "0.80–0.85", 0.80, 0.85),
    ("85-90", "0.85–0.90", 0.85, 0.90),
    ("ge90", "0.90 and above", 0.90, 1.01),
]
BAND_RANGES = {key: (low, high) for key, _, low, high in BANDS}
ORDER = ("-review_impact", "-probability", "pk")
# The queue's facet counts, each category's top-level category as they were counted,
# and the lease of the one recount asked for at a time (see facet_counts).
COUNTS_KEY = "reviews:facet-counts"
ROOTS_KEY = "reviews:facet-counts:roots"
RECOUNT_KEY = "reviews:facet-counts:recount"
# A recount asked for and lost (its worker died, the broker was down) is asked for again after this long.
RECOUNT_LEASE_SECONDS = 300

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filters:
    """A reviewer's queue filters, all optional."""

    category: Category | None = None
    languages: tuple[str, str] | None = None  # sorted pair, ("en", "zh")
    band: str = ""
    source: str = ""

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters (for links and hidden fields)."""
        query = {}
        if self.category is not None:
            query["category"] = str(self.category.pk)
        if self.languages:
            query["languages"] = "-".join(self.languages)
        if self.band:
            query["band"] = self.band
        if self.source:
            query["source"] = self.source
        return query

    def __bool__(self) -> bool:
        return bool(self.as_query())


def language_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def queued(filters: Filters = Filters()) -> MatchQuerySet:
    """The queue under ``filters``, highest impact first, then by probability."""
    qs = Match.objects.in_review_queue()
    if filters.category is not None:
        tree = filters.category.tree_ids()
        qs = qs.filter(Q(sku_a__category_id__in=tree) | Q(sku_b__category_id__in=tree))
    if filters.languages:
        qs = qs.filter(review_languages="-".join(language_pair(*filters.languages)))
    if filters.band:
        low, high = BAND_RANGES[filters.band]
        # Audit samples are blind: a score filter must not reveal them.
        qs = qs.filter(probability__gte=low, probability__lt=high, is_audit_sample=False)
    if filters.source:
        qs = qs.filter(Q(sku_a__source=filters.source) | Q(sku_b__source=filters.source))
    return qs.order_by(*ORDER)


def place_new_pairs(*, limit: int = 2000) -> int:
    """Give pairs queued since the last refresh (impact still 0) their place in the order
    and their language pair.

    The pipeline queues pairs without computing their impact; this runs before the
    queue is read, and a periodic task recomputes everything. Returns rows updated.
    """
    # Ids first, from the queue's partial index alone: joined to the SKUs, the usual
    # "none" took 20-30 ms, because PostgreSQL, counting every unqueued row's impact
    # of 0, expected 200,000 new pairs and started parallel workers to find them.
    new = list(Match.objects.in_review_queue().filter(review_impact=0).order_by().values_list("pk", flat=True)[:limit])
    if not new:
        return 0
    pairs = Match.objects.filter(pk__in=new).values_list("sku_a__product_id", "sku_b__product_id")
    return Match.refresh_review_impact(product_ids=sorted({p for pair in pairs for p in pair}))


def skipped_recently(user: Any) -> Exists:
    """Pairs the user skipped within REVIEWS_SKIP_HOURS (and did not undo): not offered again."""
    since = timezone.now() - timedelta(hours=settings.REVIEWS_SKIP_HOURS)
    return Exists(
        Decision.objects.filter(
            match=OuterRef("pk"),
            reviewer=user,
            action=Decision.Action.SKIP,
            created_at__gte=since,
            undone_by__isnull=True,
        )
    )


def _lock(qs: MatchQuerySet) -> MatchQuerySet:
    # SKIP LOCKED: a row another reviewer is claiming right now is passed over,
    # not waited for. The lock covers the match row only (not the joined SKUs).
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update()


def claim_next(
    user: Any,
    *,
    filters: Filters = Filters(),
    after: Match | None = None,
    before: Match | None = None,
) -> Match | None:
    """Lease the next pair to ``user`` and return it, or None when nothing is left.

    The user's own live claim comes first (a reload shows the same pair). ``after``
    and ``before`` move down or up the queue from a pair (the j and k keys).
    """
    now = timezone.now()
    qs = (
        queued(filters)
        .claimable_by(user, now=now)
        .exclude(skipped_recently(user))
    )
    if after is not None:
        qs = qs.filter(_beyond(after, descending=True))
    elif before is not None:
        qs = qs.filter(_beyond(before, descending=False)).order_by("review_impact", "probability", "-pk")
    with transaction.atomic():
        commit_without_flush()
        # Most calls follow a decision, which released the reviewer's pair: one look
        # by index at whether they hold any spares the queue-shaped query for their
        # own claim and the release of the others (~3 ms, mostly building the queries).
        holds = Match.objects.filter(claimed_by=user).exists()
        if holds and after is None and before is None:
            held = _lock(qs.filter(claimed_by=user, claimed_until__gte=now)).first()
            if held is not None:
                held.claim(by=user, seconds=settings.REVIEWS_CLAIM_SECONDS)
                return _with_related(held)
        match = _lock(qs).first()
        if match is None:
            return None
        if holds:
            _release_others(user, keep=match.pk)
        match.claim(by=user, seconds=settings.REVIEWS_CLAIM_SECONDS)
        return _with_related(match)


def commit_without_flush() -> None:
    """Let the current transaction commit without waiting for its WAL to reach disk.

    For leases and the queue order only: after a crash the last fraction of a second
    of them may be gone (a pair is unclaimed again, an order is recomputed), never
    a decision. Saves a disk flush (several ms) per request on PostgreSQL. Only in a
    transaction of its own: inside a caller's, the caller's writes would lose it too.
    """
    if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _with_related(match: Match) -> Match:
    """Load what the pair page shows with a match: both SKUs with their categories and
    the instruction, if any.

    In small queries by primary key: PostgreSQL took longer to plan one query joining
    all seven related tables than to run it (about 4 ms), and longer still to plan the
    queue query with them joined. The claimant is loaded only when the page names
    them (someone else's claim).
    """
    # Unordered: SKU's default ordering would sort the two rows (~0.2 ms more per claim).
    skus = SKU.objects.select_related("category").order_by().in_bulk([match.sku_a_id, match.sku_b_id])
    match.sku_a, match.sku_b = skus[match.sku_a_id], skus[match.sku_b_id]
    if match.instruction_id is not None:
        match.instruction = InstructionTemplate.objects.select_related("category").get(pk=match.instruction_id)
    return match


def _beyond(match: Match | None, *, descending: bool) -> Q:
    """Rows strictly after (descending) or before ``match`` in queue order."""
    assert match is not None
    # Read the anchor's place afresh: its impact may have moved since it was loaded.
    impact, probability = Match.objects.filter(pk=match.pk).values_list("review_impact", "probability").get()
    pk = match.pk
    if descending:
        return (
            Q(review_impact__lt=impact)
            | Q(review_impact=impact, probability__lt=probability)
            | Q(review_impact=impact, probability=probability, pk__gt=pk)
        )
    return (
        Q(review_impact__gt=impact)
        | Q(review_impact=impact, probability__gt=probability)
        | Q(review_impact=impact, probability=probability, pk__lt=pk)
    )


def claim(match: Match, user: Any) -> tuple[bool, Match]:
    """Lease one given pair to ``user`` if it is queued and free; returns (held, fresh row)."""
    now = timezone.now()
    with transaction.atomic():
        commit_without_flush()
        locked = (
            Match.objects.select_for_update(of=("self",)) if connection.features.has_select_for_update_of
            else Match.objects.select_for_update()
        )
        fresh = _with_related(locked.get(pk=match.pk))
        in_queue = fresh.is_queued  # read under the row lock
        free = fresh.claimed_until is None or fresh.claimed_until < now or fresh.claimed_by_id == user.pk
        if not (in_queue and free):
            return False, fresh
        _release_others(user, keep=fresh.pk)
        fresh.claim(by=user, seconds=settings.REVIEWS_CLAIM_SECONDS)
        return True, fresh


def _release_others(user: Any, *, keep: int) -> None:
    """A reviewer holds one pair at a time: opening another frees the rest for colleagues."""
    for held in _lock(Match.objects.filter(claimed_by=user).exclude(pk=keep)):
        held.release()


def held_by_other(match: Match, user: Any) -> bool:
    return (
        match.claimed_by_id is not None
        and match.claimed_by_id != user.pk
        and match.claimed_until is not None
        and match.claimed_until >= timezone.now()
    )


def facet_counts() -> dict[str, Any]:
    """Queued pairs per language pair, top-level category, score band and source.

    Counted over the whole queue, the slowest part of the page on a large queue
    (about 500 ms on a million pairs), and kept in the cache that all processes
    share. A request never recounts counts it has: once they are
    REVIEWS_COUNTS_CACHE_SECONDS old it shows them and asks a worker to recount
    (reviews.refresh_facet_counts). It counts them itself only when there are none
    (a fresh install, an emptied cache). Decisions move their pair out of (and
    undos back into) the stored counts as they are made: count_change.
    """
    tally = cache.get(COUNTS_KEY)
    if tally is None:
        tally = refresh_facet_counts()
    elif time.time() - tally["counted_at"] >= settings.REVIEWS_COUNTS_CACHE_SECONDS:
        _ask_for_recount()
    return _present(tally)


def refresh_facet_counts() -> dict[str, Any]:
    """Count the queue afresh and store the counts for every process (a worker's job)."""
    counted_at = time.time()  # the counts show the queue as it was when counting began
    tally, root_of = _count_facets()
    tally["counted_at"] = counted_at
    cache.set_many({COUNTS_KEY: tally, ROOTS_KEY: root_of}, timeout=None)
    cache.delete(RECOUNT_KEY)
    return tally


def _ask_for_recount() -> None:
    from reviews import tasks

    # One recount at a time, asked for by whichever request finds the counts due first.
    if not cache.add(RECOUNT_KEY, True, RECOUNT_LEASE_SECONDS):
        return
    try:
        tasks.refresh_facet_counts_task.delay()
    except Exception:  # the broker is down: the counts stay as they are until the lease lapses
        logger.exception("Could not ask for a recount of the review queue's counts")


def count_change(match: Match, *, was_queued: bool) -> None:
    """Move one pair into or out of the stored counts as a decision (or its undo) moves
    it into or out of the queue, so that the counts are right at once rather than at
    the next recount. ``match`` carries its two SKUs as the decision read them.

    Two processes adjusting the counts at the same moment may lose one adjustment, and
    a recount running meanwhile may have counted the pair before it moved; the next
    recount puts either right.
    """
    step = int(match.is_queued) - int(was_queued)
    if step == 0:
        return
    stored = cache.get_many([COUNTS_KEY, ROOTS_KEY])
    tally, root_of = stored.get(COUNTS_KEY), stored.get(ROOTS_KEY, {})
    if tally is None:
        return  # the next read counts afresh
    category = match.sku_a.category_id
    if category is not None and category not in root_of:
        tally["counted_at"] = 0.0  # a category newer than the counts: have them recounted
    band = next((key for key, _, low, high in BANDS if low <= match.probability < high), None)
    _tally(
        tally,
        step,
        languages=match.review_languages,
        root=root_of.get(category),
        sources={match.sku_a.source, match.sku_b.source},
        audit=match.is_audit_sample,
        bands={band: step} if band else {},
    )
    cache.set(COUNTS_KEY, tally, timeout=None)


def matching_at_least(filters: Filters, counts: dict[str, Any]) -> int:
    """A lower bound, from the facet counts, on the queued pairs matching ``filters``
    when only one filter is set (0 when the counts cannot tell).

    Languages, bands and sources are counted exactly as they filter; a top-level
    category counts the pairs whose first SKU sits under it, fewer than the filter
    (either SKU) finds. The counts may be a recount behind the queue.
    """
    query = filters.as_query()
    if len(query) != 1:
        return 0
    if filters.languages:
        return dict(counts["languages"]).get(filters.languages, 0)
    if filters.band:
        return next((n for key, _, n in counts["bands"] if key == filters.band), 0)
    if filters.source:
        return dict(counts["sources"]).get(filters.source, 0)
    assert filters.category is not None
    return next((n for _, pk, n in counts["categories"] if pk == filters.category.pk), 0)


def forget_counts() -> None:
    """Drop the stored counts: the next read counts afresh (as on a fresh install)."""
    cache.delete_many([COUNTS_KEY, ROOTS_KEY, RECOUNT_KEY])


def _count_facets() -> tuple[dict[str, Any], dict[int, int | None]]:
    """All the counts in one grouped pass over the queue (a few thousand groups at most),
    and the top-level category of every category (for count_change)."""
    paths = dict(Category.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in paths.items()}
    root_of = {pk: by_path.get(path.split(PATH_SEPARATOR)[0]) for pk, path in paths.items()}
    band_counts = {
        key: Count("pk", filter=Q(probability__gte=low, probability__lt=high)) for key, _, low, high in BANDS
    }
    groups = (
        Match.objects.in_review_queue()
        .values("review_languages", "sku_a__category_id", "sku_a__source", "sku_b__source", "is_audit_sample")
        .annotate(n=Count("pk"), **band_counts)
        .order_by()
    )
    tally: dict[str, Any] = {
        "total": 0,
        "audit": 0,
        "languages": {},
        "roots": {},
        "bands": {key: 0 for key, *_ in BANDS},
        "sources": {},
        "paths": {pk: path for pk, path in paths.items() if root_of[pk] == pk},
    }
    for group in groups:
        _tally(
            tally,
            group["n"],
            languages=group["review_languages"],
            root=root_of.get(group["sku_a__category_id"]),
            sources={group["sku_a__source"], group["sku_b__source"]},
            audit=group["is_audit_sample"],
            bands={key: group[key] for key, *_ in BANDS},
        )
    return tally, root_of


def _tally(
    tally: dict[str, Any],
    n: int,
    *,
    languages: str,
    root: int | None,
    sources: set[str],
    audit: bool,
    bands: dict[str, int],
) -> None:
    """Add ``n`` queued pairs that share these facets to ``tally`` (a negative ``n`` takes them out)."""
    tally["total"] = max(0, tally["total"] + n)
    if audit:
        tally["audit"] = max(0, tally["audit"] + n)
    else:
        # Audit samples are blind: they count in no score band.
        for key, m in bands.items():
            tally["bands"][key] = max(0, tally["bands"][key] + m)
    if languages:
        _add(tally["languages"], tuple(languages.split("-")), n)
    if root is not None:
        _add(tally["roots"], root, n)
    # A pair counts once under each source it involves.
    for source in sources:
        _add(tally["sources"], source, n)


def _add(counts: dict[Any, int], key: Any, n: int) -> None:
    counts[key] = counts.get(key, 0) + n
    if counts[key] <= 0:
        del counts[key]


def _present(tally: dict[str, Any]) -> dict[str, Any]:
    """The counts as pages show them: each facet's values, most pairs first."""
    return {
        "total": tally["total"],
        "audit": tally["audit"],
        "languages": sorted(tally["languages"].items(), key=lambda item: -item[1]),
        "categories": sorted(
            ((tally["paths"][pk], pk, n) for pk, n in tally["roots"].items()), key=lambda r: -r[2]
        ),
        "bands": [(key, label, tally["bands"][key]) for key, label, *_ in BANDS],
        "sources": sorted(tally["sources"].items(), key=lambda item: -item[1]),
    }
