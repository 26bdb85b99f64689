"""Recording reviewers' decisions and undoing them.

Every effect on products goes through alignment's Match methods (confirm merges,
reject records the cannot-link and splits an audited automatic merge) and
catalog.merging (undo). Each call writes one Decision row, the audit trail.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from alignment.changes import text_snapshot
from alignment.models import Match
from catalog import merging
from catalog.models import SKU, ProductEvent
from reviews import queue
from reviews.models import Decision


class DecisionError(Exception):
    """A decision or undo that cannot be made; the message is for the reviewer."""


def snapshot(sku: SKU) -> dict[str, Any]:
    """What the reviewer saw of one SKU: its text, where it came from, its product then."""
    return {
        **text_snapshot(sku),
        "source": sku.source,
        "sku_code": sku.sku_code,
        "product_id": sku.product_id,
    }


def _locked_match(pk: int) -> Match:
    qs = Match.objects.select_related("sku_a", "sku_b", "claimed_by")
    if connection.features.has_select_for_update_of:
        return qs.select_for_update(of=("self",)).get(pk=pk)
    return qs.select_for_update().get(pk=pk)


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
    return list(SKU.objects.filter(pk__in=sku_ids).values_list("product_id", flat=True).distinct())


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
    with transaction.atomic():
        match = _locked_match(match_id)
        if not Match.objects.in_review_queue().filter(pk=match.pk).exists():
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
        before = _products_of(match.sku_a_id, match.sku_b_id)
        status_before = match.status
        seen = {"a": snapshot(match.sku_a), "b": snapshot(match.sku_b)}
        event: ProductEvent | None = None
        if action == Decision.Action.CONFIRM:
            event = match.confirm(by=by)
        elif action == Decision.Action.REJECT:
            event = match.reject(by=by)
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
        if action != Decision.Action.SKIP:
            Match.refresh_review_impact(
                product_ids=sorted({*before, *_products_of(match.sku_a_id, match.sku_b_id)})
            )
    return decision


def undoable(user: Any) -> Any:
    """The user's own recent decisions that an undo may still reverse, newest first."""
    since = timezone.now() - timedelta(hours=settings.REVIEWS_UNDO_HOURS)
    return (
        Decision.objects.by(user)
        .exclude(action=Decision.Action.UNDO)
        .standing()
        .filter(created_at__gte=since)
        .select_related("match")
    )


def undo_decision(decision_id: int, *, by: Any, note: str = "") -> Decision:
    """Reverse one of ``by``'s recent decisions and record the undo as a Decision.

    Undoing a confirm splits off exactly the SKUs that confirm's merge moved;
    undoing the reject of an audited automatic merge puts back exactly what the
    reject split off. Refused (nothing changed) when later changes would make
    the reversal touch anything else.
    """
    with transaction.atomic():
        try:
            decision = Decision.objects.select_for_update().get(pk=decision_id)
        except Decision.DoesNotExist:
            raise DecisionError("That decision does not exist.") from None
        if decision.reviewer_id != by.pk:
            raise DecisionError("You can only undo your own decisions.")
        if decision.action == Decision.Action.UNDO:
            raise DecisionError("An undo cannot itself be undone; decide the pair again instead.")
        if Decision.objects.filter(undoes=decision).exists():
            raise DecisionError("That decision was already undone.")
        if decision.created_at < timezone.now() - timedelta(hours=settings.REVIEWS_UNDO_HOURS):
            raise DecisionError(
                f"Decisions older than {settings.REVIEWS_UNDO_HOURS} hours cannot be undone here; "
                "ask a catalog admin to split or merge from the product page."
            )
        match = _locked_match(decision.match_id)
        before = _products_of(match.sku_a_id, match.sku_b_id)
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
        if decision.action != Decision.Action.SKIP:
            Match.refresh_review_impact(
                product_ids=sorted({*before, *_products_of(match.sku_a_id, match.sku_b_id)})
            )
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
