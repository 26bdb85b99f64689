"""The one place alignment learns of catalog changes."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from alignment import queueing
from catalog.signals import sku_changed


@receiver(sku_changed, dispatch_uid="alignment.enqueue_changed_skus")
def enqueue_changed_skus(sender: Any, *, sku_ids: list[int], **kwargs: Any) -> None:
    """Mark the SKUs pending and enqueue their alignment once the transaction commits."""
    queueing.enqueue_alignment(sku_ids)
