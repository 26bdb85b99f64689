"""A product's history: every merge and split that touched it, and who or what made it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from catalog.models import SKU, Product, ProductEvent
from reviews.models import Decision

VIA_LABELS = {
    "auto": "automatic merge (alignment)",
    "import": "catalog import",
    "review": "review decision",
    "admin": "catalog admin",
    "undo": "undo of a review decision",
}


def family(product: Product) -> set[int]:
    """The product and every product ever merged into it or split off from it."""
    ids = {product.pk}
    frontier = {product.pk}
    while frontier:
        merged = set(Product.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        split_off = set(
            ProductEvent.objects.filter(kind=ProductEvent.Kind.SPLIT, product_id__in=frontier)
            .values_list("other_product_id", flat=True)
        )
        frontier = (merged | split_off) - ids - {None}
        ids |= frontier
    return ids


def product_history(product: Product) -> dict[str, Any]:
    live = product.resolve()
    ids = family(live) | {product.pk}
    events = list(
        ProductEvent.objects.filter(Q(product_id__in=ids) | Q(other_product_id__in=ids))
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    by_event = {
        d.product_event_id: d
        for d in Decision.objects.filter(product_event__in=events).select_related("reviewer", "undoes")
    }
    moved = {pk for event in events for pk in event.sku_ids}
    skus = SKU.objects.in_bulk(moved)
    rows = [
        {
            "event": event,
            "via": VIA_LABELS.get(event.via, event.via),
            "decision": by_event.get(event.pk),
            "skus": [skus[pk] for pk in event.sku_ids if pk in skus],
        }
        for event in events
    ]
    return {
        "product": product,
        "live": live,
        "skus": live.skus.order_by("language", "source"),
        "rows": rows,
    }
