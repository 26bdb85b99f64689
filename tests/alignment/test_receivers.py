from __future__ import annotations

from unittest.mock import patch

from django.db import transaction
from django.test import override_settings
from kombu.exceptions import OperationalError

from alignment import tasks
from alignment.models import AlignmentState
from catalog.models import SKU
from catalog.signals import announce_on_commit
from tests.base import BaseTestCase


class SkuChangedReceiverTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.skus = [
            SKU.objects.create(source="s", sku_code=str(i), language="en", title=f"Kettle {i}")
            for i in range(5)
        ]

    def test_it_enqueues_changed_skus_after_commit(self):
        sku = self.skus[0]
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            with self.captureOnCommitCallbacks(execute=True):
                announce_on_commit([sku.pk])
                delay.assert_not_called()  # nothing goes out before the commit
        delay.assert_called_once_with([[sku.pk, sku.content_hash]])
        assert AlignmentState.objects.get(sku=sku).status == AlignmentState.Status.PENDING

    @override_settings(ALIGNMENT_TASK_CHUNK_SIZE=2)
    def test_it_enqueues_an_import_in_chunks(self):
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            with self.captureOnCommitCallbacks(execute=True):
                announce_on_commit([s.pk for s in self.skus])
        sizes = [len(call.args[0]) for call in delay.call_args_list]
        assert sizes == [2, 2, 1]
        sent = sorted(item[0] for call in delay.call_args_list for item in call.args[0])
        assert sent == sorted(s.pk for s in self.skus)

    def test_it_marks_a_previously_aligned_sku_pending_again(self):
        sku = self.skus[0]
        AlignmentState.objects.create(sku=sku, status=AlignmentState.Status.DONE, aligned_hash=sku.content_hash)
        with patch.object(tasks.align_skus, "delay", autospec=True):
            with self.captureOnCommitCallbacks(execute=True):
                announce_on_commit([sku.pk])
        assert AlignmentState.objects.get(sku=sku).status == AlignmentState.Status.PENDING

    def test_it_keeps_the_save_when_the_broker_is_down(self):
        sku = self.skus[0]
        with patch.object(tasks.align_skus, "delay", autospec=True, side_effect=OperationalError("refused")):
            with self.assertLogs("alignment.queueing", "ERROR") as logs:
                with self.captureOnCommitCallbacks(execute=True):
                    with transaction.atomic():
                        sku.title = "Kettle 1.7 L"
                        sku.save()
                        announce_on_commit([sku.pk])
        assert "stay pending" in logs.output[0]
        assert SKU.objects.get(pk=sku.pk).title == "Kettle 1.7 L"
        assert AlignmentState.objects.get(sku=sku).status == AlignmentState.Status.PENDING

    def test_it_ignores_deleted_skus(self):
        sku = self.skus[0]
        pk = sku.pk
        sku.delete()
        with patch.object(tasks.align_skus, "delay", autospec=True) as delay:
            with self.captureOnCommitCallbacks(execute=True):
                announce_on_commit([pk])
        delay.assert_not_called()
