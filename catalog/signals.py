"""The one signal through which the catalog announces SKU changes.

``sku_changed`` is sent after the transaction that created SKUs or changed their
text commits, with ``sku_ids`` (a list of primary keys). Other apps listen to it;
the catalog never imports them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

from catalog.models import SKU

sku_changed = Signal()


def announce_on_commit(sku_ids: Sequence[int]) -> None:
    """Send ``sku_changed`` for these SKUs once the current transaction commits.

    Large batches go out in chunks of CATALOG_IMPORT_CHUNK_SIZE ids, so a
    receiver never gets an unbounded list.
    """
    size = settings.CATALOG_IMPORT_CHUNK_SIZE
    for start in range(0, len(sku_ids), size):
        chunk = list(sku_ids[start : start + size])
        transaction.on_commit(lambda ids=chunk: sku_changed.send(sender=SKU, sku_ids=ids))
