"""Shared set-up for the import page tests: roles, media in a temporary directory."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import override_settings

from catalog.models import ImportJob
from reviews import roles
from tests.base import BaseTestCase
from tests.catalog.csvfiles import CsvFilesMixin


class ImportViewTestCase(CsvFilesMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        media = override_settings(MEDIA_ROOT=self.tmp / "media")
        media.enable()
        self.addCleanup(media.disable)
        # alice imports catalogs; bob reviews pairs and may not import.
        self.alice.groups.add(Group.objects.get(name=roles.CATALOG_ADMINS))
        self.bob.groups.add(Group.objects.get(name=roles.MERCHANDISERS))

    def stored_job(self, text: str, **fields) -> ImportJob:
        job = ImportJob(original_name="catalog.csv", created_by=self.alice, bytes_total=len(text.encode()), **fields)
        job.file.save("catalog.csv", ContentFile(text.encode()), save=False)
        job.save()
        return job
