"""The one signal through which the catalog announces SKU changes.

``sku_changed`` is sent after the transaction that created SKUs or changed their
text commits, with ``sku_ids`` (a list of primary keys). Other apps listen to it;
the catalog never imports them.
"""

from __future__ import annotations

from django.dispatch import Signal

sku_changed = Signal()
