"""Benchmark the vector search behind candidate retrieval.

    .venv/bin/python bench/retrieval.py                       # 1,000,000 vectors
    .venv/bin/python bench/retrieval.py --rows 100000         # smaller
    .venv/bin/python bench/retrieval.py --vectors random      # no structure: the worst case
    .venv/bin/python bench/retrieval.py --vectors e5 --rows 100000 --dtypes float32   # real e5 vectors (slow)

Fills ``alignment.retrieval.VectorIndex`` with unit vectors (384-d, the e5 size)
in 20 category trees and 5 languages, then asks for the top-10 in other
languages, as retrieval does: within the query's tree (exact), and over every
row for an uncategorised SKU, exactly and through the inverted file (IVF) at
each --probes. Reports memory, the time per query one at a time and in batches
(the pipeline retrieves a whole chunk of SKUs at once), and recall@k against the
exact float32 search of the same scope.

--vectors clustered (the default) is shaped like a catalog's e5 vectors: every
product is described in the 5 languages, products sit in topics inside their
category tree, all vectors share a common direction, and each language pulls its
texts its own way, more than topics differ (e5 does: on the alignment bench's
catalog, k-means cells over all languages came out one language each). A
product's other-language siblings score about 0.78, other-language products of
its topic 0.68, of its tree 0.59, others 0.49; but same-language products of its
topic score 0.87, which is why the inverted files are per language. The queries
are stored SKUs, as in the pipeline. --vectors random draws independent random
vectors and queries: no neighbour stands out, which no inverted file handles well.
--vectors e5 embeds bench/alignment.py's generated catalog with the real model
(about 100 texts/s here): the inverted files serve from 100,000 rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DIM = 384
TREES = 20
LANGUAGES = 5
TOPICS_PER_TREE = 50
STEP = 100_000  # rows generated and loaded at a time (a multiple of LANGUAGES)


class Clustered:
    """Catalog-like vectors: common + tree + topic + product + language + noise, normalised."""

    def __init__(self, rows: int, seed: int = 42) -> None:
        import numpy as np

        rng = np.random.default_rng(seed)
        self.common = self._unit(rng, 1)[0]
        self.trees = self._unit(rng, TREES)
        self.topics = self._unit(rng, TREES * TOPICS_PER_TREE)
        self.languages = self._unit(rng, LANGUAGES)
        products = rows // LANGUAGES + 1
        self.product_tree = rng.integers(0, TREES, products)
        self.product_topic = self.product_tree * TOPICS_PER_TREE + rng.integers(0, TOPICS_PER_TREE, products)

    @staticmethod
    def _unit(rng, n):
        v = rng.standard_normal((n, DIM), dtype="float32")
        return v / (v**2).sum(axis=1, keepdims=True) ** 0.5

    def block(self, start: int, stop: int):
        """(vectors, languages, roots) of rows start..stop: row i is product i // 5 in language i % 5."""
        import numpy as np

        rng = np.random.default_rng(start)
        rows = np.arange(start, stop)
        product, language = rows // LANGUAGES, rows % LANGUAGES
        # The product's own direction, the same in every language (seeded by the product).
        first = start // LANGUAGES
        own = self._unit(np.random.default_rng(10_000_000 + start), product[-1] - first + 1)[product - first]
        v = (
            0.8 * self.common + 0.35 * self.trees[self.product_tree[product]]
            + 0.35 * self.topics[self.product_topic[product]] + 0.35 * own
            + 0.5 * self.languages[language] + 0.2 * self._unit(rng, len(rows))
        )
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v.astype(np.float32), language, self.product_tree[product]


class Random:
    def __init__(self, rows: int, seed: int = 42) -> None:
        import numpy as np

        rng = np.random.default_rng(seed)
        self.languages = rng.integers(0, LANGUAGES, rows)
        self.roots = rng.integers(0, TREES, rows)

    def block(self, start: int, stop: int):
        import numpy as np

        v = np.random.default_rng(start).standard_normal((stop - start, DIM), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v, self.languages[start:stop], self.roots[start:stop]


class E5Catalog:
    """Real e5 vectors: bench/alignment.py's generated catalog (products in 5 languages,
    titles plus short descriptions), embedded by the default engine. Slow to build:
    about 100 texts/s on 2 cores."""

    def __init__(self, rows: int, seed: int = 7) -> None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_alignment", Path(__file__).with_name("alignment.py"))
        catalog = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(catalog)
        self.rows = catalog.generate(rows, long_share=0.0, seed=seed)
        roots = sorted({str(r["category"]).split(" > ")[0] for r in self.rows})
        self.languages = [catalog.LANGUAGES.index(r["language"]) for r in self.rows]
        self.roots = [roots.index(str(r["category"]).split(" > ")[0]) for r in self.rows]
        self.model = None

    def block(self, start: int, stop: int):
        import numpy as np

        from alignment.scorers.e5 import E5Scorer

        if self.model is None:
            self.model = E5Scorer(fusion=False)
        texts = [f"{r['title']}\n{r['description']}" for r in self.rows[start:stop]]
        vectors = np.concatenate([self.model.embed(texts[i : i + 2048]) for i in range(0, len(texts), 2048)])
        return vectors, np.array(self.languages[start:stop]), np.array(self.roots[start:stop])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dtypes", default="float32,float16")
    parser.add_argument("--vectors", choices=("clustered", "random", "e5"), default="clustered",
                        help="e5: real vectors of a generated catalog (slow: about 100 texts/s)")
    parser.add_argument("--probes", default="8,16,32", help="inverted-file cells probed per language, comma-separated")
    args = parser.parse_args()
    if args.rows < args.k or args.queries < 1 or args.batch < 1:
        parser.error("--rows must be at least --k, --queries and --batch at least 1")
    probes = [int(p) for p in args.probes.split(",")]

    import numpy as np
    import psutil

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from alignment.retrieval import VectorIndex

    process = psutil.Process()
    source = {"clustered": Clustered, "random": Random, "e5": E5Catalog}[args.vectors](args.rows)
    rng = np.random.default_rng(7)
    stored = args.vectors in ("clustered", "e5")
    if stored:  # stored SKUs ask for their candidates
        picked = np.sort(rng.choice(args.rows, args.queries, replace=False))
        queries = np.zeros((args.queries, DIM), dtype=np.float32)  # filled as their blocks are generated
        query_languages = (picked % LANGUAGES).tolist()
        query_roots = (
            source.product_tree[picked // LANGUAGES] if args.vectors == "clustered" else np.array(source.roots)[picked]
        ).tolist()
    else:
        queries = rng.standard_normal((args.queries, DIM), dtype=np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        query_languages = rng.integers(0, LANGUAGES, args.queries).tolist()
        query_roots = rng.integers(0, TREES, args.queries).tolist()

    print(
        f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')} (a worker process runs 1)"
    )
    print(
        f"{args.rows:,} {args.vectors} vectors x {DIM} dims in {len(set(source.roots)) if args.vectors == 'e5' else TREES} "
        f"category trees, {LANGUAGES} languages; "
        f"top-{args.k} in other languages.\n'tree': the query's own tree (a categorised SKU, exact); "
        "'all': an uncategorised SKU searches every row, exactly or through the per-language inverted files "
        "(ivf/N: N cells probed in each other language).\nrecall@k: against the exact float32 search of the same scope.\n"
    )
    header = (
        f"{'storage':<8} {'index MB':>9} {'RSS MB':>8} {'build s':>8} {'scope':>10} "
        f"{'1 query p50 ms':>15} {'p95 ms':>7} {f'batch {args.batch}: ms/query':>20} {'recall@k':>9}"
    )
    print(header)
    print("-" * len(header))
    reference: dict[str, np.ndarray] = {}
    for dtype in args.dtypes.split(","):
        index = VectorIndex(dim=DIM, dtype=dtype)
        started = time.perf_counter()
        for start in range(0, args.rows, STEP):
            stop = min(start + STEP, args.rows)
            vectors, languages, roots = source.block(start, stop)
            if stored:
                inside = (picked >= start) & (picked < stop)
                queries[inside] = vectors[picked[inside] - start]
            index.upsert(range(start, stop), vectors, languages, roots)
        build = time.perf_counter() - started
        scopes = [("tree", query_roots, True, None), ("all exact", [-1] * args.queries, True, None)]
        scopes += [(f"all ivf/{p}", [-1] * args.queries, False, p) for p in probes]
        for scope, scope_roots, exact, probe in scopes:
            extra = ""
            if probe is not None:
                index.probes = probe
                if index.inverted is None:
                    t = time.perf_counter()
                    index.search(queries[:1], k=args.k, languages=query_languages[:1], roots=[-1])
                    extra = f"  (inverted file trained and filled in {time.perf_counter() - t:.1f} s)"

            def run(i: int, j: int):
                return index.search(
                    queries[i:j], k=args.k, languages=query_languages[i:j], roots=scope_roots[i:j], exact=exact
                )

            run(0, 1)
            singles = []
            for i in range(min(args.queries, 24)):
                t = time.perf_counter()
                run(i, i + 1)
                singles.append((time.perf_counter() - t) * 1000)
            found = []
            t = time.perf_counter()
            for start in range(0, args.queries, args.batch):
                found.append(run(start, start + args.batch)[0])
            batched = (time.perf_counter() - t) * 1000 / args.queries
            ids = np.concatenate(found)
            key = scope.split()[0]
            if key not in reference:
                reference[key], recall = ids, 1.0
            else:
                recall = float(np.mean([
                    len(set(a[a >= 0]) & set(b[b >= 0])) / max(1, (b >= 0).sum())
                    for a, b in zip(ids, reference[key], strict=True)
                ]))
            rss = process.memory_info().rss / 2**20
            p95 = statistics.quantiles(singles, n=20)[-1]
            print(
                f"{dtype:<8} {index.nbytes / 2**20:>9,.0f} {rss:>8,.0f} {build:>8.1f} {scope:>10} "
                f"{statistics.median(singles):>15.1f} {p95:>7.1f} {batched:>20.1f} {recall:>9.3f}{extra}",
                flush=True,
            )
        del index


if __name__ == "__main__":
    main()
