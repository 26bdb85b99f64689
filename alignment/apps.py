from __future__ import annotations

from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Alignment"

    def ready(self) -> None:
        from alignment import checks, receivers  # noqa: F401  (connect the sku_changed receiver)
