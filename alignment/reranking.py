"""Rank free-text candidates against a query: the playground page and the rerank API."""

from __future__ import annotations

import time
from dataclasses import dataclass

from alignment import calibration, instructions
from alignment.models import InstructionTemplate
from alignment.scorers import Scorer, get_scorer
from catalog.languages import detect_language
from catalog.models import Category


@dataclass(frozen=True)
class RankedDocument:
    index: int
    document: str
    probability: float
    raw_score: float
    language: str | None


@dataclass(frozen=True)
class Ranking:
    results: list[RankedDocument]
    query_language: str | None
    scorer: str
    model_revision: str
    uses_instruction: bool
    instruction: str
    # The stored template the instruction came from; None for a caller's own
    # instruction or the built-in default.
    template: InstructionTemplate | None
    elapsed_ms: float


def rerank(
    query: str, documents: list[str], *, instruction: str | None = None, category: Category | None = None
) -> Ranking:
    """Score every document against the query, best first (ties keep the given order).

    Without an instruction, the category's published template (else the default
    template, else the built-in default) is used. Probabilities are calibrated per
    language pair where the languages can be told. Raises ``ScoringError`` when the
    scorer fails.
    """
    started = time.perf_counter()
    scorer = get_scorer()
    template: InstructionTemplate | None = None
    if not instruction:
        instruction, template = instructions.instruction_for(category)
    raw = scorer.score(query, documents, instruction)
    query_language = detect_language(query).language
    languages = [detect_language(document).language for document in documents]
    probabilities = _calibrate(scorer, raw, query_language=query_language, languages=languages)
    results = [
        RankedDocument(index=i, document=doc, probability=p, raw_score=r, language=lang)
        for i, (doc, p, r, lang) in enumerate(zip(documents, probabilities, raw, languages))
    ]
    results.sort(key=lambda item: (-item.probability, -item.raw_score, item.index))
    return Ranking(
        results=results,
        query_language=query_language,
        scorer=scorer.name,
        model_revision=scorer.model_revision,
        uses_instruction=scorer.uses_instruction,
        instruction=instruction,
        template=template,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _calibrate(
    scorer: Scorer, raw: list[float], *, query_language: str | None, languages: list[str | None]
) -> list[float]:
    # Calibrations may differ per language pair: calibrate each pair's documents together.
    probabilities = [0.0] * len(raw)
    groups: dict[str | None, list[int]] = {}
    for i, language in enumerate(languages):
        groups.setdefault(language, []).append(i)
    for language, indexes in groups.items():
        pair = (query_language, language) if query_language and language else None
        values = calibration.to_probabilities(
            scorer, [raw[i] for i in indexes], language_pair=pair
        )
        for i, value in zip(indexes, values):
            probabilities[i] = value
    return probabilities
