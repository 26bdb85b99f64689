"""Merging and splitting products: moving SKUs between clusters, with a history.

These functions only move SKUs and record ``ProductEvent`` rows. Whether two
products *may* merge (human cannot-links, conflicts) is decided by the caller:
the alignment app knows the matches, the catalog does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from catalog.models import SKU, Product, ProductEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class MergeError(ValueError):
    """A merge or split that cannot be done as asked (nothing is changed)."""


def merge_products(
    keep_sku: SKU,
    other_sku: SKU,
    *,
    via: str,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    match_ref: int | None = None,
    locked: bool = False,
) -> ProductEvent | None:
    """Put the two SKUs' products together; return the event, or None if already together.

    The older product (lower id) keeps its id whichever SKU is passed first; every
    SKU of the younger one moves to it, and the younger one points at it through
    ``merged_into``. The SKU objects passed in are refreshed to the new product.

    ``locked``: the caller's transaction already holds both products' row locks and
    read the two SKUs under them, so their ``product_id`` is current; the products
    are then read without locking and reading the SKUs again, and no savepoint is
    taken: an error in here rolls back the caller's whole transaction.
    """
    with transaction.atomic(savepoint=not locked):
        first, second = _locked_products(keep_sku, other_sku) if locked else _lock_products(keep_sku, other_sku)
        if first.pk == second.pk:
            _refresh_products(first, keep_sku, other_sku)
            return None
        survivor, absorbed = (first, second) if first.pk < second.pk else (second, first)
        moved = list(absorbed.skus.order_by("pk").values_list("pk", flat=True))
        SKU.objects.filter(pk__in=moved).update(product=survivor)
        absorbed.merged_into = survivor
        absorbed.save(update_fields=["merged_into", "updated_at"])
        survivor.save(update_fields=["updated_at"])
        event = ProductEvent.objects.create(
            kind=ProductEvent.Kind.MERGE, product=survivor, other_product=absorbed, sku_ids=moved,
            **_provenance(via=via, actor=actor, reason=reason, match_ref=match_ref),
        )
    _refresh_products(survivor, keep_sku, other_sku)
    return event


def split_skus(
    sku_ids: Iterable[int],
    *,
    via: str,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    match_ref: int | None = None,
) -> ProductEvent:
    """Move the given SKUs out of their product into a new product of their own.

    All SKUs must currently belong to one product, and at least one SKU must stay
    behind (splitting a whole product would only rename it). Raises MergeError
    and changes nothing otherwise.
    """
    ids = sorted(set(sku_ids))
    if not ids:
        raise MergeError("Choose at least one SKU to split off.")
    with transaction.atomic():
        skus = list(SKU.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        missing = set(ids) - {sku.pk for sku in skus}
        if missing:
            raise MergeError(f"Unknown SKU ids: {', '.join(map(str, sorted(missing)))}.")
        product_ids = {sku.product_id for sku in skus}
        if len(product_ids) != 1:
            raise MergeError(
                "The SKUs to split belong to different products "
                f"({', '.join(map(str, sorted(product_ids)))}); split one product at a time."
            )
        source = Product.objects.select_for_update().get(pk=product_ids.pop())
        if not source.skus.exclude(pk__in=ids).exists():
            raise MergeError(
                f"These are all the SKUs of product {source.pk}; at least one must stay."
            )
        new_product = Product.objects.create()
        SKU.objects.filter(pk__in=ids).update(product=new_product)
        source.save(update_fields=["updated_at"])
        return ProductEvent.objects.create(
            kind=ProductEvent.Kind.SPLIT, product=source, other_product=new_product, sku_ids=ids,
            **_provenance(via=via, actor=actor, reason=reason, match_ref=match_ref),
        )


def _lock_products(a: SKU, b: SKU) -> tuple[Product, Product]:
    """Lock both SKUs' current products, in id order so concurrent merges cannot deadlock.

    The product ids are read from the database (the SKU objects may be out of date)
    and read again once locked: a concurrent merge may have moved a SKU meanwhile.
    """
    for _ in range(5):
        current = dict(SKU.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "product_id"))
        if a.pk not in current or b.pk not in current:
            raise MergeError("Both SKUs must exist to merge their products.")
        pids = sorted({current[a.pk], current[b.pk]})
        locked = {
            p.pk: p for p in Product.objects.select_for_update().filter(pk__in=pids).order_by("pk")
        }
        again = dict(SKU.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "product_id"))
        if again == current:
            return locked[current[a.pk]], locked[current[b.pk]]
    raise MergeError("The products kept changing during the merge; try again.")


def lock_products_of(sku_ids: Iterable[int]) -> dict[int, int]:
    """Lock the current products of these SKUs; return each SKU's product id, read under the locks.

    For the caller's transaction. Products are locked in id order, as merges lock
    them, and the SKUs are read again once locked, as in ``_lock_products``: a
    concurrent merge may have moved one meanwhile. While the locks are held no
    merge or split can move these SKUs. SKUs that no longer exist are left out.
    """
    ids = sorted(set(sku_ids))
    for _ in range(5):
        current = dict(SKU.objects.filter(pk__in=ids).values_list("pk", "product_id"))
        list(
            Product.objects.select_for_update()
            .filter(pk__in=set(current.values()))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        again = dict(SKU.objects.filter(pk__in=ids).values_list("pk", "product_id"))
        if again == current:
            return current
    raise MergeError("The products kept changing during the merge; try again.")


def _locked_products(a: SKU, b: SKU) -> tuple[Product, Product]:
    """Both SKUs' products, when the caller holds their locks and read the SKUs under them."""
    products = Product.objects.in_bulk({a.product_id, b.product_id})
    return products[a.product_id], products[b.product_id]


def _provenance(
    *, via: str, actor: AbstractBaseUser | None, reason: str, match_ref: int | None
) -> dict[str, object]:
    """Who or what made a change, and why: the fields every event records."""
    if not via:
        raise MergeError("Say what made the change (via: auto, review, import, admin, undo).")
    return {"via": via, "actor": actor, "reason": reason, "match_ref": match_ref}


def _refresh_products(product: Product, *skus: SKU) -> None:
    for sku in skus:
        sku.product = product
