from __future__ import annotations

from catalog import tasks
from catalog.models import SKU, ImportJob
from tests.catalog.csvfiles import HEADER
from tests.catalog.importviews import ImportViewTestCase


class ImportCatalogTaskTestCase(ImportViewTestCase):
    def test_it_is_named_and_routed_to_the_default_queue(self):
        from django.conf import settings

        assert tasks.import_catalog.name == "catalog.import_catalog"
        assert settings.CELERY_TASK_ROUTES["catalog.*"] == {"queue": "default"}

    def test_it_runs_the_queued_pass_of_the_job(self):
        job = self.stored_job(f"{HEADER}\nshop,A,en,Kettle,,,,,\n", dry_run=False)
        with self.captureOnCommitCallbacks(execute=True):
            tasks.import_catalog(job.pk)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        assert SKU.objects.get().title == "Kettle"
        # A redelivered message finds the job finished and changes nothing.
        tasks.import_catalog(job.pk)
        assert SKU.objects.count() == 1
