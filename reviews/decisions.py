"""Recording reviewers' decisions and undoing them.

Every effect on products goes through alignment's Match methods (confirm merges,
reject records the cannot-link and splits an audited automatic merge) and
catalog.merging (undo). Each call writes one Decision row, the audit trail.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from alignment.changes import text_snapshot
from alignment.models import Match
from catalog import merging
from catalog.models import SKU, Product, ProductEvent
from reviews import queue
from reviews.models import Decision


T = TypeVar("T")
ATTEMPTS = 20
logger = logging.getLogger(__name__)


class DecisionError(Exception):
    """A decision or undo that cannot be made; the message is for the reviewer."""


class NoSuchPair(DecisionError):
    """The pair to decide does not exist (or no longer does)."""


def snapshot(sku: SKU) -> dict[str, Any]:
    """What the reviewer saw of one SKU: its text, where it came from, its product then."""
    return {
        **text_snapshot(sku),
        "source": sku.source,
        "sku_code": sku.sku_code,
        "product_id": sku.product_id,
    }


def _locked_match(pk: int, skus: dict[int, SKU]) -> Match:
    """The match row, locked, with its two SKUs as read under their products' locks."""
    qs = Match.objects.select_for_update(of=("self",)) if connection.features.has_select_for_update_of else (
        Match.objects.select_for_update()
    )
    match = qs.get(pk=pk)
    match.sku_a, match.sku_b = skus[match.sku_a_id], skus[match.sku_b_id]
    return match


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _already_decided(match: Match) -> DecisionError:
    last = (
        Decision.objects.filter(match=match).verdicts().standing().select_related("reviewer").first()
    )
    if last is not None:
        return DecisionError(
            f"{last.reviewer.get_username()} already {last.get_action_display().lower()} this pair "
            f"at {_when(last.created_at)}; your decision was not recorded."
        )
    return DecisionError(
        f"This pair is no longer waiting for review ({match.get_status_display().lower()}); "
        "your decision was not recorded."
    )


def _products_of(*sku_ids: int) -> list[int]:
    return sorted(set(SKU.objects.filter(pk__in=sku_ids).values_list("product_id", flat=True)))


class _ProductsMoved(Exception):
    """A concurrent merge moved a SKU between reading its product and locking it."""


def _lock_pair_products(match_id: int) -> tuple[list[int], dict[int, SKU]]:
    """Lock the products of the match's two SKUs (found by subquery: no read before
    the lock) in id order, then read the SKUs under those locks, as _lock_products.

    Raises NoSuchPair when the match (or one of its SKUs) does not exist.
    """
    match = Match.objects.filter(pk=match_id).order_by()
    either = Q(pk=Subquery(match.values("sku_a_id"))) | Q(pk=Subquery(match.values("sku_b_id")))
    current = SKU.objects.filter(either).order_by()
    ids = list(
        Product.objects.select_for_update()
        .filter(pk__in=current.values("product_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    skus = {sku.pk: sku for sku in current}
    if len(skus) != 2:
        raise NoSuchPair("That pair no longer exists.")
    if sorted({sku.product_id for sku in skus.values()}) != ids:
        raise _ProductsMoved
    return ids, skus


def _lock_products(*sku_ids: int) -> tuple[list[int], dict[int, SKU]]:
    """Lock the SKUs' products in id order before anything else, so that concurrent
    decisions (and merges, which lock products first too) queue instead of deadlocking.

    Returns the products and the SKUs as read once the products are locked.
    """
    ids = _products_of(*sku_ids)
    list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    skus = SKU.objects.in_bulk(sku_ids)
    if sorted({sku.product_id for sku in skus.values()}) != ids:
        raise _ProductsMoved
    return ids, skus


def _retrying(work: Callable[[], T]) -> T:
    """Run ``work`` in a transaction; run it again when products moved under it or
    PostgreSQL broke a deadlock (the failed attempt wrote nothing)."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return work()
        except _ProductsMoved:
            reason = "products moved"
        except OperationalError as error:
            if "deadlock detected" not in str(error) or connection.in_atomic_block:
                raise
            reason = "deadlock"
        logger.info("decision attempt %d failed (%s); retrying", attempt + 1, reason)
        time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    logger.warning("decision gave up after %d attempts (last: %s)", ATTEMPTS, reason)
    raise DecisionError("Other changes to these products kept getting in the way; nothing was recorded, try again.")


def _refresh_impact(product_ids: set[int]) -> None:
    # After the decision's transaction: the queue order is a heuristic and must
    # not hold locks on other pairs while reviewers decide them.
    with transaction.atomic():
        queue.commit_without_flush()
        Match.refresh_review_impact(product_ids=sorted(product_ids))


def _count_change(match: Match, *, was_queued: bool) -> None:
    # After the commit (at once when no caller's transaction is open): every reviewer
    # reads these counts, and a decision rolled back must not show in them.
    transaction.on_commit(functools.partial(queue.count_change, match, was_queued=was_queued))


def _touched(before: list[int], event: ProductEvent | None) -> set[int]:
    """The products a decision involved: the pair's products before, and the ones its merge or split wrote."""
    return {*before, event.product_id, event.other_product_id} if event else set(before)


def record_decision(
    match_id: int,
    *,
    by: Any,
    action: str,
    note: str = "",
    seen_hashes: tuple[str, str] | None = None,
) -> Decision:
    """Confirm, reject or skip one queued pair for reviewer ``by``.

    The match row is locked first, so of two reviewers deciding at once exactly one
    succeeds; the other gets a DecisionError saying who decided. ``seen_hashes``
    are the content hashes the reviewer's page showed: if a SKU changed since,
    the decision is refused rather than made on text nobody read.
    """
    def work() -> tuple[Decision, set[int]]:
        before, skus = _lock_pair_products(match_id)
        match = _locked_match(match_id, skus)
        if not match.is_queued:  # read under the row lock
            raise _already_decided(match)
        if queue.held_by_other(match, by):
            raise DecisionError(
                f"{match.claimed_by.get_username()} is reviewing this pair until "
                f"{_when(match.claimed_until)}; your decision was not recorded."
            )
        if seen_hashes is not None and seen_hashes != (
            match.sku_a.content_hash, match.sku_b.content_hash
        ):
            raise DecisionError(
                "One of the two SKUs was edited after you opened the pair; "
                "read the new text and decide again."
            )
        status_before = match.status
        seen = {"a": snapshot(match.sku_a), "b": snapshot(match.sku_b)}
        event: ProductEvent | None = None
        if action == Decision.Action.CONFIRM:
            event = match.confirm(by=by, skus_locked=True)
        elif action == Decision.Action.REJECT:
            event = match.reject(by=by, skus_locked=True)
        elif action == Decision.Action.SKIP:
            match.release()
        else:
            raise DecisionError(f"Unknown action {action!r}.")
        decision = Decision.objects.create(
            match=match,
            reviewer=by,
            action=action,
            note=note.strip(),
            probability=match.probability,
            blind=match.is_audit_sample and status_before == Match.Status.AUTO_MERGED,
            status_before=status_before,
            status_after=match.status,
            seen=seen,
            product_event=event,
        )
        return decision, _touched(before, event)

    decision, touched = _retrying(work)
    if action != Decision.Action.SKIP:
        _refresh_impact(touched)
        _count_change(decision.match, was_queued=True)
    return decision


def undoable(user: Any) -> Any:
    """The user's own recent decisions that an undo may still reverse, newest first."""
    since = timezone.now() - timedelta(hours=settings.REVIEWS_UNDO_HOURS)
    return (
        Decision.objects.by(user)
        .exclude(action=Decision.Action.UNDO)
        .standing()
        .filter(created_at__gte=since)
    )


def undo_decision(decision_id: int, *, by: Any, note: str = "") -> Decision:
    """Reverse one of ``by``'s recent decisions and record the undo as a Decision.

    Undoing a confirm splits off exactly the SKUs that confirm's merge moved;
    undoing the reject of an audited automatic merge puts back exactly what the
    reject split off. Refused (nothing changed) when later changes would make
    the reversal touch anything else.
    """
    try:
        decision = Decision.objects.select_related("match").get(pk=decision_id)
    except Decision.DoesNotExist:
        raise DecisionError("That decision does not exist.") from None
    if decision.reviewer_id != by.pk:
        raise DecisionError("You can only undo your own decisions.")
    if decision.action == Decision.Action.UNDO:
        raise DecisionError("An undo cannot itself be undone; decide the pair again instead.")
    if decision.created_at < timezone.now() - timedelta(hours=settings.REVIEWS_UNDO_HOURS):
        raise DecisionError(
            f"Decisions older than {settings.REVIEWS_UNDO_HOURS} hours cannot be undone here; "
            "ask a catalog admin to split or merge from the product page."
        )
    pair = (decision.match.sku_a_id, decision.match.sku_b_id)

    def work() -> tuple[Decision, set[int]]:
        before, skus = _lock_products(*pair)
        match = _locked_match(decision.match_id, skus)
        # Checked under the pair's lock: two undos of one decision cannot both pass.
        if Decision.objects.filter(undoes=decision).exists():
            raise DecisionError("That decision was already undone.")
        event: ProductEvent | None = None
        if decision.action != Decision.Action.SKIP:
            if match.status != decision.status_after:
                raise DecisionError(
                    f"The pair has changed since that decision (now {match.get_status_display().lower()}); "
                    "nothing was undone."
                )
            event = _reverse_products(decision, match, by=by)
            if decision.status_before == Match.Status.AUTO_MERGED:
                match.restore_audit_sample()
            else:
                match.reopen()
        undo = Decision.objects.create(
            match=match,
            reviewer=by,
            action=Decision.Action.UNDO,
            note=note.strip(),
            probability=match.probability,
            blind=decision.blind,
            status_before=decision.status_after,
            status_after=match.status,
            seen={"a": snapshot(match.sku_a), "b": snapshot(match.sku_b)},
            product_event=event,
            undoes=decision,
        )
        return undo, _touched(before, event)

    undo, touched = _retrying(work)
    if decision.action != Decision.Action.SKIP:
        _refresh_impact(touched)
        _count_change(undo.match, was_queued=False)
    return undo


def _reverse_products(decision: Decision, match: Match, *, by: Any) -> ProductEvent | None:
    """Move SKUs back to where they were before ``decision``; None when it moved none."""
    done = decision.product_event
    if done is None:
        return None
    moved = sorted(done.sku_ids)
    current = dict(SKU.objects.filter(pk__in=[*moved, match.sku_a_id, match.sku_b_id]).values_list("pk", "product_id"))
    moved_products = {current.get(pk) for pk in moved}
    reason = f"Undo of decision {decision.pk} ({decision.get_action_display().lower()})"
    if done.kind == ProductEvent.Kind.MERGE:
        # The SKUs the merge moved must still sit together with the pair's other side.
        stayed = match.sku_a_id if match.sku_a_id not in moved else match.sku_b_id
        if moved_products != {current[stayed]}:
            raise DecisionError(
                "Some SKUs that this confirm merged have moved since; nothing was undone. "
                "Split them from the product history page."
            )
        return merging.split_skus(moved, via="undo", actor=by, reason=reason, match_ref=match.pk)
    # A split: the SKUs split off must still form their own product, with nothing added.
    if len(moved_products) != 1 or set(
        SKU.objects.filter(product_id=next(iter(moved_products))).values_list("pk", flat=True)
    ) != set(moved):
        raise DecisionError(
            "The SKUs that this reject split off have changed product since; nothing was undone."
        )
    stayed = match.sku_a if match.sku_a_id not in moved else match.sku_b
    back = SKU.objects.get(pk=moved[0])
    return merging.merge_products(stayed, back, via="undo", actor=by, reason=reason, match_ref=match.pk)
