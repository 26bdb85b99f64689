"""Benchmark the exact vector search behind candidate retrieval.

    .venv/bin/python bench/retrieval.py                 # 1,000,000 vectors
    .venv/bin/python bench/retrieval.py --rows 100000   # smaller

Fills ``alignment.retrieval.VectorIndex`` with random unit vectors (384-d, the
e5 size) carrying one of 5 languages and one of 20 category trees, then asks
for the top-10 in other languages and the same tree, as retrieval does. Reports
memory and the time per query, one query at a time and in batches (the pipeline
retrieves a whole chunk of SKUs at once), for float32 and float16 storage, and
the recall of float16 against the float32 result.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--dtypes", default="float32,float16")
    args = parser.parse_args()
    if args.rows < args.k or args.queries < 1 or args.batch < 1:
        parser.error("--rows must be at least --k, --queries and --batch at least 1")

    import numpy as np
    import psutil

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from alignment.retrieval import VectorIndex

    process = psutil.Process()
    rng = np.random.default_rng(42)
    dim = 384
    languages = rng.integers(0, 5, args.rows).astype(np.int8)
    roots = rng.integers(0, 20, args.rows).astype(np.int64)
    queries = rng.standard_normal((args.queries, dim), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    query_languages = rng.integers(0, 5, args.queries).tolist()
    query_roots = rng.integers(0, 20, args.queries).tolist()

    print(f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}")
    print(
        f"{args.rows:,} vectors x {dim} dims in 20 category trees, 5 languages; top-{args.k} in other "
        "languages.\n'tree': the query's own tree (what retrieval does for a categorised SKU); "
        "'all': an uncategorised SKU searches every row.\n"
    )
    header = (
        f"{'storage':<8} {'matrix MB':>10} {'RSS MB':>8} {'build s':>8} {'scope':>6} "
        f"{'1 query p50 ms':>15} {'p95 ms':>7} {f'batch {args.batch}: ms/query':>20} {'recall@k':>9}"
    )
    print(header)
    print("-" * len(header))
    reference: dict[str, object] = {}
    for dtype in args.dtypes.split(","):
        index = VectorIndex(dim=dim, dtype=dtype)
        started = time.perf_counter()
        step = 100_000
        for start in range(0, args.rows, step):
            stop = min(start + step, args.rows)
            block = np.random.default_rng(start).standard_normal((stop - start, dim), dtype=np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            index.upsert(range(start, stop), block, languages[start:stop], roots[start:stop])
        build = time.perf_counter() - started
        rss = process.memory_info().rss / 2**20
        for scope, scope_roots in (("tree", query_roots), ("all", [-1] * args.queries)):
            index.search(queries[:1], k=args.k, languages=query_languages[:1], roots=scope_roots[:1])
            singles = []
            for i in range(min(args.queries, 24)):
                t = time.perf_counter()
                index.search(queries[i : i + 1], k=args.k, languages=query_languages[i : i + 1], roots=scope_roots[i : i + 1])
                singles.append((time.perf_counter() - t) * 1000)
            found = []
            t = time.perf_counter()
            for start in range(0, args.queries, args.batch):
                stop = start + args.batch
                ids, _ = index.search(
                    queries[start:stop], k=args.k, languages=query_languages[start:stop], roots=scope_roots[start:stop]
                )
                found.append(ids)
            batched = (time.perf_counter() - t) * 1000 / args.queries
            ids = np.concatenate(found)
            if scope not in reference:
                reference[scope], recall = ids, 1.0
            else:
                recall = float(np.mean([len(set(a) & set(b)) / args.k for a, b in zip(ids, reference[scope], strict=True)]))
            p95 = statistics.quantiles(singles, n=20)[-1]
            print(
                f"{dtype:<8} {index.nbytes / 2**20:>10,.0f} {rss:>8,.0f} {build:>8.1f} {scope:>6} "
                f"{statistics.median(singles):>15.1f} {p95:>7.1f} {batched:>20.1f} {recall:>9.3f}"
            )
        del index


if __name__ == "__main__":
    main()
