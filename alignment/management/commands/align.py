"""Run the alignment pipeline in the foreground, or enqueue overdue SKUs.

    manage.py align --all
    manage.py align --sku 12 13 14
    manage.py align --category 5          # the category and everything below it
    manage.py align --pending             # enqueue what the sweep would (Celery)
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from alignment import pipeline, queueing
from alignment.scorers import ScoringError, get_scorer, load_scorer
from catalog.models import SKU, Category


class Progress:
    """A plain-text progress bar on stderr."""

    def __init__(self, total: int, *, label: str, stream: OutputWrapper, width: int = 30) -> None:
        self.total, self.label, self.stream, self.width = total, label, stream, width
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        share = done / self.total if self.total else 1.0
        filled = int(share * self.width)
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done}/{self.total} ({share:.0%}, {rate:.1f}/s)",
            ending="\n" if done >= self.total else "",
        )
        self.stream.flush()


class Command(BaseCommand):
    help = "Align SKUs now (--all, --sku, --category) or enqueue overdue ones (--pending)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--all", action="store_true", help="every SKU")
        mode.add_argument("--sku", type=int, nargs="+", metavar="ID", help="these SKU ids")
        mode.add_argument("--category", type=int, metavar="ID", help="SKUs of this category tree")
        mode.add_argument(
            "--pending", action="store_true",
            help="enqueue SKUs whose alignment is overdue (pending, outdated or never aligned)",
        )
        parser.add_argument(
            "--grace", type=int, default=None,
            help="with --pending: seconds a SKU may wait first (default ALIGNMENT_PENDING_GRACE_SECONDS)",
        )
        parser.add_argument("--scorer", default=None, help="qwen3, e5, lexical or a dotted path")
        parser.add_argument(
            "--chunk-size", type=int, default=settings.ALIGNMENT_TASK_CHUNK_SIZE, help="SKUs per batch"
        )

    def handle(self, *args: Any, **options: Any) -> str:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        if options["pending"]:
            if options["grace"] is not None and options["grace"] < 0:
                raise CommandError("--grace must be 0 or more seconds")
            count = queueing.sweep_pending(grace_seconds=options["grace"])
            return f"{count} SKUs enqueued for alignment"
        ids = self._sku_ids(options)
        if not ids:
            return "No SKUs to align."
        try:
            scorer = load_scorer(options["scorer"]) if options["scorer"] else get_scorer()
        except ScoringError as exc:
            raise CommandError(str(exc)) from exc
        embedding = Progress(len(ids), label="embedding", stream=self.stderr)
        aligning = Progress(len(ids), label="aligning ", stream=self.stderr)
        try:
            summary = pipeline.align_in_chunks(
                ids, scorer=scorer, chunk_size=options["chunk_size"],
                on_embedded=embedding.update, on_aligned=aligning.update,
            )
        except ScoringError as exc:
            raise CommandError(f"Scoring failed: {exc}") from exc
        timings = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in summary.timings.items())
        return f"{summary}.\nTime: {timings}."

    def _sku_ids(self, options: dict[str, Any]) -> list[int]:
        if options["all"]:
            return list(SKU.objects.order_by("pk").values_list("pk", flat=True))
        if options["category"] is not None:
            category = Category.objects.filter(pk=options["category"]).first()
            if category is None:
                raise CommandError(f"No category with id {options['category']}.")
            return pipeline.skus_in_category(category)
        wanted = list(dict.fromkeys(options["sku"]))
        found = set(SKU.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = [i for i in wanted if i not in found]
        if missing:
            raise CommandError(f"No SKU with id {', '.join(map(str, missing))}.")
        return wanted
