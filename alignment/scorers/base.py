from __future__ import annotations


class ScoringError(Exception):
    """A scorer failed. ``permanent`` errors are not retried (bad input, missing weights)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Scorer:
    """The contract every scoring backend implements.

    ``name`` identifies the backend in stored scores (``Match.scorer``) and in
    calibrations; ``model_revision`` identifies the weights, so a score can be
    traced to what produced it. ``uses_instruction`` says whether the instruction
    changes the output (the embedding scorer ignores it).
    """

    name: str = ""
    model_revision: str = ""
    uses_instruction: bool = False
    # Whether a document's score depends on the other documents scored with it (e5's fusion
    # reads a document's rank among them): the pipeline then scores a query against all its
    # candidates, those it has scored already included.
    reads_the_list: bool = False
    # Top-level packages the backend imports when it scores (checked by alignment.W001).
    requires: tuple[str, ...] = ()

    def score(self, query: str, documents: list[str], instruction: str) -> list[float]:
        """Return one raw score per document, in the order given, each in [0, 1].

        The raw score orders pairs; it is not yet a probability. Routing applies
        ``alignment.calibration`` to it first.
        """
        raise NotImplementedError

    def score_groups(self, groups: list[tuple[str, list[str]]], instruction: str) -> list[list[float]]:
        """``score`` for several queries that share one instruction, in the order given.

        The pipeline hands a whole chunk of SKUs here. This default scores one
        query at a time; a GPU scorer overrides it to fill its batches across
        queries (ten candidates of one SKU are far too few for a GPU).
        """
        return [self.score(query, documents, instruction) for query, documents in groups]
