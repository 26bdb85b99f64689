"""Benchmark alignment end to end: a generated catalog aligned by a real Celery worker.

    .venv/bin/python bench/alignment.py                # 10,000 SKUs
    .venv/bin/python bench/alignment.py --skus 1000    # smaller
    .venv/bin/python bench/alignment.py --long-share 0 # the target's case: titles plus short descriptions

In a scratch PostgreSQL database (created, migrated, dropped unless --keep):
generates products described in five languages (zh/en/fr/es/de; most SKUs a
title plus a short description, --long-share of them with a long description),
starts a private redis-server and ``celery -A config worker -Q scoring,default``
(one process per core, as the CPU worker of docker-compose.yml runs) with the default scorer (ALIGNMENT_SCORER unset: e5 fused with lexical
evidence), enqueues every SKU as an import would (``queueing.enqueue_alignment``),
and waits until every SKU is aligned at its current text.

Prints SKUs/s and pairs scored/s over the wall time from the enqueue to the
last SKU aligned, the worker's peak memory (resident, all its processes), the
time split between embedding, retrieval, scoring and writing (summed from the
task results in the worker log), and how well products were found (pairwise
precision and recall of the resulting products against the generator's truth).

PostgreSQL is reached through BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres, used to create and drop the
scratch database).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "skualign_bench_alignment"
TARGET_SKUS_PER_S = 50
LANGUAGES = ("zh", "en", "fr", "es", "de")

# (category path, unit, sizes, {language: noun}, {language: feature sentences})
TYPES = [
    ("Home > Kitchen > Kettles", "L", [1.0, 1.2, 1.5, 1.7, 2.0],
     {"zh": "电热水壶", "en": "electric kettle", "fr": "bouilloire électrique", "es": "hervidor eléctrico", "de": "Wasserkocher"}),
    ("Home > Kitchen > Scales", "kg", [3, 5, 10, 15],
     {"zh": "厨房秤", "en": "kitchen scale", "fr": "balance de cuisine", "es": "báscula de cocina", "de": "Küchenwaage"}),
    ("Electronics > Power > Power banks", "mAh", [5000, 10000, 20000, 26800],
     {"zh": "充电宝", "en": "power bank", "fr": "batterie externe", "es": "batería externa", "de": "Powerbank"}),
    ("Electronics > Audio > Speakers", "W", [10, 20, 30, 60],
     {"zh": "蓝牙音箱", "en": "bluetooth speaker", "fr": "enceinte bluetooth", "es": "altavoz bluetooth", "de": "Bluetooth-Lautsprecher"}),
    ("Tools > Power tools > Drills", "V", [12, 18, 20, 36],
     {"zh": "电钻", "en": "cordless drill", "fr": "perceuse sans fil", "es": "taladro inalámbrico", "de": "Akku-Bohrschrauber"}),
    ("Baby > Travel > Car seats", "kg", [13, 18, 25, 36],
     {"zh": "儿童安全座椅", "en": "child car seat", "fr": "siège auto enfant", "es": "silla de coche infantil", "de": "Kindersitz"}),
    ("Home > Bath > Hair dryers", "W", [1200, 1800, 2000, 2200],
     {"zh": "吹风机", "en": "hair dryer", "fr": "sèche-cheveux", "es": "secador de pelo", "de": "Haartrockner"}),
    ("Garden > Watering > Hoses", "m", [10, 15, 20, 30, 50],
     {"zh": "花园水管", "en": "garden hose", "fr": "tuyau d'arrosage", "es": "manguera de jardín", "de": "Gartenschlauch"}),
]
COLOURS = {
    "zh": ["白色", "黑色", "银色", "蓝色"], "en": ["white", "black", "silver", "blue"],
    "fr": ["blanc", "noir", "argent", "bleu"], "es": ["blanco", "negro", "plata", "azul"],
    "de": ["weiß", "schwarz", "silber", "blau"],
}
SHORT = {
    "zh": "{colour}，{size}{unit}，质保{years}年。",
    "en": "{colour}, {size} {unit}, {years}-year warranty.",
    "fr": "{colour}, {size} {unit}, garantie {years} ans.",
    "es": "{colour}, {size} {unit}, garantía de {years} años.",
    "de": "{colour}, {size} {unit}, {years} Jahre Garantie.",
}
LONG = {
    "zh": "这款产品专为日常使用设计，做工扎实，操作简单。包装内含说明书和全部配件。我们提供完善的售后服务，如有问题请随时联系客服。产品通过多项安全认证，适合家庭和办公室使用。",
    "en": "Designed for everyday use, this product is solidly built and easy to operate. The box contains the manual and every accessory. Our customer service answers any question. The product holds several safety certifications and suits homes and offices alike.",
    "fr": "Conçu pour un usage quotidien, ce produit est robuste et simple à utiliser. La boîte contient la notice et tous les accessoires. Notre service client répond à toutes vos questions. Le produit possède plusieurs certifications de sécurité.",
    "es": "Diseñado para el uso diario, este producto es robusto y fácil de usar. La caja incluye el manual y todos los accesorios. Nuestro servicio de atención al cliente responde a cualquier pregunta. El producto cuenta con varias certificaciones de seguridad.",
    "de": "Für den täglichen Gebrauch entwickelt, ist dieses Produkt solide gebaut und einfach zu bedienen. Im Karton liegen Anleitung und alle Zubehörteile. Unser Kundenservice beantwortet jede Frage. Das Produkt besitzt mehrere Sicherheitszertifikate.",
}
BRANDS = [
    "Aquora", "Brava", "Voltix", "Sonor", "Termo", "Kinetic", "Nordel", "Lumo", "Parvo", "Quilla",
    "Rendo", "Solvi", "Tavi", "Ulmo", "Vexa", "Wendl", "Xaro", "Yomi", "Zelta", "Ardo",
]


def generate(n_skus: int, *, long_share: float, seed: int = 7) -> list[dict[str, object]]:
    """n_skus rows: n_skus // 5 products, each described once in every language."""
    rng = random.Random(seed)
    rows = []
    for p in range(n_skus // len(LANGUAGES)):
        path, unit, sizes, nouns = TYPES[p % len(TYPES)]
        brand = rng.choice(BRANDS)
        code = f"{brand[:2].upper()}-{rng.randint(100, 9999)}{rng.choice('ABCDEFGHKLMNPRSTX')}"
        size = rng.choice(sizes)
        colour = rng.randrange(4)
        years = rng.choice([1, 2, 3, 5])
        for language in LANGUAGES:
            title = f"{brand} {nouns[language]} {code} {size} {unit}"
            description = SHORT[language].format(colour=COLOURS[language][colour], size=size, unit=unit, years=years)
            if rng.random() < long_share:
                description += " " + " ".join([LONG[language]] * 3)
            rows.append({
                "source": f"shop-{language}", "sku_code": f"{code}-{language}-{p}", "language": language,
                "title": title, "description": description, "brand": brand, "category": path,
                "product_ref": f"P{p}",
            })
    return rows


def admin_sql(base_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(statement)


def database_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def load_catalog(rows: list[dict[str, object]]) -> list[int]:
    """Insert the catalog directly (no enqueue): the benchmark measures alignment only."""
    from catalog.models import SKU, Category, Product, content_hash

    categories = {path: Category.get_or_create_path(path) for path in {r["category"] for r in rows}}
    products = Product.objects.bulk_create([Product() for _ in rows], batch_size=2000)
    skus = []
    for row, product in zip(rows, products, strict=True):
        fields = {k: row[k] for k in ("source", "sku_code", "language", "title", "description", "brand", "product_ref")}
        skus.append(SKU(
            **fields, category=categories[row["category"]], product=product, attributes={},
            content_hash=content_hash(title=row["title"], description=row["description"], brand=row["brand"],
                                      attributes={}, language=row["language"]),
        ))
    SKU.objects.bulk_create(skus, batch_size=2000)
    return list(SKU.objects.order_by("pk").values_list("pk", flat=True))


def aligned_count() -> int:
    from django.db.models import F

    from alignment.models import AlignmentState

    return AlignmentState.objects.filter(status="done", aligned_hash=F("sku__content_hash")).count()


def tree_rss(pid: int) -> float:
    import psutil

    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20
    except psutil.Error:
        return 0.0


def clustering_quality() -> tuple[float, float]:
    """Pairwise precision and recall of the products found, against product_ref."""
    from catalog.models import SKU

    by_ref: dict[str, list[int]] = defaultdict(list)
    by_product: dict[int, list[str]] = defaultdict(list)
    for product_id, ref in SKU.objects.values_list("product_id", "product_ref"):
        by_ref[ref].append(product_id)
        by_product[product_id].append(ref)
    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_ref.values())
    found_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_product.values())
    correct = sum(sum(1 for a, b in combinations(refs, 2) if a == b) for refs in by_product.values())
    return (correct / found_pairs if found_pairs else 1.0), (correct / true_pairs if true_pairs else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--long-share", type=float, default=0.1, help="share of SKUs with a long description")
    parser.add_argument("--concurrency", type=int, default=len(os.sched_getaffinity(0)),
                        help="worker processes (default: one per core, as the CPU worker runs)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the worker")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if args.skus < len(LANGUAGES):
        parser.error(f"--skus must be at least {len(LANGUAGES)}")

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    url = database_url(base, SCRATCH_DB)
    admin_sql(base, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    admin_sql(base, f'CREATE DATABASE "{SCRATCH_DB}"')
    tmp = Path(tempfile.mkdtemp(prefix="skualign-bench-"))
    from tests.integration.services import free_port

    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/15"
    os.environ.update({"DATABASE_URL": url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "config.settings"})
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        rows = generate(args.skus, long_share=args.long_share)
        ids = load_catalog(rows)
        long_count = sum(1 for r in rows if len(str(r["description"])) > 200)

        log_path = tmp / "worker.log"
        # One BLAS/OpenMP thread per worker process: threads fighting for busy cores crawl.
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        env.pop("ALIGNMENT_SCORER", None)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "scoring,default",
             "--concurrency", str(args.concurrency), "--loglevel", "INFO", "--without-mingle",
             "--without-gossip", "-n", f"bench-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        deadline = time.monotonic() + 120
        while " ready." not in log_path.read_text(errors="replace"):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"The worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)

        from alignment import queueing

        load_at_start = os.getloadavg()[0]
        started = time.monotonic()
        queueing.enqueue_alignment(ids)
        peak = 0.0
        done = 0
        last_report = started
        while done < len(ids):
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"Timed out with {done}/{len(ids)} SKUs aligned")
            if worker.poll() is not None:
                raise SystemExit(f"The worker died:\n{log_path.read_text(errors='replace')[-3000:]}")
            peak = max(peak, tree_rss(worker.pid))
            time.sleep(1)
            done = aligned_count()
            if time.monotonic() - last_report > 30:
                print(f"  {done}/{len(ids)} aligned after {time.monotonic() - started:.0f}s", file=sys.stderr)
                last_report = time.monotonic()
        wall = time.monotonic() - started

        timings: dict[str, float] = defaultdict(float)
        pairs = merged = pending = discarded = 0
        for line in log_path.read_text(errors="replace").splitlines():
            match = re.search(r"alignment\.align_skus\[[^\]]+\] succeeded in [\d.]+s: (\{.*\})$", line)
            if not match:
                continue
            result = ast.literal_eval(match.group(1))
            pairs += result["pairs_scored"]
            merged += result["auto_merged"]
            pending += result["pending"]
            discarded += result["discarded"]
            for stage, seconds in result["timings"].items():
                timings[stage] += seconds
        precision, recall = clustering_quality()
        busy = sum(timings.values())

        print(f"cpu cores: {os.cpu_count()}, load average at the start {load_at_start:.1f}, "
              f"at the end {os.getloadavg()[0]:.1f}; "
              f"worker concurrency {args.concurrency}, scorer: default (e5 fused with lexical evidence)")
        print(f"catalog: {len(ids):,} SKUs = {len(ids) // 5:,} products x 5 languages, "
              f"{long_count:,} with a long description\n")
        table = [
            ("wall time (enqueue -> last SKU aligned)", f"{wall:,.1f} s"),
            ("SKUs aligned per second", f"{len(ids) / wall:,.1f}  (target {TARGET_SKUS_PER_S})"),
            ("pairs scored per second", f"{pairs / wall:,.1f}  ({pairs:,} pairs)"),
            ("routed", f"{merged:,} merged, {pending:,} pending review, {discarded:,} discarded"),
            ("worker peak memory (RSS, all processes)", f"{peak:,.0f} MB"),
        ]
        for stage in ("embedding", "retrieval", "scoring", "writing"):
            share = timings[stage] / busy if busy else 0.0
            table.append((f"time in {stage}", f"{timings[stage]:,.1f} s  ({share:.0%})"))
        table.append(("products found: pairwise precision / recall", f"{precision:.3f} / {recall:.3f}"))
        width = max(len(k) for k, _ in table)
        for key, value in table:
            print(f"{key:<{width}}  {value}")
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.terminate()
        redis.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(base, f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
