"""Catalog files written for tests, in a temporary directory removed after each test."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.test import TestCase

HEADER = "source,sku_code,language,title,description,brand,category,attributes,product_ref"


class CsvFilesMixin(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp(prefix="catalog-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def csv_file(self, text: str, *, name: str = "catalog.csv", encoding: str = "utf-8") -> Path:
        path = self.tmp / name
        path.write_bytes(text.encode(encoding))
        return path
