from __future__ import annotations

from unittest.mock import patch

import numpy as np
from django.test import SimpleTestCase, override_settings

from alignment import embeddings, retrieval
from alignment.models import SKUEmbedding
from catalog.models import SKU, Category
from tests.base import BaseTestCase


class RetrievalTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        retrieval.reset_index()
        self.tools = Category.get_or_create_path("Tools > Drills")
        self.kitchen = Category.get_or_create_path("Home > Kitchen")

    def sku(self, code, language, title, category=None):
        return SKU.objects.create(source="s", sku_code=code, language=language, title=title, category=category)

    def retrieve(self, sku, **kwargs):
        everything = list(SKU.objects.all())
        vectors = embeddings.ensure_embeddings(everything)
        return retrieval.get_index().retrieve([sku], vectors, **kwargs)[sku.pk]

    def test_it_finds_candidates_in_other_languages_only(self):
        query = self.sku("1", "de", "Akku-Bohrschrauber XR-7731 18 V", self.tools)
        same_language = self.sku("2", "de", "Akku-Bohrschrauber XR-7731 18 V, Koffer", self.tools)
        english = self.sku("3", "en", "Cordless drill driver XR-7731 18 V", self.tools)
        found = [c.sku_id for c in self.retrieve(query)]
        assert english.pk in found
        assert same_language.pk not in found
        assert query.pk not in found

    def test_it_stays_in_the_category_tree(self):
        drills = Category.get_or_create_path("Tools > Drills > Cordless")
        query = self.sku("1", "de", "Akku-Bohrschrauber XR-7731 18 V", self.tools)
        below = self.sku("2", "en", "Cordless drill driver XR-7731 18 V", drills)
        other_tree = self.sku("3", "fr", "Perceuse-visseuse sans fil XR-7731 18 V", self.kitchen)
        uncategorised = self.sku("4", "es", "Taladro atornillador XR-7731 18 V")
        found = [c.sku_id for c in self.retrieve(query)]
        assert below.pk in found
        assert uncategorised.pk in found
        assert other_tree.pk not in found

    def test_it_searches_every_tree_for_an_uncategorised_sku(self):
        query = self.sku("1", "de", "Akku-Bohrschrauber XR-7731 18 V")
        other = self.sku("2", "fr", "Perceuse-visseuse sans fil XR-7731 18 V", self.kitchen)
        assert [c.sku_id for c in self.retrieve(query)] == [other.pk]

    def test_it_fuses_embedding_and_lexical_ranks(self):
        query = self.sku("1", "de", "Akku-Bohrschrauber XR-7731 18 V", self.tools)
        right = self.sku("2", "en", "Cordless drill driver XR-7731 18 V", self.tools)
        wrong = self.sku("3", "en", "Cordless drill driver PT-100 12 V", self.tools)
        found = self.retrieve(query)
        by_id = {c.sku_id: c for c in found}
        assert found[0].sku_id == right.pk
        assert by_id[right.pk].lexical_rank == 1
        assert by_id[right.pk].embedding_rank is not None
        assert by_id[wrong.pk].lexical_rank is None  # shares no code, no quantity
        provenance = by_id[right.pk].provenance()
        assert provenance["fused_rank"] == 1
        assert set(provenance) >= {"embedding_rank", "lexical_rank", "fused_rank", "cosine"}

    @override_settings(ALIGNMENT_CANDIDATES_K=2)
    def test_it_returns_at_most_k_candidates(self):
        query = self.sku("1", "de", "Akku-Bohrschrauber 18 V", self.tools)
        for i, language in enumerate(["en", "fr", "es", "zh"]):
            self.sku(f"x{i}", language, f"Drill {i} 18 V", self.tools)
        found = self.retrieve(query)
        assert [c.fused_rank for c in found] == [1, 2]
        assert len(self.retrieve(query, k=3)) == 3

    def test_it_drops_deleted_skus_from_the_index(self):
        query = self.sku("1", "de", "Akku-Bohrschrauber XR-7731 18 V", self.tools)
        gone = self.sku("2", "en", "Cordless drill driver XR-7731 18 V", self.tools)
        assert [c.sku_id for c in self.retrieve(query)] == [gone.pk]
        gone.delete()
        assert self.retrieve(query) == []


class EmbeddingStoreTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sku = SKU.objects.create(source="s", sku_code="1", language="en", title="Kettle 1.7 L")

    def test_it_embeds_once_and_reuses_the_stored_vector(self):
        embedder = embeddings.embedder()
        with patch.object(embedder, "embed", wraps=embedder.embed) as embed:
            first = embeddings.ensure_embeddings([self.sku])[self.sku.pk]
            again = embeddings.ensure_embeddings([self.sku])[self.sku.pk]
        assert embed.call_count == 1
        assert np.allclose(first, again)
        assert abs(float(np.linalg.norm(first)) - 1.0) < 1e-3
        row = SKUEmbedding.objects.get(sku=self.sku)
        assert row.content_hash == self.sku.content_hash
        assert row.dim == 384

    def test_it_embeds_again_when_the_text_changes(self):
        first = embeddings.ensure_embeddings([self.sku])[self.sku.pk]
        self.sku.title = "Bluetooth speaker 20 W"
        self.sku.save()
        second = embeddings.ensure_embeddings([self.sku])[self.sku.pk]
        assert not np.allclose(first, second)
        assert SKUEmbedding.objects.get(sku=self.sku).content_hash == self.sku.content_hash


class VectorIndexTestCase(SimpleTestCase):
    def test_it_matches_a_brute_force_search_with_filters(self):
        rng = np.random.default_rng(0)
        vectors = rng.standard_normal((5000, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        languages = rng.integers(0, 5, 5000)
        roots = rng.integers(0, 3, 5000)
        for dtype in ("float32", "float16"):
            index = retrieval.VectorIndex(dtype=dtype, block_rows=700)
            index.upsert(list(range(100, 5100)), vectors, languages.tolist(), roots.tolist())
            queries = vectors[:4]
            ids, scores = index.search(queries, k=10, languages=languages[:4].tolist(), roots=[0, 1, -1, 2])
            for q in range(4):
                allowed = languages != languages[q]
                if q != 2:
                    allowed &= roots == [0, 1, -1, 2][q]
                expected = np.argsort(-np.where(allowed, vectors @ queries[q], -np.inf))[:10] + 100
                assert list(ids[q]) == list(expected), dtype
                assert np.all(np.diff(scores[q]) <= 1e-6)

    def test_it_pads_when_few_rows_qualify(self):
        index = retrieval.VectorIndex(dim=2)
        index.upsert([1, 2], np.eye(2, dtype=np.float32), [0, 1], [-1, -1])
        ids, _ = index.search(np.array([[1.0, 0.0]]), k=3, languages=[0], roots=[-1])
        assert list(ids[0]) == [2, -1, -1]

    def test_it_forgets_removed_rows(self):
        index = retrieval.VectorIndex(dim=2)
        index.upsert([1, 2], np.eye(2, dtype=np.float32), [0, 1], [-1, -1])
        index.remove([2])
        ids, _ = index.search(np.array([[0.0, 1.0]]), k=1, languages=[0], roots=[-1])
        assert list(ids[0]) == [-1]
        assert len(index) == 1

    def test_it_moves_a_row_when_its_category_tree_changes(self):
        index = retrieval.VectorIndex(dim=2)
        index.upsert([1, 2], np.eye(2, dtype=np.float32), [0, 1], [5, 5])
        index.upsert([2], np.eye(2, dtype=np.float32)[1:], [1], [6])
        query = np.array([[0.0, 1.0]])
        in_old_tree, _ = index.search(query, k=1, languages=[0], roots=[5])
        in_new_tree, _ = index.search(query, k=1, languages=[0], roots=[6])
        assert list(in_old_tree[0]) == [-1]
        assert list(in_new_tree[0]) == [2]
        assert len(index) == 2


def clustered(rows, *, seed=0, dim=64, clusters=100):
    """The shape of catalog embeddings: unit vectors around cluster centres, each
    language pulled its own way more strongly than the clusters differ (as e5 does)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    language_pull = 1.5 * rng.standard_normal((5, dim)).astype(np.float32)
    languages = rng.integers(0, 5, rows)
    vectors = centres[rng.integers(0, clusters, rows)] + language_pull[languages]
    vectors += 0.4 * rng.standard_normal((rows, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, languages, rng.integers(0, 4, rows)


class InvertedFileTestCase(SimpleTestCase):
    def setUp(self):
        self.vectors, self.languages, self.roots = clustered(20_000)
        self.index = retrieval.VectorIndex(dim=64, approximate_from=10_000, probes=16)
        self.index.upsert(list(range(20_000)), self.vectors, self.languages.tolist(), self.roots.tolist())

    def search(self, queries, languages, roots, **kwargs):
        return self.index.search(queries, k=10, languages=list(languages), roots=list(roots), **kwargs)[0]

    def test_it_finds_nearly_every_exact_neighbour_of_an_uncategorised_query(self):
        queries, languages = self.vectors[:200], self.languages[:200]
        approximate = self.search(queries, languages, [-1] * 200)
        exact = self.search(queries, languages, [-1] * 200, exact=True)
        # One inverted file per language, of about sqrt(4,000) cells; a query probes 16 in each other
        # language. (Cells shared by all languages find none of these neighbours: see clustered().)
        assert sorted(self.index.inverted) == [0, 1, 2, 3, 4]
        assert all(60 <= len(lists.lists) <= 64 for lists in self.index.inverted.values())
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approximate, exact, strict=True)])
        assert recall >= 0.95, recall
        for q, found in enumerate(approximate):
            assert not np.any(self.languages[found] == languages[q])

    def test_it_keeps_categorised_queries_exact(self):
        queries, languages = self.vectors[:20], self.languages[:20]
        found = self.search(queries, languages, self.roots[:20])
        for q in range(20):
            allowed = (self.languages != languages[q]) & ((self.roots == self.roots[q]))
            expected = np.argsort(-np.where(allowed, self.vectors @ queries[q], -np.inf))[:10]
            assert list(found[q]) == list(expected)
        assert self.index.inverted is None  # no uncategorised query yet: never built

    def test_it_files_new_rows_and_forgets_removed_ones_after_training(self):
        query = self.vectors[:1]
        first = self.search(query, [0], [-1])[0]
        self.index.remove([int(first[0])])
        twin = query.copy()
        self.index.upsert([99_999], twin, [1], [2])
        again = self.search(query, [0], [-1])[0]
        assert again[0] == 99_999
        assert first[0] not in again
        self.index.upsert([99_999], -twin, [1], [2])  # its vector moved: it moves cell too
        assert 99_999 not in self.search(query, [0], [-1])[0]
        assert 99_999 in self.search(-twin, [0], [-1])[0]

    def test_it_searches_small_indexes_exactly(self):
        index = retrieval.VectorIndex(dim=64)  # approximate_from 100,000
        index.upsert(list(range(20_000)), self.vectors, self.languages.tolist(), self.roots.tolist())
        found = index.search(self.vectors[:5], k=10, languages=self.languages[:5].tolist(), roots=[-1] * 5)[0]
        for q in range(5):
            allowed = self.languages != self.languages[q]
            expected = np.argsort(-np.where(allowed, self.vectors @ self.vectors[q], -np.inf))[:10]
            assert list(found[q]) == list(expected)
        assert index.inverted is None

    def test_it_trains_on_the_live_rows_only(self):
        index = retrieval.VectorIndex(dim=64, approximate_from=1_000, probes=4)
        index.upsert(list(range(2_000)), self.vectors[:2_000], self.languages[:2_000].tolist(), [7] * 1_000 + [8] * 1_000)
        index.remove(range(1_000, 2_000))  # a whole tree's worth of rows gone before the first search
        found = index.search(self.vectors[1_000:1_010], k=10, languages=[9] * 10, roots=[-1] * 10)[0]
        assert sum(len(lists.place) for lists in index.inverted.values()) == 1_000
        assert found.max() < 1_000 and found.min() >= 0
