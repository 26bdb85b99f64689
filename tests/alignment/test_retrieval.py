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
