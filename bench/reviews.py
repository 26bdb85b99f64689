"""Benchmark the review queue on PostgreSQL with a million matches.

    python bench/reviews.py [--matches 1000000] [--skus 200000] [--seconds 60] [--reviewers 20]

In a scratch database (created, migrated, dropped at the end unless --keep):

1. generates a catalog of SKUs in products of one or two SKUs and ``--matches``
   scored pairs with INSERT ... SELECT over generate_series, inside PostgreSQL
   (automatic merges inside products; discarded, pending review and already
   decided pairs between products), then computes the queue's impact order for
   every queued pair;
2. measures queue page, pair page and decision post latency (p50/p95) through
   Django's test Client against the real views (tasks they enqueue are not run:
   deployed, a worker runs them);
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
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "skualign_bench_reviews"
TARGET_P95_MS = 100
# Tells this run's users apart from an earlier run's in a --reuse'd database.
RUN = time.strftime("%Y%m%d%H%M%S")
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


def insert_select(model: Any, columns: dict[str, str], source: str, params: list[Any] | None = None) -> int:
    """INSERT INTO the model's table SELECT the given column expressions FROM ``source``.

    Columns not given get the model's Python-side defaults, so the generator keeps
    working when other apps add fields to these tables.
    """
    from django.db import connection
    from django.db.models import JSONField

    fields = {f.column: f for f in model._meta.concrete_fields}
    template = model()
    extra = [c for c in fields if c not in columns and c != "id"]
    values = []
    for column in extra:
        field = fields[column]
        value = getattr(template, field.attname)
        values.append(json.dumps(value) if isinstance(field, JSONField) and value is not None else value)
    # The expressions hold no placeholders; "%" in them is SQL's modulo.
    select = [
        *(expression.replace("%", "%%") for expression in columns.values()),
        *(f"CAST(%s AS {fields[c].db_type(connection)})" for c in extra),
    ]
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join([*columns, *extra])}) "
        f"SELECT {', '.join(select)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(params or []), *values])
        return cursor.rowcount


def generate(*, n_skus: int, n_matches: int) -> dict[str, Any]:
    """The catalog and its matches, generated inside PostgreSQL (deterministic)."""
    from django.db import connection
    from django.db.models import Count

    from alignment.models import Match
    from catalog.models import SKU, Category, Product

    leaves = [Category.get_or_create_path(path).pk for path in CATEGORIES]
    # SKU i belongs to product floor((i - 1) * 0.6) + 1: products of one and two SKUs.
    product = "(((g - 1) * 3) / 5 + 1)"
    n_products = ((n_skus - 1) * 3) // 5 + 1
    insert_select(Product, {"id": "g", "created_at": "now()", "updated_at": "now()"},
                  f"generate_series(1, {n_products}) AS g")
    languages = "(ARRAY['" + "','".join(LANGUAGES) + "'])"
    sources = "(ARRAY['" + "','".join(SOURCES[lang] for lang in LANGUAGES) + "'])"
    nouns = "(ARRAY['" + "','".join(NOUNS[lang] for lang in LANGUAGES) + "'])"
    category = f"(ARRAY[{','.join(map(str, leaves))}])[({product} / 50) % {len(leaves)} + 1]"
    title = (f"'Brava ' || {nouns}[g % 5 + 1] || ' ' || to_char(1 + ({product} % 9) / 10.0, 'FM0.0') "
             f"|| ' L BK-' || ({product} % 977)")
    insert_select(SKU, {
        "id": "g", "source": f"{sources}[g % 5 + 1]", "sku_code": "'S' || lpad(g::text, 7, '0')",
        "language": f"{languages}[g % 5 + 1]", "title": title, "description": title + " || '. 2200 W.'",
        "brand": "'Brava'", "attributes": "'{}'::jsonb", "category_id": category, "product_id": product,
        "product_ref": "''", "content_hash": "lpad(to_hex(g), 32, '0')", "created_at": "now()",
        "updated_at": "now()",
    }, f"generate_series(1, {n_skus}) AS g")
    # Pair k joins SKU a with a nearby SKU b = a + 1 + round: unique, ordered pairs.
    span = n_skus - 64
    rounds = -(-n_matches // span)
    if rounds > 60:
        raise SystemExit("too many matches for this many SKUs; raise --skus")
    a, b = f"(k % {span} + 1)", f"(k % {span} + 2 + k / {span})"
    pa, pb = f"((({a} - 1) * 3) / 5 + 1)", f"((({b} - 1) * 3) / 5 + 1)"
    p = "(0.3 + 0.6 * ((k * 2654435761) % 1000) / 1000.0)"
    hp = "((k * 40503) % 100)"
    status = (f"CASE WHEN {pa} = {pb} THEN 'auto_merged' WHEN {p} < 0.7 THEN 'discarded' "
              f"WHEN {hp} < 3 THEN 'confirmed' WHEN {hp} < 5 THEN 'rejected' ELSE 'pending' END")
    probability = f"CASE WHEN {pa} = {pb} THEN 0.9 + {p} / 10 ELSE {p} END"
    at = "now() - interval '20 days' + k * interval '1 second'"
    insert_select(Match, {
        "id": "k + 1", "sku_a_id": a, "sku_b_id": b, "probability": probability, "raw_score": probability,
        "scorer": "'e5'", "model_revision": "'bench'", "retrieval": "'{\"embedding_rank\": 1}'::jsonb",
        "status": status, "hash_a": f"lpad(to_hex({a}), 32, '0')", "hash_b": f"lpad(to_hex({b}), 32, '0')",
        "created_at": at, "updated_at": at,
    }, f"generate_series(0::bigint, {n_matches - 1}) AS k")
    with connection.cursor() as cursor:
        for table in ("catalog_product", "catalog_sku", "alignment_match"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    statuses = dict(Match.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"products": n_products, "statuses": statuses}


def reused() -> dict[str, Any]:
    """What generate() reports, read back from a kept scratch database."""
    from django.db.models import Count

    from alignment.models import Match
    from catalog.models import Product

    statuses = dict(Match.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"products": Product.objects.count(), "statuses": statuses}


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
    from django.test.utils import override_settings
    from django.urls import reverse

    from alignment.models import Match
    from catalog.models import Category
    from reviews import queue, roles

    user = User.objects.create_user(f"bench-latency-{RUN}")
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
    results.append(("queue page, no counts yet (fresh install)", timed(lambda: get(queue_url), 1)))
    # The first request after the counts' REVIEWS_COUNTS_CACHE_SECONDS: it shows them
    # and asks a worker to recount them.
    with override_settings(REVIEWS_COUNTS_CACHE_SECONDS=0):
        results.append(("queue page, counts due for a recount (1st)", timed(lambda: get(queue_url), 1)))
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

    users = [User.objects.create_user(f"bench-reviewer-{RUN}-{i}") for i in range(reviewers)]
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
        "refusals": sorted({message for messages in refused for message in messages})[:5],
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
    parser.add_argument(
        "--reuse", action="store_true",
        help="time against the scratch database a --keep run left (no generation; implies --keep)",
    )
    args = parser.parse_args()
    args.keep = args.keep or args.reuse

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not args.reuse:
        admin_sql(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        admin_sql(base, f"CREATE DATABASE {SCRATCH_DB}")
    os.environ["DATABASE_URL"] = scratch_url(base, SCRATCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from alignment.models import Match
        from config.celery import app

        # Deployed, what the views enqueue runs on a worker, not in the request that
        # asked for it; the bench runs none, so it is left in an in-memory broker.
        app.conf.task_always_eager = False

        call_command("migrate", verbosity=0)
        if args.reuse:
            # Earlier runs' decisions stay; a million matches leave the queue far from empty.
            made = reused()
            generate_s = impact_s = 0.0
            with connection.cursor() as cursor:
                # What autovacuum would do between runs (it may be off, as it is here).
                cursor.execute("VACUUM ANALYZE alignment_match")
            queued = Match.objects.in_review_queue().count()
            print(f"reusing {SCRATCH_DB}: {queued:,} queued pairs", flush=True)
        else:
            print(f"generating {args.skus:,} SKUs and {args.matches:,} matches in PostgreSQL ...", flush=True)
            start = time.perf_counter()
            made = generate(n_skus=args.skus, n_matches=args.matches)
            generate_s = time.perf_counter() - start
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum would do after a bulk load
            start = time.perf_counter()
            queued = Match.refresh_review_impact()
            impact_s = time.perf_counter() - start
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE alignment_match")
            print(f"generated in {generate_s:.1f} s; impact of {queued:,} queued pairs in {impact_s:.1f} s", flush=True)

        load_before = os.getloadavg()[0]
        rows = latency(samples=args.samples)
        print(f"running {args.reviewers} concurrent reviewers for {args.seconds:.0f} s ...", flush=True)
        run = concurrent(reviewers=args.reviewers, seconds=args.seconds)
        load_after = os.getloadavg()[0]
        connection.close()
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")

    print()
    print(f"Review queue benchmark: PostgreSQL, {args.matches:,} matches, {args.skus:,} SKUs "
          f"({made['products']:,} products), {os.cpu_count()} CPU cores, "
          f"load average {load_before:.1f} before the timings and {load_after:.1f} after")
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(made["statuses"].items())))
    if args.reuse:
        print(f"reused the database a --keep run left ({queued:,} queued pairs before this run)")
    else:
        print(f"generation (INSERT ... SELECT in PostgreSQL): {generate_s:.1f} s; full impact refresh of {queued:,} queued pairs: {impact_s:.1f} s")
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
        ("decisions refused (clear message, nothing stored)", f"{run['refused']}"),
        ("errors", f"{len(run['errors'])}"),
    ):
        print(f"| {label:<44} | {value:>12} |")
    for error in run["errors"][:5]:
        print("  error:", error)
    for message in run["refusals"]:
        print("  refused:", message)
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
