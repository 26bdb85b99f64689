"""Benchmark the review queue on PostgreSQL with a million matches.

    python bench/reviews.py [--matches 1000000] [--skus 200000] [--seconds 60] [--reviewers 20]

In a scratch database (created, migrated, dropped at the end unless --keep):

1. generates a catalog of SKUs in products of 1-3 SKUs and ``--matches`` scored
   pairs with COPY (automatic merges inside products; discarded, pending review
   and already decided pairs between products), then computes the queue's impact
   order for every queued pair;
2. measures queue page, pair page and decision post latency (p50/p95) through
   Django's test Client against the real views;
3. runs ``--reviewers`` threads (each with its own database connection) that
   claim and decide pairs for ``--seconds`` seconds, then checks that no pair was
   decided twice and no decision a reviewer was told about is missing.

PostgreSQL is reached through BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres, used only to create and drop the
scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "skualign_bench_reviews"
TARGET_P95_MS = 100
LANGUAGES = ["zh", "en", "fr", "es", "de"]
SOURCES = {"zh": "erp-cn", "en": "shop-uk", "fr": "shop-fr", "es": "shop-es", "de": "shop-de"}
CATEGORIES = [
    "Home > Kitchen > Kettles", "Home > Kitchen > Toasters", "Home > Office > Chairs",
    "Electronics > Audio > Headphones", "Electronics > Power > Power banks", "Baby > Car Seats",
]
NOUNS = {"zh": "电热水壶", "en": "Electric kettle", "fr": "Bouilloire", "es": "Hervidor", "de": "Wasserkocher"}


def scratch_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(base: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(statement)


# ---------------------------------------------------------------- generation


def copy_into(model: Any, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY rows into a model's table; columns not given get the model's defaults."""
    from django.db import connection
    from django.db.models import JSONField

    fields = {f.column: f for f in model._meta.concrete_fields}
    extra = [c for c in fields if c not in columns and c != "id"]
    template = model()

    def default(column: str) -> Any:
        field = fields[column]
        value = getattr(template, field.attname)
        return json.dumps(value) if isinstance(field, JSONField) and value is not None else value

    defaults = tuple(default(c) for c in extra)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns + extra)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + defaults)


def generate(*, n_skus: int, n_matches: int, seed: int = 11) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from alignment.models import Match
    from catalog.models import SKU, Category, Product

    rng = random.Random(seed)
    now = timezone.now()
    leaves = [Category.get_or_create_path(path).pk for path in CATEGORIES]

    # Products of 1-3 SKUs, in id order, each product in one category.
    product_of: list[int] = []
    sizes: list[int] = []
    while len(product_of) < n_skus:
        size = min(rng.choice([1, 1, 1, 2, 2, 3]), n_skus - len(product_of))
        product_of.extend([len(sizes) + 1] * size)
        sizes.append(size)
    n_products = len(sizes)
    copy_into(Product, ["id", "created_at", "updated_at"], ((i, now, now) for i in range(1, n_products + 1)))

    def skus() -> Iterable[tuple]:
        for i in range(1, n_skus + 1):
            language = LANGUAGES[i % 5]
            product = product_of[i - 1]
            category = leaves[(product // 50) % len(leaves)]
            capacity = 1.0 + (product % 9) / 10
            title = f"Brava {NOUNS[language]} {capacity:.1f} L BK-{product % 977}"
            yield (i, SOURCES[language], f"S{i:07d}", language, title, f"{title}. 2200 W.", "Brava", "{}",
                   category, product, "", f"{i:032x}", now, now)

    copy_into(SKU, ["id", "source", "sku_code", "language", "title", "description", "brand", "attributes",
                    "category_id", "product_id", "product_ref", "content_hash", "created_at", "updated_at"], skus())

    # Pairs between nearby SKUs (same category block): unique, ordered a < b.
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_matches:
        a = rng.randint(1, n_skus - 1)
        b = min(n_skus, a + rng.randint(1, 60))
        if a != b:
            pairs.add((a, b))
    statuses: dict[str, int] = {}
    created = now - timedelta(days=20)

    def matches() -> Iterable[tuple]:
        for index, (a, b) in enumerate(sorted(pairs), start=1):
            if product_of[a - 1] == product_of[b - 1]:
                p, status = rng.uniform(0.9, 1.0), "auto_merged"
            else:
                p = rng.uniform(0.3, 0.9)
                status = "discarded" if p < 0.7 else "pending"
                if status == "pending" and rng.random() < 0.05:
                    status = rng.choice(["confirmed", "rejected"])
            statuses[status] = statuses.get(status, 0) + 1
            at = created + timedelta(seconds=index)
            yield (index, a, b, p, p, "e5", "bench", json.dumps({"embedding_rank": 1, "fused_rank": 2}),
                   status, f"{a:032x}", f"{b:032x}", at, at)

    copy_into(Match, ["id", "sku_a_id", "sku_b_id", "probability", "raw_score", "scorer", "model_revision",
                      "retrieval", "status", "hash_a", "hash_b", "created_at", "updated_at"], matches())
    with connection.cursor() as cursor:
        for table in ("catalog_product", "catalog_sku", "alignment_match"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    return {"products": n_products, "statuses": statuses}


# ---------------------------------------------------------------- measuring


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, ordered[-1]


def timed(call: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def latency(*, samples: int) -> list[tuple[str, list[float]]]:
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    from alignment.models import Match
    from catalog.models import Category
    from reviews import queue, roles

    user = User.objects.create_user("bench-latency")
    user.groups.add(Group.objects.get(name=roles.MERCHANDISERS))
    client = Client()
    client.force_login(user)
    queue_url = reverse("reviews:queue")

    def get(url: str, params: dict | None = None, *, htmx: bool = False) -> Any:
        response = client.get(url, params or {}, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code in (200, 302), (url, response.status_code)
        return response

    results = []
    queue.forget_counts()
    results.append(("queue page, cold counts (1st request)", timed(lambda: get(queue_url), 1)))
    results.append(("queue page", timed(lambda: get(queue_url), samples)))
    kitchen = Category.objects.get(path="Home").pk
    for label, params in (
        ("queue page, language filter", {"languages": "en-fr"}),
        ("queue page, category filter", {"category": kitchen}),
        ("queue page, score band filter", {"band": "80-85"}),
        ("queue page, source filter", {"source": "shop-de"}),
        ("queue page, htmx partial, page 3", {"languages": "de-zh", "page": 3}),
    ):
        results.append((label, timed(lambda params=params: get(queue_url, params, htmx=True), samples)))

    ids = list(Match.objects.in_review_queue().order_by("?").values_list("pk", flat=True)[: samples])
    it = iter(ids)
    results.append(("pair page (claims the pair)", timed(lambda: get(reverse("reviews:pair", args=[next(it)])), len(ids))))

    def decide() -> None:
        match = queue.claim_next(user)
        action = random.choice(["confirm", "reject", "skip"])
        response = client.post(reverse("reviews:decide", args=[match.pk]), {"action": action},
                               headers={"HX-Request": "true"})
        assert response.status_code == 200, response.content[:300]

    results.append(("decision post (htmx: decide + next pair)", timed(decide, samples)))

    def decide_plain() -> None:
        match = queue.claim_next(user)
        response = client.post(reverse("reviews:decide", args=[match.pk]), {"action": "reject"})
        assert response.status_code == 302

    results.append(("decision post (plain form, redirect)", timed(decide_plain, samples)))
    return results


def concurrent(*, reviewers: int, seconds: float) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count

    from reviews import decisions, queue
    from reviews.models import Decision

    users = [User.objects.create_user(f"bench-reviewer-{i}") for i in range(reviewers)]
    told: list[list[int]] = [[] for _ in users]
    refused: list[list[str]] = [[] for _ in users]
    errors: list[str] = []
    barrier = threading.Barrier(reviewers + 1)
    stop_at: list[float] = []

    def work(index: int) -> None:
        user = users[index]
        rng = random.Random(index)
        try:
            barrier.wait()
            while time.monotonic() < stop_at[0]:
                match = queue.claim_next(user)
                if match is None:
                    break
                action = rng.choices(["confirm", "reject", "skip"], weights=[45, 45, 10])[0]
                try:
                    told[index].append(decisions.record_decision(match.pk, by=user, action=action).pk)
                except decisions.DecisionError as error:
                    refused[index].append(str(error))
        except Exception as error:  # reported in the table
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(reviewers)]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + seconds)
    start = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start

    reported = {pk for ids in told for pk in ids}
    recorded = set(Decision.objects.filter(reviewer__in=users).values_list("pk", flat=True))
    twice = (
        Decision.objects.verdicts().values("match").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    mismatched = 0
    for decision in Decision.objects.filter(pk__in=reported).verdicts().select_related("match"):
        expected = "confirmed" if decision.action == "confirm" else "rejected"
        mismatched += decision.match.status != expected
    return {
        "reviewers": reviewers,
        "seconds": elapsed,
        "decisions": len(reported),
        "per_second": len(reported) / elapsed,
        "verdicts": Decision.objects.filter(pk__in=reported).verdicts().count(),
        "decided_twice": twice,
        "lost": len(reported - recorded),
        "unreported": len(recorded - reported),
        "status_mismatch": mismatched,
        "refused": sum(len(r) for r in refused),
        "errors": errors,
    }


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matches", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin_sql(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
    admin_sql(base, f"CREATE DATABASE {SCRATCH_DB}")
    os.environ["DATABASE_URL"] = scratch_url(base, SCRATCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["REDIS_URL"] = ""
    os.environ["LOG_LEVEL"] = "WARNING"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from alignment.models import Match

        call_command("migrate", verbosity=0)
        print(f"generating {args.skus:,} SKUs and {args.matches:,} matches with COPY ...", flush=True)
        start = time.perf_counter()
        made = generate(n_skus=args.skus, n_matches=args.matches)
        generate_s = time.perf_counter() - start
        start = time.perf_counter()
        queued = Match.refresh_review_impact()
        impact_s = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"generated in {generate_s:.1f} s; impact of {queued:,} queued pairs in {impact_s:.1f} s", flush=True)

        rows = latency(samples=args.samples)
        print(f"running {args.reviewers} concurrent reviewers for {args.seconds:.0f} s ...", flush=True)
        run = concurrent(reviewers=args.reviewers, seconds=args.seconds)
        connection.close()
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")

    print()
    print(f"Review queue benchmark: PostgreSQL, {args.matches:,} matches, {args.skus:,} SKUs "
          f"({made['products']:,} products), {os.cpu_count()} CPU cores")
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(made["statuses"].items())))
    print(f"generation (COPY): {generate_s:.1f} s; full impact refresh of {queued:,} queued pairs: {impact_s:.1f} s")
    print()
    print(f"| {'request':<44} | {'n':>4} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} |")
    print(f"|{'-' * 46}|{'-' * 6}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    worst = 0.0
    for label, samples in rows:
        p50, p95, top = percentiles(samples)
        if len(samples) > 1:
            worst = max(worst, p95)
        print(f"| {label:<44} | {len(samples):>4} | {p50:>7.1f} | {p95:>7.1f} | {top:>7.1f} |")
    print()
    print(f"| {'concurrent reviewers':<44} | {'value':>12} |")
    print(f"|{'-' * 46}|{'-' * 14}|")
    for label, value in (
        ("reviewers (threads, own connections)", f"{run['reviewers']}"),
        ("duration", f"{run['seconds']:.1f} s"),
        ("decisions recorded", f"{run['decisions']:,}"),
        ("  of which confirm/reject", f"{run['verdicts']:,}"),
        ("decisions per second", f"{run['per_second']:.1f}"),
        ("pairs decided twice", f"{run['decided_twice']}"),
        ("lost decisions (reported, not stored)", f"{run['lost']}"),
        ("stored but not reported", f"{run['unreported']}"),
        ("pair status disagrees with decision", f"{run['status_mismatch']}"),
        ("decisions refused (pair taken)", f"{run['refused']}"),
        ("errors", f"{len(run['errors'])}"),
    ):
        print(f"| {label:<44} | {value:>12} |")
    for error in run["errors"][:5]:
        print("  error:", error)
    ok = (
        worst < TARGET_P95_MS and run["decided_twice"] == 0 and run["lost"] == 0
        and run["unreported"] == 0 and run["status_mismatch"] == 0 and not run["errors"]
    )
    print()
    print(f"worst p95 {worst:.1f} ms (target < {TARGET_P95_MS} ms); "
          f"{'all targets met' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
