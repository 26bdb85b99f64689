"""Measure a scorer on a JSON-lines evaluation set: ``manage.py evaluate data/devset.jsonl --scorer e5``."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alignment import evaluation
from alignment.calibration import calibration_info
from alignment.instructions import DEFAULT_INSTRUCTION
from alignment.scorers import ScoringError, load_scorer


class Command(BaseCommand):
    help = "Score a labelled JSON-lines set and print Top-1/Top-3/MRR and precision/recall at the thresholds."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="JSON lines: query, candidates with match true/false")
        parser.add_argument("--scorer", default=None, help="qwen3, e5, lexical or a dotted path (default: ALIGNMENT_SCORER)")
        parser.add_argument("--model", default=None, help="model directory or hub id (qwen3)")
        parser.add_argument("--limit", type=int, default=None, help="only the first N queries")
        parser.add_argument("--instruction", default=DEFAULT_INSTRUCTION, help="instruction for rerankers that use one")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> str | None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        examples, bad = self._read(options["path"], options["limit"])
        for line in bad:
            self.stderr.write(f"{options['path']}:{line.number}: skipped: {line.error}")
        if not examples:
            raise CommandError(f"No valid examples in {options['path']}")
        name = options["scorer"] or settings.ALIGNMENT_SCORER
        scorer_options = {"model": options["model"]} if options["model"] else {}
        try:
            scorer = load_scorer(name, **scorer_options)
        except TypeError as exc:
            raise CommandError(f"Scorer {name!r} does not take --model") from exc
        except ScoringError as exc:
            raise CommandError(str(exc)) from exc
        try:
            scored = evaluation.score_examples(scorer, examples, instruction=options["instruction"])
        except ScoringError as exc:
            raise CommandError(f"Scorer {name!r} failed: {exc}") from exc
        result = evaluation.metrics(
            scored, auto=settings.ALIGNMENT_AUTO_THRESHOLD, review=settings.ALIGNMENT_REVIEW_THRESHOLD
        )
        result.update(
            scorer=scorer.name,
            model_revision=scorer.model_revision,
            calibration=calibration_info(scorer).describe(),
            skipped_lines=len(bad),
        )
        if options["json"]:
            return json.dumps(result)
        return self._table(result)

    def _read(self, path: str, limit: int | None) -> tuple[list[evaluation.Example], list[evaluation.BadLine]]:
        try:
            with open(path, encoding="utf-8") as handle:
                items = list(evaluation.read_examples(handle))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        examples = [item for item in items if isinstance(item, evaluation.Example)]
        bad = [item for item in items if isinstance(item, evaluation.BadLine)]
        return list(islice(examples, limit)), bad

    def _table(self, r: dict[str, Any]) -> str:
        t = r["thresholds"]
        lines = [
            f"Scorer {r['scorer']} ({r['model_revision']})",
            f"Calibration: {r['calibration']}",
            f"Queries {r['n']}, pairs {r['pairs']} ({r['positive_pairs']} matching)",
            "",
            f"Top-1  {r['top1']:.4f}",
            f"Top-3  {r['top3']:.4f}",
            f"MRR    {r['mrr']:.4f}",
            "",
            f"{'query language':<16}{'queries':>8}{'Top-1':>8}{'Top-3':>8}{'MRR':>8}",
        ]
        for lang, m in r["by_language"].items():
            lines.append(f"{lang:<16}{m['queries']:>8}{m['top1']:>8.4f}{m['top3']:>8.4f}{m['mrr']:>8.4f}")
        lines += [
            "",
            f"auto-merge (p >= {t['auto']}): precision {r['auto_precision']:.4f}, recall {r['auto_recall']:.4f}"
            f" ({r['auto_merged_pairs']} pairs)",
            f"review or better (p >= {t['review']}): precision {r['review_precision']:.4f},"
            f" recall {r['review_recall']:.4f}",
            f"review band ({t['review']} <= p < {t['auto']}): {r['review_share']:.2%} of pairs",
            f"ms per query: mean {r['ms_per_query_mean']:.1f}, p95 {r['ms_per_query_p95']:.1f}",
        ]
        if r["skipped_lines"]:
            lines.append(f"{r['skipped_lines']} bad line(s) skipped")
        return "\n".join(lines)
