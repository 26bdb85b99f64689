"""Candidate retrieval: for each SKU, the K most likely same-product SKUs in other languages.

Two signals, fused by reciprocal rank fusion (RRF, k=60):

- embedding: cosine of the stored e5 vectors (``alignment.embeddings``), searched
  exactly in an in-memory float32 (or float16) matrix by blocks with
  ``argpartition``; a shortlist of ``SHORTLIST_FACTOR * K`` (at least 50). A search
  over every row (an uncategorised SKU) in a large index goes through inverted
  files instead (``InvertedLists``, one per language: k-means cells, the nearest
  cells probed), which is approximate;
- lexical: the evidence that survives translation (model codes, numbers with
  units, Latin words such as brands; ``alignment.scorers.lexical.extract``), in an
  inverted index weighted by inverse document frequency; a conflicting quantity
  (1.7 L vs 1.5 L) lowers the weight.

Candidates are restricted to other languages and, when the SKU's category is
known, to the same category tree (the root category's tree); SKUs without a
category stay candidates of every tree. Each candidate records how it was found
(embedding rank, lexical rank, fused rank) for ``Match.retrieval``.

The index lives in the worker process and is synced from ``SKUEmbedding`` by
``updated_at`` before each use, so it grows with the catalog without reloading.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from alignment.embeddings import from_bytes, model_name, sku_text
from alignment.models import SKUEmbedding
from catalog.models import PATH_SEPARATOR, SKU, Category, Language

if TYPE_CHECKING:
    import numpy as np

RRF_K = 60
SHORTLIST_FACTOR = 5
MIN_SHORTLIST = 50
LEXICAL_POOL = 50
# Keys carried by more than this share of the index say nothing (e.g. "usb").
MAX_KEY_SHARE = 0.05
LANGUAGE_CODES = {code: i for i, code in enumerate(Language.values)}
NO_ROOT = -1
DEAD = -1
# Rows written by transactions that committed late may carry an earlier
# updated_at than the last sync: re-read this far back.
SYNC_MARGIN = timedelta(minutes=2)


@dataclass
class Candidate:
    sku_id: int
    fused_rank: int
    fused_score: float
    cosine: float | None = None
    embedding_rank: int | None = None
    lexical_rank: int | None = None
    lexical_weight: float = 0.0

    def provenance(self) -> dict[str, Any]:
        """How the candidate was found, as stored in ``Match.retrieval``."""
        return {
            "embedding_rank": self.embedding_rank,
            "lexical_rank": self.lexical_rank,
            "fused_rank": self.fused_rank,
            "fused_score": round(self.fused_score, 6),
            "cosine": None if self.cosine is None else round(self.cosine, 4),
            "lexical_weight": round(self.lexical_weight, 4),
        }


# Rows carry, after the vector, a one-hot language slot and a "dead" slot; a query
# carries -PENALTY in its own language's slot and in the dead slot. The matrix
# product then excludes same-language and removed rows by itself, with no
# per-element masking: their score drops below -1 (a cosine never does).
EXTRA_SLOTS = 8
DEAD_SLOT = len(LANGUAGE_CODES)
PENALTY = 4.0
VALID_ABOVE = -2.0
# Inverted file: training rows per k-means cell; rows filed per matrix product.
KMEANS_SAMPLE = 64
ADD_BLOCK = 65_536


class _Part:
    """The rows of one category tree: a growing matrix plus the SKU id of each row."""

    def __init__(self, width: int, dtype: Any, *, min_capacity: int = 1024) -> None:
        import numpy as np

        self.min_capacity = min_capacity
        self.size = 0
        self.ids = np.empty(0, dtype=np.int64)
        self.matrix = np.empty((0, width), dtype=dtype)

    def _reserve(self, extra: int) -> None:
        import numpy as np

        if self.size + extra <= len(self.ids):
            return
        # Grows by a quarter: amortised appends without doubling the memory of a large part.
        capacity = max(self.min_capacity, len(self.ids) + len(self.ids) // 4, self.size + extra)
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self.size] = self.ids[: self.size]
        matrix = np.zeros((capacity, self.matrix.shape[1]), dtype=self.matrix.dtype)
        matrix[: self.size] = self.matrix[: self.size]
        self.ids, self.matrix = ids, matrix

    def append(self, sku_id: int, row: Any) -> int:
        self._reserve(1)
        self.ids[self.size] = sku_id
        self.matrix[self.size] = row
        self.size += 1
        return self.size - 1

    def extend(self, ids: Any, rows: Any) -> int:
        """Append many rows; return the index of the first."""
        first = self.size
        self._reserve(len(ids))
        self.ids[first : first + len(ids)] = ids
        self.matrix[first : first + len(ids)] = rows
        self.size += len(ids)
        return first


def _top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (ids, scores) of one query, best first; padded with -1 / -inf."""
    import numpy as np

    out_ids = np.full(k, -1, dtype=np.int64)
    out_scores = np.full(k, -np.inf, dtype=np.float32)
    if len(scores) > k:
        keep = np.argpartition(scores, -k)[-k:]
        scores, ids = scores[keep], ids[keep]
    order = np.argsort(-scores, kind="stable")
    out_ids[: len(order)], out_scores[: len(order)] = ids[order], scores[order]
    valid = out_scores > VALID_ABOVE
    return np.where(valid, out_ids, -1), np.where(valid, out_scores, -np.inf)


class InvertedLists:
    """An inverted file (IVF): rows grouped by their nearest k-means centroid.

    A query scores the centroids, then only the rows of its ``probes`` nearest
    cells: a small share of the index instead of all of it, at the price of
    missing a neighbour that fell into a cell not probed. The rows are copies of
    the index's extended rows (language and dead slots included), so the same
    matrix product excludes same-language and removed rows. Rows added after
    training go to their nearest cell; the cells are retrained when the index has
    doubled since.
    """

    def __init__(self, centroids: np.ndarray, *, width: int, dtype: Any, trained_on: int) -> None:
        self.centroids = centroids
        self.lists = [_Part(width, dtype, min_capacity=0) for _ in range(len(centroids))]
        self.place: dict[int, tuple[int, int]] = {}
        self.trained_on = trained_on

    @property
    def nbytes(self) -> int:
        return int(self.centroids.nbytes + sum(part.matrix.nbytes + part.ids.nbytes for part in self.lists))

    def cells_of(self, ids: np.ndarray, rows: np.ndarray, dim: int) -> np.ndarray:
        """The nearest cell of each row to file (id >= 0; -1 for the others), by blocks
        (they bound the rows x cells score matrix)."""
        import numpy as np

        cells = np.full(len(ids), -1, dtype=np.int64)
        filed = np.flatnonzero(ids >= 0)
        for start in range(0, len(filed), ADD_BLOCK):
            chosen = filed[start : start + ADD_BLOCK]
            cells[chosen] = self.nearest(rows[chosen, :dim], 1)[:, 0]
        return cells

    def fill(self, parts: list[tuple[np.ndarray, np.ndarray]], dim: int) -> None:
        """File many (ids, rows) at once, each cell allocated once at its final size."""
        import numpy as np

        cells = [self.cells_of(ids, rows, dim) for ids, rows in parts]
        every = np.concatenate(cells) if cells else np.empty(0, dtype=np.int64)
        counts = np.bincount(every[every >= 0], minlength=len(self.lists))
        for part, count in zip(self.lists, counts, strict=False):
            part._reserve(int(count))
        for (ids, rows), part_cells in zip(parts, cells, strict=True):
            self.add(ids, rows, dim, cells=part_cells)

    def add(self, ids: Any, rows: np.ndarray, dim: int, *, cells: np.ndarray | None = None) -> None:
        """File rows in their nearest cells; rows with id -1 (removed, or not this file's) are skipped."""
        import numpy as np

        ids = np.asarray(ids, dtype=np.int64)
        cells = self.cells_of(ids, rows, dim) if cells is None else cells
        order = np.argsort(cells, kind="stable")
        order = order[ids[order] >= 0]
        if not len(order):
            return
        bounds = np.flatnonzero(np.diff(cells[order])) + 1
        for members in np.split(order, bounds):
            cell = int(cells[members[0]])
            first = self.lists[cell].extend(ids[members], rows[members])
            for offset, sku_id in enumerate(ids[members].tolist()):
                self.place[sku_id] = (cell, first + offset)

    def remove(self, sku_id: int, dim: int) -> None:
        where = self.place.pop(sku_id, None)
        if where is not None:
            part = self.lists[where[0]]
            part.matrix[where[1], dim:] = 0
            part.matrix[where[1], dim + DEAD_SLOT] = 1.0
            part.ids[where[1]] = -1

    def nearest(self, vectors: np.ndarray, n: int) -> np.ndarray:
        """The n nearest cells of each vector (unordered)."""
        import numpy as np

        scores = np.asarray(vectors, dtype=np.float32) @ self.centroids.T
        n = min(n, scores.shape[1])
        return np.argpartition(scores, -n, axis=1)[:, -n:]

    def search(self, queries: np.ndarray, *, k: int, probes: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, scores) of extended queries among the rows of their nearest cells."""
        import numpy as np

        probed = self.nearest(queries[:, :dim], probes)
        found_scores: list[list[np.ndarray]] = [[] for _ in range(len(queries))]
        found_ids: list[list[np.ndarray]] = [[] for _ in range(len(queries))]
        # Cell by cell, each with every query that probes it: one matrix product per cell.
        for cell in np.unique(probed):
            part = self.lists[cell]
            if not part.size:
                continue
            members = np.flatnonzero((probed == cell).any(axis=1))
            block = part.matrix[: part.size]
            scores = queries[members] @ block.astype(np.float32, copy=False).T
            for row, query in enumerate(members.tolist()):
                found_scores[query].append(scores[row])
                found_ids[query].append(part.ids[: part.size])
        out_ids = np.full((len(queries), k), -1, dtype=np.int64)
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        for query in range(len(queries)):
            if found_scores[query]:
                out_ids[query], out_scores[query] = _top_k(
                    np.concatenate(found_scores[query]), np.concatenate(found_ids[query]), k
                )
        return out_ids, out_scores


def kmeans(
    vectors: np.ndarray, *, cells: int, seed: int = 0, iterations: int = 8, sample: int = KMEANS_SAMPLE
) -> np.ndarray:
    """Spherical k-means centroids (unit rows) of unit vectors, trained on at most ``sample`` rows per cell."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if len(vectors) > sample * cells:
        vectors = vectors[np.sort(rng.choice(len(vectors), sample * cells, replace=False))]
    vectors = np.asarray(vectors, dtype=np.float32)
    cells = min(cells, len(vectors))
    centroids = vectors[rng.choice(len(vectors), cells, replace=False)].copy()
    for _ in range(iterations):
        assigned = np.argmax(vectors @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assigned, vectors)
        counts = np.bincount(assigned, minlength=cells)
        empty = np.flatnonzero(counts == 0)
        # An empty cell restarts on a random row rather than staying dead.
        sums[empty] = vectors[rng.choice(len(vectors), len(empty), replace=False)]
        centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return centroids


class VectorIndex:
    """Top-k cosine search over growing matrices of unit vectors.

    Rows are kept per category tree (root category id), so a query searches only
    its own tree plus the uncategorised rows, exactly; the language exclusion is
    part of the matrix product (see EXTRA_SLOTS). Storage is float32 or float16
    (half the memory; blocks are widened to float32 for the product).

    A query over every tree (an uncategorised SKU) in an index of at least
    ``approximate_from`` rows searches ``InvertedLists`` instead, one per
    language, probing in each other language the ``probes`` nearest of about
    ``sqrt(rows of that language)`` cells: approximate, and the inverted lists
    hold a second copy of the rows (``nbytes`` counts both). Built on the first
    such query.

    Why one per language: e5 places a text nearer to other texts of its own
    language than to its translation, so cells trained on all languages are
    mostly one language each, and the cells nearest a query are the ones its
    language filter empties (measured on the bench catalog's e5 vectors: recall@10
    0.27 probing 7 % of the cells, against 0.95 with per-language cells).
    """

    def __init__(
        self,
        *,
        dim: int = 384,
        dtype: str = "float32",
        block_rows: int = 65_536,
        approximate_from: int = 100_000,
        probes: int = 32,
    ) -> None:
        import numpy as np

        self.dim = dim
        self.width = dim + EXTRA_SLOTS
        self.dtype = np.dtype(dtype)
        self.block_rows = block_rows
        self.approximate_from = approximate_from
        self.probes = probes
        self.parts: dict[int, _Part] = {}
        self.row_of: dict[int, tuple[int, int]] = {}
        self.inverted: dict[int, InvertedLists] | None = None  # by language slot

    def __len__(self) -> int:
        return len(self.row_of)

    @property
    def nbytes(self) -> int:
        exact = sum(part.matrix.nbytes + part.ids.nbytes for part in self.parts.values())
        return int(exact + sum(lists.nbytes for lists in (self.inverted or {}).values()))

    def _languages_of(self, rows: np.ndarray) -> np.ndarray:
        """The language slot of each extended row (DEAD_SLOT for removed rows)."""
        import numpy as np

        return np.argmax(rows[:, self.dim : self.dim + DEAD_SLOT + 1], axis=1)

    def _inverted_lists(self) -> dict[int, InvertedLists] | None:
        """The per-language inverted files when the index is large enough, (re)trained when missing or outgrown."""
        import numpy as np

        if len(self) < self.approximate_from:
            return None
        trained_on = sum(lists.trained_on for lists in (self.inverted or {}).values())
        if self.inverted is None or len(self) > 2 * trained_on:
            stored = [(part.ids[: part.size], part.matrix[: part.size]) for part in self.parts.values()]
            slots = [self._languages_of(rows) for _, rows in stored]
            counts = np.bincount(np.concatenate(slots), minlength=DEAD_SLOT + 1)
            rng = np.random.default_rng(0)
            self.inverted = {}
            for language in np.flatnonzero(counts[:DEAD_SLOT]).tolist():
                # Train on a sample of the language's live rows across the trees, then file them all.
                cells = max(1, int(math.sqrt(counts[language])))
                share = min(1.0, KMEANS_SAMPLE * cells / counts[language])
                mine = [np.where(part_slots == language, ids, -1) for (ids, _), part_slots in zip(stored, slots, strict=True)]
                sample = np.concatenate(
                    [rows[(ids >= 0) & (rng.random(len(ids)) < share), : self.dim] for ids, (_, rows) in zip(mine, stored, strict=True)]
                )
                lists = InvertedLists(
                    kmeans(sample, cells=cells), width=self.width, dtype=self.dtype, trained_on=int(counts[language])
                )
                lists.fill([(ids, rows) for ids, (_, rows) in zip(mine, stored, strict=True)], self.dim)
                self.inverted[language] = lists
        return self.inverted

    def _file(self, ids: Any, rows: np.ndarray) -> None:
        """Add rows to their language's inverted file, once trained; a new language retrains."""
        import numpy as np

        if self.inverted is None:
            return
        ids = np.asarray(ids, dtype=np.int64)
        slots = self._languages_of(rows)
        for language in np.unique(slots[slots < DEAD_SLOT]).tolist():
            if language not in self.inverted:
                self.inverted = None
                return
            self.inverted[language].add(np.where(slots == language, ids, -1), rows, self.dim)

    def _unfile(self, sku_id: int) -> None:
        for lists in (self.inverted or {}).values():
            lists.remove(sku_id, self.dim)

    def _search_inverted(
        self, inverted: dict[int, InvertedLists], queries: np.ndarray, languages: list[int], *, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k of each query over the inverted files of the other languages."""
        import numpy as np

        found: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(queries))]
        asking = np.asarray(languages)
        for language, lists in inverted.items():
            others = np.flatnonzero(asking != language)
            if len(others):
                ids, scores = lists.search(queries[others], k=k, probes=self.probes, dim=self.dim)
                for row, query in enumerate(others.tolist()):
                    found[query].append((ids[row], scores[row]))
        out_ids = np.full((len(queries), k), -1, dtype=np.int64)
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        for query, pieces in enumerate(found):
            if pieces:
                out_ids[query], out_scores[query] = _top_k(
                    np.concatenate([s for _, s in pieces]), np.concatenate([i for i, _ in pieces]), k
                )
        return out_ids, out_scores

    def _row(self, vector: Any, language: int) -> Any:
        import numpy as np

        row = np.zeros(self.width, dtype=np.float32)
        row[: self.dim] = vector
        if 0 <= language < DEAD_SLOT:
            row[self.dim + language] = 1.0
        else:
            row[self.dim + DEAD_SLOT] = 1.0
        return row

    def upsert(self, ids: Sequence[int], vectors: np.ndarray, languages: Sequence[int], roots: Sequence[int]) -> None:
        ids = [int(i) for i in ids]
        if not any(i in self.row_of for i in ids):
            self._append_new(ids, vectors, languages, roots)
            return
        for sku_id, vector, language, root in zip(ids, vectors, languages, roots, strict=True):
            sku_id, root = int(sku_id), int(root)
            row = self._row(vector, int(language))
            where = self.row_of.get(sku_id)
            if where is not None and where[0] == root:
                self.parts[root].matrix[where[1]] = row
                self._unfile(sku_id)  # the vector may now belong to another cell
                self._file([sku_id], row[None, :])
                continue
            if where is not None:
                self.remove([sku_id])
            part = self.parts.get(root)
            if part is None:
                part = self.parts[root] = _Part(self.width, self.dtype)
            self.row_of[sku_id] = (root, part.append(sku_id, row))
            self._file([sku_id], row[None, :])

    def _append_new(self, ids: list[int], vectors: np.ndarray, languages: Sequence[int], roots: Sequence[int]) -> None:
        """Add rows for new ids, a whole category tree at a time (the fast path of a load)."""
        import numpy as np

        languages = np.asarray(languages, dtype=np.int64)
        roots = np.asarray(roots, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        id_array = np.asarray(ids, dtype=np.int64)
        for root in np.unique(roots):
            members = np.flatnonzero(roots == root)
            rows = np.zeros((len(members), self.width), dtype=np.float32)
            rows[:, : self.dim] = vectors[members]
            member_languages = languages[members]
            known = (member_languages >= 0) & (member_languages < DEAD_SLOT)
            slots = np.where(known, member_languages, DEAD_SLOT)
            rows[np.arange(len(members)), self.dim + slots] = 1.0
            part = self.parts.get(int(root))
            if part is None:
                part = self.parts[int(root)] = _Part(self.width, self.dtype)
            first = part.extend(id_array[members], rows)
            for offset, sku_id in enumerate(id_array[members].tolist()):
                self.row_of[sku_id] = (int(root), first + offset)
            self._file(id_array[members], rows)

    def remove(self, ids: Iterable[int]) -> None:
        for sku_id in ids:
            where = self.row_of.pop(int(sku_id), None)
            if where is not None:
                part = self.parts[where[0]]
                part.matrix[where[1], self.dim :] = 0
                part.matrix[where[1], self.dim + DEAD_SLOT] = 1.0
                part.ids[where[1]] = -1
            self._unfile(int(sku_id))

    def search(
        self, queries: np.ndarray, *, k: int, languages: Sequence[int], roots: Sequence[int], exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, cosines) per query, best first; id -1 pads when fewer rows qualify.

        ``exact`` searches every row of the scope even where the inverted file would serve.
        """
        import numpy as np

        q = np.asarray(queries, dtype=np.float32).reshape(-1, self.dim)
        extended = np.zeros((q.shape[0], self.width), dtype=np.float32)
        extended[:, : self.dim] = q
        extended[:, self.dim + DEAD_SLOT] = -PENALTY
        for i, language in enumerate(languages):
            if 0 <= language < DEAD_SLOT:
                extended[i, self.dim + language] = -PENALTY
        out_ids = np.full((q.shape[0], k), -1, dtype=np.int64)
        out_scores = np.full((q.shape[0], k), -np.inf, dtype=np.float32)
        groups: dict[int, list[int]] = {}
        for i, root in enumerate(roots):
            groups.setdefault(int(root), []).append(i)
        for root, members in groups.items():
            inverted = self._inverted_lists() if root == NO_ROOT and not exact else None
            if inverted is not None:
                ids, scores = self._search_inverted(inverted, extended[members], [languages[m] for m in members], k=k)
            else:
                parts = list(self.parts.values()) if root == NO_ROOT else [
                    self.parts[r] for r in (root, NO_ROOT) if r in self.parts
                ]
                ids, scores = self._search_parts(extended[members], parts, k=k)
            out_ids[members], out_scores[members] = ids, scores
        return out_ids, out_scores

    def _search_parts(self, queries: np.ndarray, parts: list[_Part], *, k: int) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        n = queries.shape[0]
        best_scores = np.full((n, k), -np.inf, dtype=np.float32)
        best_ids = np.full((n, k), -1, dtype=np.int64)
        for part in parts:
            for start in range(0, part.size, self.block_rows):
                stop = min(start + self.block_rows, part.size)
                block = part.matrix[start:stop]
                if block.dtype != np.float32:
                    block = block.astype(np.float32)
                scores = queries @ block.T  # (queries, rows)
                take = min(k, stop - start)
                top = np.argpartition(scores, -take, axis=1)[:, -take:]
                merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
                merged_ids = np.concatenate([best_ids, part.ids[start:stop][top]], axis=1)
                keep = np.argpartition(merged_scores, -k, axis=1)[:, -k:]
                best_scores = np.take_along_axis(merged_scores, keep, axis=1)
                best_ids = np.take_along_axis(merged_ids, keep, axis=1)
        order = np.argsort(-best_scores, axis=1, kind="stable")
        best_scores = np.take_along_axis(best_scores, order, axis=1)
        best_ids = np.take_along_axis(best_ids, order, axis=1)
        valid = best_scores > VALID_ABOVE
        return np.where(valid, best_ids, -1), np.where(valid, best_scores, -np.inf)


@dataclass
class LexicalIndex:
    """Inverted index of the keys a text shares across languages."""

    postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    keys_of: dict[int, frozenset[str]] = field(default_factory=dict)
    quantities_of: dict[int, dict[str, set[float]]] = field(default_factory=dict)

    def upsert(self, sku_id: int, text: str) -> None:
        self.remove([sku_id])
        keys, quantities = text_keys(text)
        self.keys_of[sku_id] = keys
        self.quantities_of[sku_id] = quantities
        for key in keys:
            self.postings[key].add(sku_id)

    def remove(self, ids: Iterable[int]) -> None:
        for sku_id in ids:
            for key in self.keys_of.pop(sku_id, ()):
                self.postings[key].discard(sku_id)
            self.quantities_of.pop(sku_id, None)

    def idf(self, key: str) -> float:
        return math.log(1 + len(self.keys_of) / (1 + len(self.postings.get(key, ()))))

    def weight(self, query_id: int, other_id: int) -> float:
        """Shared keys weighted by rarity, minus a penalty per contradicted quantity."""
        shared = self.keys_of.get(query_id, frozenset()) & self.keys_of.get(other_id, frozenset())
        weight = sum(self.idf(key) for key in shared)
        mine, theirs = self.quantities_of.get(query_id, {}), self.quantities_of.get(other_id, {})
        conflicts = sum(1 for dim in mine.keys() & theirs.keys() if not mine[dim] & theirs[dim])
        return weight - 2.0 * conflicts

    def pool(self, query_id: int, *, limit: int, allowed: Any) -> list[int]:
        """The SKUs sharing the most (rare) keys with the query, best first."""
        max_postings = max(50, int(MAX_KEY_SHARE * len(self.keys_of)))
        scores: dict[int, float] = defaultdict(float)
        for key in self.keys_of.get(query_id, ()):
            posting = self.postings.get(key, ())
            if len(posting) > max_postings:
                continue
            idf = self.idf(key)
            for other in posting:
                if other != query_id and allowed(other):
                    scores[other] += idf
        return sorted(scores, key=lambda other: (-scores[other], other))[:limit]


def text_keys(text: str) -> tuple[frozenset[str], dict[str, set[float]]]:
    from alignment.scorers.lexical import extract

    evidence = extract(text)
    keys = {f"code:{code}" for code in evidence.codes}
    keys |= {f"qty:{dim}:{value:g}" for dim, value in evidence.quantities}
    keys |= {f"word:{word}" for word in evidence.words}
    quantities: dict[str, set[float]] = defaultdict(set)
    for dim, value in evidence.quantities:
        quantities[dim].add(round(value, 6))
    return frozenset(keys), dict(quantities)


def category_roots() -> dict[int, int]:
    """{category id: root category id} for every category."""
    rows = list(Category.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in rows}
    return {pk: by_path.get(path.split(PATH_SEPARATOR)[0], pk) for pk, path in rows}


class RetrievalIndex:
    """The vector and lexical indexes of every embedded SKU, synced from the database."""

    def __init__(self, *, dtype: str = "float32") -> None:
        self.vectors = VectorIndex(dtype=dtype)
        self.lexical = LexicalIndex()
        self.language_of: dict[int, int] = {}
        self.root_of: dict[int, int] = {}
        self.model = model_name()
        self.synced_at: datetime | None = None
        self.lock = threading.Lock()

    def sync(self) -> None:
        """Read embeddings written since the last sync; rebuild when rows went away."""
        with self.lock:
            stored = SKUEmbedding.objects.filter(model=self.model)
            started = timezone.now()
            if self.synced_at is None:
                self._load(stored)
            else:
                self._load(stored.filter(updated_at__gte=self.synced_at - SYNC_MARGIN))
                if stored.count() != len(self.vectors):
                    self._reset()
                    self._load(stored)
            self.synced_at = started

    def _reset(self) -> None:
        self.vectors = VectorIndex(dtype=self.vectors.dtype.name)
        self.lexical = LexicalIndex()
        self.language_of.clear()
        self.root_of.clear()

    def _load(self, rows: Any) -> None:
        roots = category_roots()
        batch: list[tuple[SKU, bytes, int]] = []
        rows = rows.select_related("sku").only(
            "vector", "dim", "sku__language", "sku__category_id", "sku__title", "sku__description",
            "sku__brand", "sku__attributes",
        )
        for row in rows.iterator(chunk_size=2000):
            batch.append((row.sku, row.vector, row.dim))
            if len(batch) >= 2000:
                self._add(batch, roots)
                batch = []
        self._add(batch, roots)

    def _add(self, batch: list[tuple[SKU, bytes, int]], roots: dict[int, int]) -> None:
        import numpy as np

        if not batch:
            return
        ids, vectors, languages, sku_roots = [], [], [], []
        for sku, raw, dim in batch:
            ids.append(sku.pk)
            vectors.append(from_bytes(raw, dim))
            languages.append(LANGUAGE_CODES.get(sku.language, DEAD))
            sku_roots.append(roots.get(sku.category_id, NO_ROOT) if sku.category_id else NO_ROOT)
            self.language_of[sku.pk] = languages[-1]
            self.root_of[sku.pk] = sku_roots[-1]
            self.lexical.upsert(sku.pk, sku_text(sku))
        self.vectors.upsert(ids, np.stack(vectors), languages, sku_roots)

    def retrieve(
        self, skus: Sequence[SKU], vectors: dict[int, np.ndarray], *, k: int | None = None
    ) -> dict[int, list[Candidate]]:
        """For each SKU (with its vector), up to K candidates fused from both signals."""
        import numpy as np

        k = k or settings.ALIGNMENT_CANDIDATES_K
        if not skus:
            return {}
        shortlist = max(MIN_SHORTLIST, SHORTLIST_FACTOR * k)
        roots = category_roots()
        query_languages = [LANGUAGE_CODES.get(s.language, DEAD) for s in skus]
        query_roots = [roots.get(s.category_id, NO_ROOT) if s.category_id else NO_ROOT for s in skus]
        matrix = np.stack([vectors[s.pk] for s in skus])
        ids, scores = self.vectors.search(matrix, k=shortlist, languages=query_languages, roots=query_roots)
        results: dict[int, list[Candidate]] = {}
        for i, sku in enumerate(skus):
            if sku.pk not in self.lexical.keys_of:
                self.lexical.upsert(sku.pk, sku_text(sku))
            cosine_of = {int(c): float(s) for c, s in zip(ids[i], scores[i], strict=True) if c >= 0}
            embedding_ranked = list(cosine_of)
            results[sku.pk] = self._fuse(
                sku.pk, embedding_ranked, cosine_of, k=k,
                allowed=self._allowed(query_languages[i], query_roots[i]),
            )
        return results

    def _allowed(self, language: int, root: int) -> Any:
        def allowed(other: int) -> bool:
            if self.language_of.get(other, DEAD) in (language, DEAD):
                return False
            other_root = self.root_of.get(other, NO_ROOT)
            return root == NO_ROOT or other_root == NO_ROOT or other_root == root

        return allowed

    def _fuse(
        self, sku_id: int, embedding_ranked: list[int], cosine_of: dict[int, float], *, k: int, allowed: Any
    ) -> list[Candidate]:
        pool = set(embedding_ranked) | set(self.lexical.pool(sku_id, limit=LEXICAL_POOL, allowed=allowed))
        weights = {other: self.lexical.weight(sku_id, other) for other in pool}
        lexical_ranked = sorted((o for o in pool if weights[o] > 0), key=lambda o: (-weights[o], o))
        embedding_rank = {other: rank for rank, other in enumerate(embedding_ranked, start=1)}
        lexical_rank = {other: rank for rank, other in enumerate(lexical_ranked, start=1)}
        fused: dict[int, float] = {}
        for other in pool:
            score = 0.0
            if other in embedding_rank:
                score += 1.0 / (RRF_K + embedding_rank[other])
            if other in lexical_rank:
                score += 1.0 / (RRF_K + lexical_rank[other])
            fused[other] = score
        ranked = sorted(fused, key=lambda o: (-fused[o], o))[:k]
        return [
            Candidate(
                sku_id=other,
                fused_rank=rank,
                fused_score=fused[other],
                cosine=cosine_of.get(other),
                embedding_rank=embedding_rank.get(other),
                lexical_rank=lexical_rank.get(other),
                lexical_weight=weights[other],
            )
            for rank, other in enumerate(ranked, start=1)
        ]


_index: RetrievalIndex | None = None
_index_lock = threading.Lock()


def get_index() -> RetrievalIndex:
    """This process's index, synced with the stored embeddings."""
    global _index
    with _index_lock:
        if _index is None or _index.model != model_name():
            _index = RetrievalIndex()
    _index.sync()
    return _index


def reset_index() -> None:
    """Forget this process's index (tests; a rebuild after bulk deletes)."""
    global _index
    with _index_lock:
        _index = None
