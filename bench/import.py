"""Benchmark the catalog import: rows/s and peak memory, PostgreSQL vs SQLite vs django-import-export.

    python bench/import.py [--rows 100000] [--small 20000] [--iexport-rows 10000]

Generates a multilingual catalog CSV (zh/en/fr/es/de descriptions of the same
products, grouped by product_ref), then imports it, each run in a fresh child
process so that peak memory is that run's alone:

- catalog.importing into a scratch PostgreSQL database (created and dropped),
  at two file sizes to show memory stays flat, then the same file again
  (the idempotent re-import: every row unchanged);
- catalog.importing into a temporary SQLite file;
- django-import-export with a plain ModelResource for SKU (row by row, the
  whole file in memory), on a slice of the file: it is much slower.

PostgreSQL is reached through BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/postgres, used only to create and drop the
scratch database).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "skualign_bench_import"
TARGET_ROWS_PER_S = 10_000
TARGET_SPEEDUP = 5
TARGET_PEAK_MB = 300

# ---------------------------------------------------------------- the file

PRODUCTS = [
    # (category path, {language: product noun})
    ("Home > Kitchen > Kettles", {"zh": "电热水壶", "en": "Electric Kettle", "fr": "Bouilloire électrique",
                                  "es": "Hervidor eléctrico", "de": "Wasserkocher"}),
    ("Home > Kitchen > Toasters", {"zh": "多士炉", "en": "Toaster", "fr": "Grille-pain",
                                   "es": "Tostadora", "de": "Toaster"}),
    ("Home > Office > Chairs", {"zh": "人体工学办公椅", "en": "Ergonomic Office Chair", "fr": "Chaise de bureau ergonomique",
                                "es": "Silla de oficina ergonómica", "de": "Ergonomischer Bürostuhl"}),
    ("Electronics > Audio > Headphones", {"zh": "无线降噪耳机", "en": "Wireless Noise-Cancelling Headphones",
                                          "fr": "Casque sans fil à réduction de bruit",
                                          "es": "Auriculares inalámbricos con cancelación de ruido",
                                          "de": "Kabellose Kopfhörer mit Geräuschunterdrückung"}),
    ("Baby > Car Seats", {"zh": "儿童安全座椅", "en": "Child Car Seat", "fr": "Siège auto enfant",
                          "es": "Silla de coche infantil", "de": "Kindersitz"}),
]
COLOURS = {"zh": ["白色", "黑色", "银色"], "en": ["white", "black", "silver"], "fr": ["blanc", "noir", "argent"],
           "es": ["blanco", "negro", "plata"], "de": ["weiß", "schwarz", "silber"]}
DESCRIPTIONS = {
    "zh": "{noun}，{brand}出品，型号{model}，{colour}，额定功率{watts}W，两年保修。",
    "en": "The {brand} {noun} {model} in {colour}: {watts} W, two-year warranty, ships in recyclable packaging.",
    "fr": "{noun} {brand} {model}, coloris {colour}, {watts} W, garantie deux ans, emballage recyclable.",
    "es": "{noun} {brand} {model}, color {colour}, {watts} W, garantía de dos años, embalaje reciclable.",
    "de": "{noun} von {brand}, Modell {model}, Farbe {colour}, {watts} W, zwei Jahre Garantie.",
}
SOURCES = {"zh": "erp-cn", "en": "shop-uk", "fr": "shop-fr", "es": "shop-es", "de": "shop-de"}
BRANDS = ["Aquora", "Sitzwohl", "Nordhus", "Kelvo", "Lumio", "Brava"]


def write_catalog(path: Path, rows: int, *, seed: int = 7) -> None:
    languages = list(SOURCES)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "sku_code", "language", "title", "description", "brand",
                         "category", "attributes", "product_ref"])
        for index in range(rows):
            product, language = divmod(index, len(languages))
            lang = languages[language]
            # One generator per product: its five rows agree on brand, model and colour.
            r = random.Random(seed * 1_000_003 + product)
            category, nouns = PRODUCTS[product % len(PRODUCTS)]
            brand, model = r.choice(BRANDS), f"{r.choice('ABCDEFGHKMX')}{r.randint(100, 9999)}"
            colour = r.randrange(3)
            watts = r.choice([650, 1200, 1800, 2200])
            fields = {"noun": nouns[lang], "brand": brand, "model": model,
                      "colour": COLOURS[lang][colour], "watts": watts}
            writer.writerow([
                SOURCES[lang], f"{lang.upper()}-{product:07d}", lang,
                f"{brand} {nouns[lang]} {model} {COLOURS[lang][colour]}",
                DESCRIPTIONS[lang].format(**fields), brand, category,
                json.dumps({"model": model, "power": f"{watts}W", "colour": COLOURS[lang][colour]},
                           ensure_ascii=False),
                f"P-{product:07d}",
            ])


def slice_file(source: Path, target: Path, rows: int) -> None:
    with open(source, encoding="utf-8", newline="") as f, open(target, "w", encoding="utf-8", newline="") as out:
        for count, line in enumerate(f):
            if count > rows:
                break
            out.write(line)


# ---------------------------------------------------------------- a child run


class PeakRss:
    """Samples this process's resident memory in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def child(kind: str, path: Path, repeat: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from catalog.signals import sku_changed

    call_command("migrate", verbosity=0, skip_checks=True)
    # Measure the import alone: without Redis, alignment's receiver would score
    # every announced SKU in-process. Count the announcements instead.
    announced = [0]
    sku_changed.receivers = []
    sku_changed.sender_receivers_cache.clear()
    sku_changed.connect(lambda sender, sku_ids, **kw: announced.__setitem__(0, announced[0] + len(sku_ids)),
                        weak=False)

    def run() -> dict[str, Any]:
        if kind == "iexport":
            return import_with_import_export(path)
        from catalog.importing import import_file

        report = import_file(path)
        return {"rows": report.rows_processed, "counts": report.counts}

    if repeat:
        run()
        announced[0] = 0
    with PeakRss() as rss:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    from catalog.models import SKU

    return {**result, "seconds": seconds, "cpu": cpu, "load": os.getloadavg()[0], "peak_rss": rss.peak, "skus": SKU.objects.count(),
            "announced": announced[0]}


def import_with_import_export(path: Path) -> dict[str, Any]:
    import tablib
    from import_export import resources

    from catalog.models import SKU

    class SKUResource(resources.ModelResource):
        class Meta:
            model = SKU
            import_id_fields = ("source", "sku_code")
            fields = ("source", "sku_code", "language", "title", "description", "brand", "attributes",
                      "product_ref")

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    result = SKUResource().import_data(dataset, dry_run=False, raise_errors=True)
    totals = result.totals
    return {"rows": len(dataset), "counts": {"new": totals["new"], "updated": totals["update"],
                                             "unchanged": totals["skip"], "invalid": totals["invalid"]}}


# ---------------------------------------------------------------- the parent


def admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{SCRATCH_DB}"')


def spawn(kind: str, path: Path, database_url: str, *, repeat: bool = False) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
           "REDIS_URL": "", "LOG_LEVEL": "WARNING"}
    args = [sys.executable, __file__, "--child", kind, "--file", str(path)]
    if repeat:
        args.append("--repeat")
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind} run on {path.name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000, help="the smaller file, to show memory is flat")
    parser.add_argument("--iexport-rows", type=int, default=10_000,
                        help="rows given to django-import-export (it is slow)")
    parser.add_argument("--child", choices=["pg", "sqlite", "iexport"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child, options.file, options.repeat)))
        return

    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        work = Path(scratch)
        big, small, sliced = work / "catalog-big.csv", work / "catalog-small.csv", work / "catalog-slice.csv"
        write_catalog(big, options.rows)
        slice_file(big, small, min(options.small, options.rows))
        slice_file(big, sliced, min(options.iexport_rows, options.rows))
        pg = with_database(admin_url(), SCRATCH_DB)
        runs: list[tuple[str, Path, dict[str, Any]]] = []
        try:
            for label, path, kind, repeat in [
                ("catalog.importing -> PostgreSQL", small, "pg", False),
                ("catalog.importing -> PostgreSQL", big, "pg", False),
                ("catalog.importing -> PostgreSQL, re-import (unchanged)", big, "pg", True),
                ("catalog.importing -> SQLite", small, "sqlite", False),
                ("catalog.importing -> SQLite", big, "sqlite", False),
                ("django-import-export ModelResource -> PostgreSQL", sliced, "iexport", False),
            ]:
                if kind == "sqlite":
                    url = f"sqlite:///{work / f'bench-{path.stem}.sqlite3'}"
                else:
                    recreate_database()
                    url = pg
                print(f"running: {label} ({path.stem})...", file=sys.stderr, flush=True)
                runs.append((label, path, spawn(kind, path, url, repeat=repeat)))
        finally:
            recreate_database(drop_only=True)
        print_table(runs, options)


def print_table(runs: list[tuple[str, Path, dict[str, Any]]], options: argparse.Namespace) -> None:
    print()
    print(f"{'run':<56} {'rows':>7} {'seconds':>7} {'rows/s':>7} {'rows/cpu-s':>10} {'load':>5} "
          f"{'peak RSS':>8}  result")
    print("-" * 150)
    for label, _path, r in runs:
        counts = r["counts"]
        result = (f"{counts['new']} new, {counts['updated']} upd, {counts['unchanged']} same, "
                  f"{counts['invalid']} bad; {r['skus']} SKUs, {r['announced']} announced")
        print(f"{label:<56} {r['rows']:>7} {r['seconds']:>7.1f} {r['rows'] / r['seconds']:>7,.0f} "
              f"{r['rows'] / r['cpu']:>10,.0f} {r['load']:>5.1f} {r['peak_rss'] / 1e6:>6.0f}MB  {result}")
    pg_big = runs[1][2]
    iexport = runs[-1][2]
    ours = pg_big["rows"] / pg_big["seconds"]
    theirs = iexport["rows"] / iexport["seconds"]
    peak = max(r["peak_rss"] for _label, _path, r in runs[:-1]) / 1e6
    print()
    print(f"django-import-export ran on a {iexport['rows']}-row slice of the same file (rows/s is comparable).")
    print(f"rows/cpu-s counts the importing process's CPU time only (not the database server's); "
          f"load is the 1-minute load average on {os.cpu_count()} CPUs when the run ended.")
    print(f"PostgreSQL rows/s: {ours:,.0f} (target >= {TARGET_ROWS_PER_S:,}): "
          f"{'met' if ours >= TARGET_ROWS_PER_S else 'MISSED'}")
    print(f"speed-up over django-import-export: {ours / theirs:.1f}x (target >= {TARGET_SPEEDUP}x): "
          f"{'met' if ours / theirs >= TARGET_SPEEDUP else 'MISSED'}")
    print(f"peak memory of catalog.importing: {peak:.0f} MB (target < {TARGET_PEAK_MB} MB; "
          f"{runs[0][2]['peak_rss'] / 1e6:.0f} MB at {runs[0][2]['rows']} rows vs "
          f"{pg_big['peak_rss'] / 1e6:.0f} MB at {pg_big['rows']} rows): "
          f"{'met' if peak < TARGET_PEAK_MB else 'MISSED'}")


if __name__ == "__main__":
    main()
