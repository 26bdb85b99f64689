"""Telling the language of a catalog row that does not say it.

Only the five catalog languages are candidates. A row whose language cannot be
told with confidence is reported to the person importing it, never guessed: a
wrong language sends the SKU to the wrong instruction and the wrong pairs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.models import Language

if TYPE_CHECKING:
    from lingua import LanguageDetector

# The best language needs at least this confidence, and this lead over the
# runner-up: short titles ("USB-C 65W") look like every language a little.
MIN_CONFIDENCE = 0.6
MIN_LEAD = 0.25
# Enough text to decide; long descriptions only cost time.
MAX_CHARS = 400

KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LETTERS = re.compile(r"[^\W\d_]")

NAMES = {
    "zh": "zh", "chinese": "zh", "中文": "zh", "zho": "zh", "chi": "zh",
    "en": "en", "english": "en", "eng": "en",
    "fr": "fr", "french": "fr", "français": "fr", "francais": "fr", "fra": "fr", "fre": "fr",
    "es": "es", "spanish": "es", "español": "es", "espanol": "es", "spa": "es",
    "de": "de", "german": "de", "deutsch": "de", "deu": "de", "ger": "de",
}


@dataclass(frozen=True)
class Detection:
    language: str | None
    # Why no language was chosen, for the import report; empty when one was.
    message: str = ""


@functools.cache
def detector() -> LanguageDetector:
    """Built once per process: loading the language models takes a while."""
    from lingua import Language as LinguaLanguage
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        LinguaLanguage.CHINESE,
        LinguaLanguage.ENGLISH,
        LinguaLanguage.FRENCH,
        LinguaLanguage.SPANISH,
        LinguaLanguage.GERMAN,
    ).build()


@functools.lru_cache(maxsize=256)
def normalize_language(value: str) -> str | None:
    """The catalog code for "zh", "zh-CN", "EN_us", "German"...; None if not one of ours."""
    value = value.strip().lower()
    if value in NAMES:
        return NAMES[value]
    primary = re.split(r"[-_]", value, maxsplit=1)[0]
    return primary if primary in Language.values else None


def detect_language(text: str) -> Detection:
    """The language of ``text`` among zh/en/fr/es/de, or the reason it cannot be told."""
    text = text.strip()[:MAX_CHARS]
    if not LETTERS.search(text):
        return Detection(None, "could not tell the language: the text has no words")
    for pattern, name in ((KANA, "Japanese"), (HANGUL, "Korean"), (CYRILLIC, "a Cyrillic language")):
        if pattern.search(text):
            return Detection(None, f"could not tell the language: the text looks like {name}, "
                                   f"which is not one of {', '.join(Language.values)}")
    values = [v for v in detector().compute_language_confidence_values(text) if v.value > 0]
    if not values:
        return Detection(None, "could not tell the language (none of zh, en, fr, es, de fits)")
    best = values[0]
    runner_up = values[1].value if len(values) > 1 else 0.0
    code = best.language.iso_code_639_1.name.lower()
    if best.value >= MIN_CONFIDENCE and best.value - runner_up >= MIN_LEAD:
        return Detection(code)
    scores = ", ".join(
        f"{v.language.iso_code_639_1.name.lower()} {v.value:.2f}" for v in values[:3]
    )
    return Detection(None, f"could not tell the language ({scores}); fill in the language column")
