"""Mark what two SKU texts agree and disagree on, for the pair view.

The evidence itself (which quantities, units and model codes a text states) comes
from ``alignment.scorers.lexical.extract``, the same reading the scorers use; this
module only finds where in the text each piece sits so the template can mark it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from alignment.scorers.lexical import UNITS, Evidence, extract

AGREE = "agree"
CONFLICT = "conflict"

_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
# A number with the label or unit that may go with it: "SPF 50+", "1,5 L", "20 000mAh", "1.7升".
_QUANTITY_CANDIDATE = re.compile(
    rf"(?:\b(?:spf|ipx|ip|usb)\s?)?(?<![\d.,])(?:{_NUMBER})(?:\s?(?:[A-Za-zµ°℃%\"″]+|[\u4e00-\u9fff]{{1,3}}))?",
    re.IGNORECASE,
)
_CODE_CANDIDATE = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""  # "", AGREE or CONFLICT
    hint: str = ""  # what the other side says, for a tooltip


@dataclass
class Comparison:
    """Both sides' fields as marked segments, and a summary of the evidence."""

    a: dict[str, Any] = field(default_factory=dict)
    b: dict[str, Any] = field(default_factory=dict)
    agreements: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=0.01, abs_tol=1e-9)


def _trim_unit(fragment: str) -> str:
    """Cut a CJK run after the number down to the longest known unit ("1.7升大容量" -> "1.7升")."""
    match = re.search(r"[\u4e00-\u9fff]+$", fragment)
    if not match:
        return fragment
    run = match.group(0)
    for length in range(len(run), 0, -1):
        if run[:length] in UNITS:
            return fragment[: match.start()] + run[:length]
    return fragment[: match.start()].rstrip()


def _describe(quantities: frozenset[tuple[str, float]], dimension: str, sources: dict) -> str:
    return ", ".join(sources.get((dimension, v), f"{v:g}") for d, v in quantities if d == dimension)


def _marks(text: str, own: Evidence, other: Evidence, other_sources: dict) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, hint) for each quantity and model code the other side also states."""
    marks: list[tuple[int, int, str, str]] = []
    for match in _QUANTITY_CANDIDATE.finditer(text):
        fragment = _trim_unit(match.group(0))
        found = extract(fragment).quantities
        if not found:
            continue
        kinds = []
        for dimension, value in found:
            theirs = [v for d, v in other.quantities if d == dimension]
            if not theirs:
                continue
            if any(_close(value, v) for v in theirs):
                kinds.append(AGREE)
            else:
                kinds.append(CONFLICT)
        if kinds:
            kind = CONFLICT if CONFLICT in kinds else AGREE
            dimension = next(iter(found))[0]
            hint = "other side: " + _describe(other.quantities, dimension, other_sources)
            marks.append((match.start(), match.start() + len(fragment), kind, hint))
    taken = [(s, e) for s, e, _, _ in marks]
    for match in _CODE_CANDIDATE.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        codes = extract(match.group(0)).codes
        if not codes or not other.codes:
            continue
        if codes & other.codes:
            marks.append((match.start(), match.end(), AGREE, "same model code on the other side"))
        else:
            hint = "other side: " + ", ".join(sorted(other.codes))
            marks.append((match.start(), match.end(), CONFLICT, hint))
    return sorted(marks)


def segments(text: str, *, own: Evidence, other: Evidence, other_sources: dict | None = None) -> list[Segment]:
    """Split ``text`` into plain and marked segments (the template escapes each one)."""
    out: list[Segment] = []
    position = 0
    for start, end, kind, hint in _marks(text, own, other, other_sources or {}):
        if start < position:
            continue
        if start > position:
            out.append(Segment(text[position:start]))
        out.append(Segment(text[start:end], kind, hint))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return out


def _sources(text: str) -> dict[tuple[str, float], str]:
    """How each quantity is written in the text: (dimension, value) -> "1,5 L"."""
    written: dict[tuple[str, float], str] = {}
    for match in _QUANTITY_CANDIDATE.finditer(text):
        fragment = _trim_unit(match.group(0))
        for quantity in extract(fragment).quantities:
            written.setdefault(quantity, fragment.strip())
    return written


def _fields(sku: Any) -> dict[str, str]:
    attributes = sku.attributes if isinstance(sku.attributes, dict) else {}
    values = {"title": sku.title, "description": sku.description, "brand": sku.brand}
    for key, value in attributes.items():
        values[f"attr:{key}"] = f"{value}"
    return values


def compare(sku_a: Any, sku_b: Any) -> Comparison:
    """Mark every field of both SKUs against the other SKU's whole text."""
    text_a, text_b = sku_a.text(), sku_b.text()
    ev_a, ev_b = extract(text_a), extract(text_b)
    src_a, src_b = _sources(text_a), _sources(text_b)
    result = Comparison()
    for side, sku, own, other, other_src in (
        (result.a, sku_a, ev_a, ev_b, src_b),
        (result.b, sku_b, ev_b, ev_a, src_a),
    ):
        fields = _fields(sku)
        side["title"] = segments(fields.pop("title"), own=own, other=other, other_sources=other_src)
        side["description"] = segments(fields.pop("description"), own=own, other=other, other_sources=other_src)
        side["brand"] = segments(fields.pop("brand"), own=own, other=other, other_sources=other_src)
        side["attributes"] = [
            (key.removeprefix("attr:"), segments(value, own=own, other=other, other_sources=other_src))
            for key, value in fields.items()
        ]
    for dimension in sorted(ev_a.dimensions & ev_b.dimensions):
        va = [v for d, v in ev_a.quantities if d == dimension]
        vb = [v for d, v in ev_b.quantities if d == dimension]
        said_a = _describe(ev_a.quantities, dimension, src_a)
        said_b = _describe(ev_b.quantities, dimension, src_b)
        if any(_close(x, y) for x in va for y in vb):
            result.agreements.append(f"{dimension}: {said_a} = {said_b}")
        else:
            result.conflicts.append(f"{dimension}: {said_a} vs {said_b}")
    shared = ev_a.codes & ev_b.codes
    if shared:
        result.agreements.append("model code: " + ", ".join(sorted(shared)))
    elif ev_a.codes and ev_b.codes:
        result.conflicts.append(
            "model code: " + ", ".join(sorted(ev_a.codes)) + " vs " + ", ".join(sorted(ev_b.codes))
        )
    return result
