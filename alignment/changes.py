"""What counts as a material change of a SKU's text.

A human decision (confirmed or rejected pair) stands until one of the two texts
changes *materially*; then the pair is re-opened for review. Material means:

- the language or brand changed, or any attribute changed (compared normalised);
- the numbers, quantities with units or model codes of the text changed (1.7 L ->
  1.5 L, KT-200 -> KT-300), in title, attributes or description;
- the title, compared after folding case, accents, punctuation and whitespace,
  changed by more than a typo (similarity below TITLE_SIMILARITY);
- the description changed by more than small edits (similarity below
  DESCRIPTION_SIMILARITY).

So fixing "stainles" to "stainless" in a description, re-spacing or re-casing
is not material; a new capacity, model code or a rewritten title is.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from catalog.models import SKU

TITLE_SIMILARITY = 0.9
DESCRIPTION_SIMILARITY = 0.8

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_snapshot(sku: SKU) -> dict[str, Any]:
    """The fields of a SKU that define what it says, as stored with a decision."""
    return {
        "sku_id": sku.pk,
        "content_hash": sku.content_hash,
        "language": sku.language,
        "title": sku.title,
        "description": sku.description,
        "brand": sku.brand,
        "attributes": sku.attributes or {},
    }


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation and whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return _NOT_WORD.sub(" ", text).strip()


def is_material_change(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when the new text could change a human's decision (see the module doc)."""
    from alignment.scorers.lexical import extract  # the one place that reads quantities and codes

    if old.get("language") != new.get("language"):
        return True
    if normalise(old.get("brand", "")) != normalise(new.get("brand", "")):
        return True
    if _normalised_attributes(old) != _normalised_attributes(new):
        return True
    old_evidence, new_evidence = extract(_full_text(old)), extract(_full_text(new))
    if (
        old_evidence.quantities != new_evidence.quantities
        or old_evidence.codes != new_evidence.codes
        or old_evidence.numbers != new_evidence.numbers
    ):
        return True
    if _similarity(old.get("title", ""), new.get("title", "")) < TITLE_SIMILARITY:
        return True
    return _similarity(old.get("description", ""), new.get("description", "")) < DESCRIPTION_SIMILARITY


def _full_text(snapshot: dict[str, Any]) -> str:
    attributes = "; ".join(f"{k}: {v}" for k, v in (snapshot.get("attributes") or {}).items())
    return "\n".join([snapshot.get("title", ""), attributes, snapshot.get("description", "")])


def _normalised_attributes(snapshot: dict[str, Any]) -> dict[str, str]:
    return {normalise(str(k)): normalise(str(v)) for k, v in (snapshot.get("attributes") or {}).items()}


def _similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
