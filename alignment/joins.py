"""When the machine may join two products: the cannot-link and conflict rules.

The catalog only moves SKUs (``catalog.merging``); whether an automatic merge
may happen is decided here, because it depends on the matches. A refused join
sends the pair to review with the reason (``Match.hold_reason``). A human
confirm is not subject to these rules: people may override the machine.
"""

from __future__ import annotations

from collections.abc import Callable

from alignment.models import Match
from catalog.merging import MergeError
from catalog.models import SKU, Product

Pair = tuple[int, int]
# Joining two products scores their missing cross pairs on the spot, up to this many.
MAX_CROSS_PAIRS = 50


def existing_matches(keys: list[Pair]) -> dict[Pair, Match]:
    """The Match rows of these (ordered) pairs, by pair."""
    if not keys:
        return {}
    ids = {i for key in keys for i in key}
    wanted = set(keys)
    rows = Match.objects.filter(sku_a__in=ids, sku_b__in=ids)
    return {(m.sku_a_id, m.sku_b_id): m for m in rows if (m.sku_a_id, m.sku_b_id) in wanted}


def join_refusal(
    a: SKU,
    b: SKU,
    *,
    review: float,
    score_missing: Callable[[list[Pair], dict[int, SKU]], dict[Pair, float]],
    batch_scores: dict[Pair, float] | None = None,
) -> str | None:
    """Why the machine may not put a's and b's products together (None: it may).

    The rules, in order:

    1. a human decision wins: if any SKU of one product has a rejected Match with
       any SKU of the other, the join is refused (cannot-link, until a text
       changes materially and the pair is re-opened);
    2. two SKUs of the same language and the same source never end up in one
       product automatically;
    3. no weak bridges: when either product already holds several SKUs, every
       cross pair (one SKU from each side) must score at least the review
       threshold. Cross pairs without a Match (and not in ``batch_scores``,
       the pairs being written) are scored now by ``score_missing`` (up to
       MAX_CROSS_PAIRS; more than that goes to review).

    Locks both products for the rest of the transaction and brings ``a.product_id``
    and ``b.product_id`` up to date under those locks, so that the caller may merge
    with ``merge_products(..., locked=True)``.
    """
    members = _lock_members(a, b)
    side_a = [s for s in members if s.product_id == a.product_id]
    side_b = [s for s in members if s.product_id == b.product_id]
    if a.product_id == b.product_id:
        return None  # already one product
    cross = [Match.ordered(x.pk, y.pk) for x in side_a for y in side_b]
    matches = existing_matches(cross)
    rejected = sorted(key for key, m in matches.items() if m.status == Match.Status.REJECTED)
    if rejected:
        x, y = rejected[0]
        return f"A reviewer rejected SKUs {x} and {y}, which would end up in one product."
    sources = {(s.language, s.source): s.pk for s in side_a}
    for s in side_b:
        if (s.language, s.source) in sources:
            return (
                f"SKUs {sources[(s.language, s.source)]} and {s.pk} have the same language and "
                f"source ({s.language}, {s.source}) and would end up in one product."
            )
    if len(side_a) == 1 and len(side_b) == 1:
        return None
    scores = {key: m.probability for key, m in matches.items() if m.status != Match.Status.STALE}
    wanted = set(cross)
    scores.update({key: p for key, p in (batch_scores or {}).items() if key in wanted})
    missing = [key for key in cross if key not in scores]
    if len(missing) > MAX_CROSS_PAIRS:
        return f"Joining these products needs {len(missing)} more pairs scored; please review."
    if missing:
        scores.update(score_missing(missing, {s.pk: s for s in members}))
    weak = [(key, p) for key, p in scores.items() if key in wanted and p < review]
    if weak:
        (x, y), p = min(weak, key=lambda item: item[1])
        return (
            f"Weak bridge: SKUs {x} and {y} would end up in one product but score only "
            f"{p:.2f} (below {review:.2f})."
        )
    return None


def _members(product_ids: list[int]) -> list[SKU]:
    return list(SKU.objects.filter(product_id__in=product_ids).order_by("pk"))


def _lock_members(a: SKU, b: SKU) -> list[SKU]:
    """Lock both SKUs' current products (in id order: no deadlock between workers) and
    return every SKU in them, read under the locks.

    A merge in another worker may move a or b between finding its product and the
    lock; the rules must then see the product it is in now, with all its members,
    so the lock is taken again. ``a.product_id`` and ``b.product_id`` are brought
    up to date.
    """
    for _ in range(5):
        current = SKU.objects.filter(pk__in=[a.pk, b.pk]).values("product_id")
        locked = list(
            Product.objects.select_for_update().filter(pk__in=current).order_by("pk").values_list("pk", flat=True)
        )
        members = _members(locked)
        found = {s.pk: s.product_id for s in members if s.pk in (a.pk, b.pk)}
        if a.pk in found and b.pk in found:
            a.product_id, b.product_id = found[a.pk], found[b.pk]
            return members
        if SKU.objects.filter(pk__in=[a.pk, b.pk]).count() < 2:
            raise MergeError("Both SKUs must exist to merge their products.")
    raise MergeError("The products kept changing during the merge; try again.")
