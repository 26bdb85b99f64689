"""Fit the raw-score -> probability mapping per scorer and language pair: ``manage.py calibrate``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alignment import calibration, evaluation
from alignment.instructions import DEFAULT_INSTRUCTION
from alignment.scorers import ScoringError, load_scorer


class Command(BaseCommand):
    help = (
        "Fit calibration from labelled pairs (SKUs sharing a product_ref, reviewers' decisions) and store "
        "it as the active calibration; or, with --from-devset and --write-default, the shipped default."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scorer", default=None, help="qwen3, e5, lexical or a dotted path (default: ALIGNMENT_SCORER)")
        parser.add_argument("--model", default=None, help="model directory or hub id (qwen3)")
        parser.add_argument("--k", type=int, default=None, help="candidates retrieved per SKU (default: ALIGNMENT_CANDIDATES_K)")
        parser.add_argument("--min-pair-labels", type=int, default=calibration.MIN_LABELS_PER_PAIR,
                            help="labels a language pair needs for its own fit")
        parser.add_argument("--from-devset", default=None, metavar="PATH", help="label pairs from an evaluation file instead of the database")
        parser.add_argument("--write-default", action="store_true", help="write alignment/default_calibration.json instead of the database")
        parser.add_argument("--dry-run", action="store_true", help="fit and report, store nothing")

    def handle(self, *args: Any, **options: Any) -> str:
        name = options["scorer"] or settings.ALIGNMENT_SCORER
        try:
            scorer = load_scorer(name, **({"model": options["model"]} if options["model"] else {}))
        except TypeError as exc:
            raise CommandError(f"Scorer {name!r} does not take --model") from exc
        except ScoringError as exc:
            raise CommandError(str(exc)) from exc
        try:
            if options["from_devset"]:
                labels = self._devset_labels(scorer, options["from_devset"])
                source = Path(options["from_devset"]).name
            else:
                labels = calibration.collect_labels(scorer, k=options["k"], instruction=DEFAULT_INSTRUCTION)
                source = "database"
        except ScoringError as exc:
            raise CommandError(f"Scorer {name!r} failed: {exc}") from exc
        try:
            fits = calibration.fit_by_language_pair(labels, min_labels=options["min_pair_labels"])
        except ValueError as exc:
            positives = sum(1 for label in labels if label.match)
            raise CommandError(
                f"Not enough labels to calibrate {scorer.name}: {len(labels)} pairs, {positives} positive ({exc}). "
                "Import SKUs with product_ref or review some matches first."
            ) from exc
        for key, result in fits.items():
            tried = ", ".join(f"{m} {loss:.4f}" for m, loss in result.candidates.items())
            self.stdout.write(
                f"{scorer.name} {key or 'all pairs'}: {result.mapping.method}, {result.label_count} labels "
                f"({result.positives} positive), held-out ECE {result.ece:.4f}, log loss {result.log_loss:.4f} [{tried}]"
            )
        if options["dry_run"]:
            return "Dry run: nothing stored."
        if options["write_default"]:
            path = calibration.write_default(scorer, fits, source=source)
            return f"Wrote {len(fits)} fit(s) for {scorer.name} to {path}"
        for key, result in fits.items():
            calibration.save_fit(scorer, result, language_pair=key)
        return f"Stored {len(fits)} active calibration(s) for {scorer.name} from {len(labels)} labelled pairs."

    def _devset_labels(self, scorer: Any, path: str) -> list[calibration.Label]:
        try:
            with open(path, encoding="utf-8") as handle:
                items = list(evaluation.read_examples(handle))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        for bad in (i for i in items if isinstance(i, evaluation.BadLine)):
            self.stderr.write(f"{path}:{bad.number}: skipped: {bad.error}")
        examples = [i for i in items if isinstance(i, evaluation.Example)]
        scored = evaluation.score_examples(scorer, examples, instruction=DEFAULT_INSTRUCTION, calibrate=False)
        return [
            calibration.Label(raw, candidate.match, calibration.pair_key((s.example.lang, candidate.lang)))
            for s in scored
            for raw, candidate in zip(s.raw_scores, s.example.candidates, strict=True)
        ]
