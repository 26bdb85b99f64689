from __future__ import annotations

import os
from unittest.mock import patch

from django.conf import settings

from alignment import embeddings, retrieval, tasks
from alignment.models import AlignmentState, Match
from alignment.scorers import ScoringError, get_scorer
from catalog.models import SKU
from tests.base import BaseTestCase


class AlignSkusTaskTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        retrieval.reset_index()
        self.en = SKU.objects.create(source="s", sku_code="1", language="en", title="Kettle KT-200 1.7 L")
        self.de = SKU.objects.create(source="s", sku_code="2", language="de", title="Wasserkocher KT-200 1,7 L")
        embeddings.ensure_embeddings([self.en, self.de])

    def test_it_aligns_the_chunk_and_reports(self):
        result = tasks.align_skus([[self.en.pk, self.en.content_hash], [self.de.pk, self.de.content_hash]])
        assert result["aligned"] == 2
        assert result["pairs_scored"] == 1
        assert set(result["timings"]) >= {"embedding", "retrieval", "scoring", "writing"}
        assert Match.objects.count() == 1
        assert AlignmentState.objects.get(sku=self.en).status == AlignmentState.Status.DONE

    def test_it_creates_no_second_row_when_run_twice(self):
        items = [[self.en.pk, self.en.content_hash]]
        tasks.align_skus(items)
        again = tasks.align_skus(items)  # a redelivery, or a sweep that raced the first task
        assert again["skipped"] == 1
        assert Match.objects.count() == 1
        assert AlignmentState.objects.get(sku=self.en).attempts == 1

    def test_it_skips_a_sku_whose_text_changed_since_enqueue(self):
        items = [[self.en.pk, self.en.content_hash]]
        self.en.title = "Kettle KT-300 1.5 L"
        self.en.save()
        result = tasks.align_skus(items)
        assert result["skipped"] == 1
        assert not Match.objects.exists()

    def test_it_is_routed_to_the_scoring_queue_with_retries_and_limits(self):
        route = tasks.align_skus.app.amqp.router.route({}, tasks.align_skus.name)
        assert route["queue"].name == "scoring"
        assert tasks.align_skus.acks_late is True
        assert tasks.align_skus.autoretry_for == (ScoringError,)
        assert tasks.align_skus.max_retries == 5
        assert tasks.align_skus.soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert tasks.align_skus.time_limit == settings.CELERY_TASK_TIME_LIMIT
        assert tasks.sweep_pending.name == settings.CELERY_BEAT_SCHEDULE["alignment-sweep"]["task"]

    def test_it_retries_transient_errors_only(self):
        items = [[self.en.pk, self.en.content_hash]]
        with patch.object(get_scorer(), "score", autospec=True, side_effect=ScoringError("busy")):
            with patch.object(tasks.align_skus, "retry", autospec=True, side_effect=RuntimeError("retry")) as retry:
                with self.assertRaisesMessage(RuntimeError, "retry"):
                    tasks.align_skus.apply(args=[items], throw=True).get()
        assert retry.called
        with patch.object(get_scorer(), "score", autospec=True, side_effect=ScoringError("bad", permanent=True)):
            tasks.align_skus(items)
        assert AlignmentState.objects.get(sku=self.en).status == AlignmentState.Status.FAILED

    def test_it_runs_worker_processes_on_one_thread_unless_told_otherwise(self):
        import torch  # as if imported before the fork

        with patch.dict("os.environ", {"OPENBLAS_NUM_THREADS": "4"}, clear=False), patch.object(
            torch, "set_num_threads", autospec=True
        ) as set_threads:
            os.environ.pop("OMP_NUM_THREADS", None)
            tasks.one_thread_per_process()
            assert os.environ["OMP_NUM_THREADS"] == "1"
            assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
            set_threads.assert_called_once_with(1)
            os.environ["OMP_NUM_THREADS"] = "not a number"
            tasks.one_thread_per_process()  # left to torch's own parsing
            set_threads.assert_called_once_with(1)

    def test_it_loads_the_scorer_once_per_process(self):
        assert get_scorer() is get_scorer()


class SweepTaskTestCase(BaseTestCase):
    def test_it_enqueues_skus_left_pending(self):
        sku = SKU.objects.create(source="s", sku_code="1", language="en", title="Kettle")
        AlignmentState.objects.create(sku=sku, status=AlignmentState.Status.PENDING)
        AlignmentState.objects.filter(sku=sku).update(updated_at="2020-01-01T00:00:00Z")
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            with self.captureOnCommitCallbacks(execute=True):
                assert tasks.sweep_pending() == 1
        delay.assert_called_once_with([[sku.pk, sku.content_hash]])

    def test_it_leaves_recent_pending_skus_to_their_task(self):
        sku = SKU.objects.create(source="s", sku_code="1", language="en", title="Kettle")
        AlignmentState.objects.create(sku=sku, status=AlignmentState.Status.PENDING)
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            assert tasks.sweep_pending() == 0
        delay.assert_not_called()
