"""Scoring backends, chosen by the ALIGNMENT_SCORER setting (a dotted path or a short name)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from alignment.scorers.base import Scorer, ScoringError

SHORT_NAMES = {
    "qwen3": "alignment.scorers.qwen3.Qwen3Scorer",
    "e5": "alignment.scorers.e5.E5Scorer",
    "lexical": "alignment.scorers.lexical.LexicalScorer",
}

__all__ = ("Scorer", "ScoringError", "SHORT_NAMES", "get_scorer", "load_scorer")


def load_scorer(name: str, **options: object) -> Scorer:
    """Build a scorer from a short name or a dotted path."""
    path = SHORT_NAMES.get(name, name)
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ScoringError(
            f"Unknown scorer {name!r}: use one of {', '.join(SHORT_NAMES)} or a dotted path "
            f"(setting ALIGNMENT_SCORER)",
            permanent=True,
        ) from exc
    return cls(**options)


@functools.cache
def get_scorer() -> Scorer:
    """The configured scorer, built once per process (a worker loads its model once)."""
    return load_scorer(settings.ALIGNMENT_SCORER)
