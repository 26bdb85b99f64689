"""Alignment end to end on real services: PostgreSQL, a private Redis, a Celery worker subprocess."""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from django.db.models import Count, F
from django.test import TransactionTestCase, override_settings

from alignment import queueing
from alignment.models import AlignmentState, Match
from catalog.importing import import_file
from catalog.models import SKU, Product, ProductEvent
from catalog.signals import announce_on_commit
from config.celery import app
from tests.fakes import SlowStartScorer
from tests.integration.services import CeleryWorker, RedisServer, wait_for

pytestmark = pytest.mark.integration

# Five products in four languages; every product has its own model code, units and brand.
PRODUCTS = [
    ("KT-200", "Aquora", [
        ("en", "Aquora electric kettle KT-200, 1.7 L, 2200 W"),
        ("de", "Aquora Wasserkocher KT-200, 1,7 L, 2200 W"),
        ("fr", "Aquora bouilloire électrique KT-200, 1,7 L, 2200 W"),
        ("es", "Aquora hervidor eléctrico KT-200, 1,7 L, 2200 W"),
    ]),
    ("KS-55", "Brava", [
        ("en", "Brava kitchen scale KS-55, 5 kg, 1 g steps"),
        ("de", "Brava Küchenwaage KS-55, 5 kg, 1 g Schritte"),
        ("fr", "Brava balance de cuisine KS-55, 5 kg, précision 1 g"),
        ("es", "Brava báscula de cocina KS-55, 5 kg, precisión 1 g"),
    ]),
    ("PB-20K", "Voltix", [
        ("en", "Voltix power bank PB-20K, 20000 mAh, 65 W USB-C"),
        ("de", "Voltix Powerbank PB-20K, 20000 mAh, 65 W USB-C"),
        ("fr", "Voltix batterie externe PB-20K, 20000 mAh, 65 W USB-C"),
        ("es", "Voltix batería externa PB-20K, 20000 mAh, 65 W USB-C"),
    ]),
    ("BX-900", "Sonor", [
        ("en", "Sonor bluetooth speaker BX-900, 30 W, IPX7"),
        ("de", "Sonor Bluetooth-Lautsprecher BX-900, 30 W, IPX7"),
        ("fr", "Sonor enceinte bluetooth BX-900, 30 W, IPX7"),
        ("es", "Sonor altavoz bluetooth BX-900, 30 W, IPX7"),
    ]),
    ("TH-3", "Termo", [
        ("en", "Termo kitchen thermometer TH-3, -50 to 300 °C"),
        ("de", "Termo Küchenthermometer TH-3, -50 bis 300 °C"),
        ("fr", "Termo thermomètre de cuisine TH-3, -50 à 300 °C"),
        ("es", "Termo termómetro de cocina TH-3, -50 a 300 °C"),
    ]),
]


def write_catalog(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "sku_code", "language", "title", "description", "brand", "category", "attributes", "product_ref"])
        for code, brand, rows in PRODUCTS:
            for language, title in rows:
                writer.writerow([f"shop-{language}", f"{code}-{language}", language, title, "", brand, "Home > Kitchen", "", code])


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Send this process's tasks to ``url`` (the test settings use the memory broker)."""
    saved = app.conf.broker_url

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = saved
        reset()


@override_settings(ALIGNMENT_TASK_CHUNK_SIZE=3)
class WorkerTestCase(TransactionTestCase):
    """Each test gets a private Redis and a Celery worker subprocess on it."""

    # The worker needs no migration data (roles, content types): no serialized
    # rollback, whose reload clashes with rows another transactional test left.

    # Environment variables of the worker, on top of CeleryWorker's.
    worker_env: dict[str, str] = {}

    def setUp(self) -> None:
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp(prefix="skualign-it-"))
        self.redis = RedisServer()
        self.redis.start()
        self.worker = CeleryWorker(self.redis.url, log_path=self.tmp / "worker.log", env=self.worker_env)
        self.worker.start()
        self.publishing = publishing_to(self.redis.url)
        self.publishing.__enter__()

    def tearDown(self) -> None:
        self.publishing.__exit__(None, None, None)
        self.worker.stop()
        self.redis.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().tearDown()

    def wait(self, condition, *, what: str, timeout: float = 120) -> None:
        try:
            wait_for(condition, timeout=timeout, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{self.worker.log()}") from None

    def import_catalog(self) -> None:
        path = self.tmp / "catalog.csv"
        write_catalog(path)
        report = import_file(path)
        assert report.rows_processed == 20

    def assert_products_found(self) -> None:
        for code, _, rows in PRODUCTS:
            products = set(SKU.objects.filter(product_ref=code).values_list("product_id", flat=True))
            assert len(products) == 1, f"{code} is split over products {products}"
        assert SKU.objects.values("product_id").distinct().count() == len(PRODUCTS)

    def assert_no_duplicates(self) -> None:
        # One merge event per absorbed product, one row per pair, never two merges of one product.
        absorbed = Product.objects.filter(merged_into__isnull=False).count()
        merges = ProductEvent.objects.filter(kind=ProductEvent.Kind.MERGE)
        assert merges.count() == absorbed
        assert not merges.values("other_product").annotate(n=Count("pk")).filter(n__gt=1).exists()
        assert Match.objects.values("sku_a", "sku_b").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


class AlignmentWorkerTestCase(WorkerTestCase):
    def test_it_aligns_an_imported_catalog(self):
        self.import_catalog()
        self.wait(lambda: _aligned_count() == 20, what="20 SKUs aligned")
        self.assert_products_found()
        self.assert_no_duplicates()
        assert Match.objects.filter(status=Match.Status.AUTO_MERGED).count() >= 15
        assert set(AlignmentState.objects.values_list("attempts", flat=True)) <= {1, 2}

    def test_it_aligns_an_edit_saved_while_redis_was_down(self):
        self.import_catalog()
        self.wait(lambda: _aligned_count() == 20, what="the catalog aligned")
        self.redis.stop()
        sku = SKU.objects.get(sku_code="KT-200-de")
        sku.title = "Aquora Wasserkocher KT-200, 1,7 L, 2400 W"
        sku.save()
        announce_on_commit([sku.pk])  # outside a transaction: runs now, and must not raise
        sku.refresh_from_db()
        assert sku.title.endswith("2400 W")
        state = AlignmentState.objects.get(sku=sku)
        assert state.status == AlignmentState.Status.PENDING
        self.redis.start()
        assert queueing.sweep_pending(grace_seconds=0) == 1
        self.wait(lambda: _aligned_count() == 20, what="the edited SKU aligned after Redis came back")
        state.refresh_from_db()
        assert state.aligned_hash == sku.content_hash
        assert not Match.objects.involving(sku).filter(status=Match.Status.STALE).exists()


class KilledWorkerTestCase(WorkerTestCase):
    # Chunks that take seconds, so the worker can be killed while one is being scored.
    # Killed between two chunks instead, a worker can lose the message it was popping
    # (Redis's transport pops, then records it as unacknowledged): the periodic sweep,
    # not redelivery, recovers that one (test_it_aligns_an_edit_saved_while_redis_was_down).
    worker_env = {"ALIGNMENT_SCORER": "tests.fakes.SlowScorer"}

    def test_it_redelivers_the_chunk_of_a_worker_killed_while_scoring_it(self):
        self.import_catalog()

        def scoring_a_later_chunk() -> bool:
            log = self.worker.log_path.read_text(errors="replace")
            running = _received(log) - _succeeded(log)
            return _aligned_count() >= 3 and bool(running)

        self.wait(scoring_a_later_chunk, what="a chunk being scored after the first one aligned", timeout=90)
        self.worker.kill()
        log = self.worker.log_path.read_text(errors="replace")
        running = _received(log) - _succeeded(log)
        assert len(running) == 1, f"a worker holds one chunk at a time (late acks, prefetch 1): {running}"
        [killed] = running
        assert _aligned_count() < 20, "the worker finished before it could be killed"
        before = len(log)
        self.worker.start()
        self.wait(lambda: _aligned_count() == 20, what="every SKU aligned after the restart", timeout=150)
        self.assert_products_found()
        self.assert_no_duplicates()
        after = self.worker.log_path.read_text(errors="replace")[before:]
        assert killed in _received(after) & _succeeded(after), f"{killed} was not run again\n{after[-3000:]}"


class WarmUpTestCase(WorkerTestCase):
    # A scorer whose first call takes as long as loading a model, longer than
    # Celery's default 4 s for a new pool process to report ready.
    worker_env = {"ALIGNMENT_SCORER": "tests.fakes.SlowStartScorer"}

    def test_it_warms_up_the_scorer_before_the_first_chunk(self):
        self.wait(lambda: "warmed up in" in self.worker.log(), what="the scorer's warm-up", timeout=60)
        self.import_catalog()
        self.wait(lambda: _aligned_count() >= 3, what="the first chunk aligned", timeout=60)
        log = self.worker.log_path.read_text(errors="replace")
        assert "Timed out waiting for UP message" not in log  # the pool process was not killed
        [warmed] = [line for line in log.splitlines() if "warmed up in" in line]
        assert "ForkPoolWorker" in warmed  # loaded in the pool process, after the fork
        first = re.search(r"Task alignment\.align_skus\[[^]]+\] succeeded in ([0-9.]+)s", log)
        assert first is not None, log[-3000:]
        assert float(first.group(1)) < SlowStartScorer.startup_seconds, warmed

    def test_it_gives_a_replacement_pool_process_the_time_to_warm_up(self):
        self.wait(lambda: "warmed up in" in self.worker.log(), what="the scorer's warm-up", timeout=60)
        # A pool process dies (out of memory, a hard time limit): the worker starts another,
        # and kills it if it is not ready within worker_proc_alive_timeout.
        [pool_process] = psutil.Process(self.worker.process.pid).children()
        pool_process.kill()
        self.wait(lambda: self.worker.log().count("warmed up in") == 2, what="the new process's warm-up", timeout=60)
        self.import_catalog()
        self.wait(lambda: _aligned_count() >= 3, what="the new process's first chunk aligned", timeout=60)
        assert "Timed out waiting for UP message" not in self.worker.log_path.read_text(errors="replace")


def _aligned_count() -> int:
    return AlignmentState.objects.filter(
        status=AlignmentState.Status.DONE, aligned_hash=F("sku__content_hash")
    ).count()


def _received(log: str) -> set[str]:
    return set(re.findall(r"Task alignment\.align_skus\[([^]]+)\] received", log))


def _succeeded(log: str) -> set[str]:
    return set(re.findall(r"Task alignment\.align_skus\[([^]]+)\] succeeded", log))
