"""Test doubles for the process edges: a scorer with fixed scores, scorers slow to start or to score."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from alignment.scorers.base import Scorer, ScoringError
from alignment.scorers.lexical import LexicalScorer


class FakeScorer(Scorer):
    """Returns fixed scores, so a test decides exactly how each pair routes.

    Scores are looked up by (query, document), then by document alone, else
    ``default_score``. No calibration is shipped for "fake", so the scores pass
    through ``to_probabilities`` unchanged (identity). Set ``error`` to make
    every call raise it. Every call is recorded in ``calls``.

        with FakeScorer.returning({"Kettle 1.7 L": 0.95}, default=0.1):
            pipeline.align_skus([sku.pk])
    """

    name = "fake"
    model_revision = "fake-1"
    uses_instruction = True
    default_score: float = 0.5
    scores: dict[tuple[str, str] | str, float] = {}
    error: ScoringError | None = None
    calls: list[tuple[str, list[str], str]] = []

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        type(self).calls.append((query, list(documents), instruction))
        if self.error is not None:
            raise self.error
        return [self.scores.get((query, d), self.scores.get(d, self.default_score)) for d in documents]

    @classmethod
    @contextlib.contextmanager
    def returning(
        cls,
        scores: dict[tuple[str, str] | str, float] | None = None,
        *,
        default: float = 0.5,
        error: ScoringError | None = None,
    ) -> Iterator[type[FakeScorer]]:
        """Set the fixed scores (and an optional error) for the duration of a block."""
        saved = (cls.scores, cls.default_score, cls.error, cls.calls)
        cls.scores, cls.default_score, cls.error, cls.calls = dict(scores or {}), default, error, []
        try:
            yield cls
        finally:
            cls.scores, cls.default_score, cls.error, cls.calls = saved


class IgnoringScorer(FakeScorer):
    """A FakeScorer that, like e5 and lexical, ignores the instruction."""

    uses_instruction = False


class SlowStartScorer(LexicalScorer):
    """The lexical scorer, but its first call in a process takes as long as loading a model.

    Stands in for Qwen3 on a GPU worker (load and torch.compile: minutes) in the
    worker tests: ``startup_seconds`` is longer than Celery's default 4 s for a
    pool process to start.
    """

    startup_seconds = 6.0
    started = False

    def score(self, query: str, documents: list[str], instruction: str = "") -> list[float]:
        if not SlowStartScorer.started:
            time.sleep(self.startup_seconds)
            SlowStartScorer.started = True
        return super().score(query, documents, instruction)


class SlowScorer(LexicalScorer):
    """The lexical scorer, but every batch takes seconds, as a model's would on a busy CPU.

    Lets a worker test kill the worker while a chunk is being scored, at a moment
    it can see in the log, instead of racing a chunk that takes milliseconds.
    """

    seconds_per_batch = 3.0

    def score_groups(self, groups: list[tuple[str, list[str]]], instruction: str = "") -> list[list[float]]:
        time.sleep(self.seconds_per_batch)
        return super().score_groups(groups, instruction)
