from __future__ import annotations

import contextlib
import os
from unittest.mock import patch

from django.conf import settings
from django.test import SimpleTestCase

from alignment import embeddings, retrieval, tasks
from alignment.models import AlignmentState, Match
from alignment.scorers import ScoringError, get_scorer
from catalog.models import SKU
from tests.base import BaseTestCase
from tests.fakes import FakeScorer


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


@contextlib.contextmanager
def worker_consuming(*queues: str):
    """As ``celery worker -Q …`` selects its queues before it forks the pool processes."""
    selected = tasks.align_skus.app.amqp.queues
    with patch.object(selected, "_consume_from", None):
        selected.select(list(queues))
        yield


class WarmUpScorerTestCase(SimpleTestCase):
    """The worker_process_init receiver, called as Celery calls it in each new pool process."""

    def start_process(self, *, warmup: bool = True, queues: tuple[str, ...] = ("scoring", "default"), **fake):
        with FakeScorer.returning(**fake) as scorer, self.settings(ALIGNMENT_WARMUP=warmup), worker_consuming(
            *queues
        ), patch.object(tasks, "get_scorer", autospec=True, return_value=scorer()):
            tasks.warm_up_scorer(sender="worker@host")
            return scorer.calls

    def test_it_scores_a_sample_batch_before_the_process_takes_work(self):
        with self.assertLogs("alignment.tasks", "INFO") as logs:
            calls = self.start_process()
        documents = [d for _, docs, _ in calls for d in docs]
        assert len(calls) >= 2 and len(documents) >= 6
        assert len({len(d) for d in documents}) >= 3  # rows of several lengths, as a chunk has
        assert all(instruction for _, _, instruction in calls)
        [line] = logs.output
        assert "Scorer fake (fake-1) warmed up in" in line

    def test_it_is_off_when_the_setting_says_so(self):
        assert self.start_process(warmup=False) == []

    def test_it_leaves_a_worker_that_never_scores_without_a_model(self):
        assert self.start_process(queues=("default",)) == []

    def test_a_failed_warm_up_is_logged_and_the_process_goes_on(self):
        with self.assertLogs("alignment.tasks", "ERROR") as logs:
            calls = self.start_process(error=ScoringError("Cannot load the Qwen3 reranker", permanent=True))
        assert calls
        assert "Warming up the scorer failed" in logs.output[0]


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
