"""Build the sample catalog and the development set from the hand-written parts.

    python data/build_data.py            # validate, write sample_catalog.csv and devset.jsonl
    python data/build_data.py --check    # validate and fail if the written files are out of date

1. Concatenates ``data/catalog/part_*.csv`` (in name order) into ``data/sample_catalog.csv``
   after checking every row: the header, required fields, known languages, JSON attributes,
   unique ``(source, sku_code)``, one category per ``product_ref`` and 2 to 5 languages per
   ``product_ref``. Any problem is reported with its file and line and nothing is written.
2. Builds ``data/devset.jsonl`` (the format ``manage.py evaluate`` reads): ranking queries
   drawn from the catalog, each with all its true siblings in other languages and 3 to 5
   confusable distractors from the same category (then the parent category), chosen with a
   fixed seed so the file only changes when the catalog does. Then every line of the
   hand-written ``EXTRA_FILES`` is appended: ``data/devset_extra.jsonl`` (queries from beyond
   the catalog), ``data/devset_siblings.jsonl``, ``data/devset_more.jsonl``,
   ``data/devset_retired_holdout.jsonl``, ``data/devset_more_2.jsonl`` and
   ``data/devset_retired_holdout_2.jsonl``, ``data/devset_retired_holdout_5.jsonl``,
   ``data/devset_retired_holdout_6.jsonl``, ``data/devset_retired_holdout_7.jsonl``,
   ``data/devset_more_3.jsonl``, ``data/devset_more_4.jsonl``, ``data/devset_more_5.jsonl``,
   ``data/devset_more_6.jsonl``, ``data/devset_more_7.jsonl``, ``data/devset_more_8.jsonl``,
   ``data/devset_more_9.jsonl``, ``data/devset_retired_holdout_8.jsonl``,
   ``data/devset_retired_holdout_9.jsonl``, ``data/devset_retired_holdout_10.jsonl``,
   ``data/devset_more_10.jsonl``, ``data/devset_retired_holdout_11.jsonl``,
   ``data/devset_more_11.jsonl``, ``data/devset_more_12.jsonl``, ``data/devset_more_13.jsonl``,
   ``data/devset_more_14.jsonl``, ``data/devset_retired_holdout_12.jsonl``,
   ``data/devset_more_15.jsonl``, ``data/devset_more_16.jsonl``, ``data/devset_more_17.jsonl``,
   ``data/devset_retired_holdout_4.jsonl``, ``data/devset_retired_holdout_3.jsonl``,
   ``data/devset_more_18.jsonl``, ``data/devset_more_19.jsonl``,
   ``data/devset_retired_holdout_13.jsonl``, ``data/devset_more_20.jsonl``,
   ``data/devset_more_21.jsonl``, ``data/devset_more_22.jsonl``,
   ``data/devset_retired_holdout_14.jsonl``, ``data/devset_more_23.jsonl``,
   ``data/devset_retired_holdout_15.jsonl``, ``data/devset_more_24.jsonl``,
   ``data/devset_retired_holdout_16.jsonl``, ``data/devset_more_25.jsonl``,
   ``data/devset_retired_holdout_17.jsonl``, ``data/devset_more_26.jsonl``,
   ``data/devset_retired_holdout_18.jsonl``, ``data/devset_retired_holdout_19.jsonl``,
   ``data/devset_retired_holdout_20.jsonl``, ``data/devset_more_27.jsonl``,
   ``data/devset_retired_holdout_21.jsonl``, ``data/devset_retired_holdout_22.jsonl``,
   ``data/devset_more_28.jsonl``, ``data/devset_more_29.jsonl``, ``data/devset_more_30.jsonl`` and
   ``data/devset_more_31.jsonl`` (beyond the catalog too,
   each query against its brand's sibling models, accessories and look-alikes).

Standard library only, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
# Hand-written queries appended to the generated ones, in this order.
EXTRA_FILES = (
    "devset_extra.jsonl",
    "devset_siblings.jsonl",
    "devset_more.jsonl",
    "devset_retired_holdout.jsonl",
    "devset_more_2.jsonl",
    "devset_retired_holdout_2.jsonl",
    "devset_retired_holdout_5.jsonl",
    "devset_retired_holdout_6.jsonl",
    "devset_retired_holdout_7.jsonl",
    "devset_more_3.jsonl",
    "devset_more_4.jsonl",
    "devset_more_5.jsonl",
    "devset_more_6.jsonl",
    "devset_more_7.jsonl",
    "devset_more_8.jsonl",
    "devset_more_9.jsonl",
    "devset_retired_holdout_8.jsonl",
    "devset_retired_holdout_9.jsonl",
    "devset_retired_holdout_10.jsonl",
    "devset_more_10.jsonl",
    "devset_retired_holdout_11.jsonl",
    "devset_more_11.jsonl",
    "devset_more_12.jsonl",
    "devset_more_13.jsonl",
    "devset_more_14.jsonl",
    "devset_retired_holdout_12.jsonl",
    "devset_more_15.jsonl",
    "devset_more_16.jsonl",
    "devset_more_17.jsonl",
    "devset_retired_holdout_4.jsonl",
    "devset_retired_holdout_3.jsonl",
    "devset_more_18.jsonl",
    "devset_more_19.jsonl",
    "devset_retired_holdout_13.jsonl",
    "devset_more_20.jsonl",
    "devset_more_21.jsonl",
    "devset_more_22.jsonl",
    "devset_retired_holdout_14.jsonl",
    "devset_more_23.jsonl",
    "devset_retired_holdout_15.jsonl",
    "devset_more_24.jsonl",
    "devset_retired_holdout_16.jsonl",
    "devset_more_25.jsonl",
    "devset_retired_holdout_17.jsonl",
    "devset_more_26.jsonl",
    "devset_retired_holdout_18.jsonl",
    "devset_retired_holdout_19.jsonl",
    "devset_retired_holdout_20.jsonl",
    "devset_more_27.jsonl",
    "devset_retired_holdout_21.jsonl",
    "devset_retired_holdout_22.jsonl",
    "devset_more_28.jsonl",
    "devset_more_29.jsonl",
    "devset_more_30.jsonl",
    "devset_more_31.jsonl",
)
HEADER = [
    "source",
    "sku_code",
    "language",
    "title",
    "description",
    "brand",
    "category",
    "attributes",
    "product_ref",
]
REQUIRED = ("source", "sku_code", "title", "category", "product_ref")
# The same limits as catalog.models.SKU, so every row the build accepts also imports.
MAX_LENGTHS = {"source": 100, "sku_code": 200, "title": 500, "brand": 200, "product_ref": 200}
LANGUAGES = ("zh", "en", "fr", "es", "de")
MIN_LANGUAGES, MAX_LANGUAGES = 2, 5
SEED = 20260222
QUERIES_PER_PRODUCT = 2
MIN_DISTRACTORS, MAX_DISTRACTORS = 3, 5
CATEGORY_SEPARATOR = " > "

# Queries from the seed article, kept in the dev set whatever the sampling picks:
# (source, sku_code) of the query, then the distractors the article pits against it.
PINNED_QUERIES: list[tuple[tuple[str, str], list[tuple[str, str]]]] = [
    (("erp-cn", "100231"), [("amazon-us", "B08THRM01P")]),  # smart kettle vs food thermometer
    (("erp-cn", "500301"), [("shopify-eu", "NP-MAT-EN")]),  # booster seat vs changing mat
    (
        ("erp-cn", "510101"),  # foldable stroller 0-3 years vs candidates B, C and D
        [("amazon-us", "B07FAA5PHN"), ("amazon-us", "B0CABIN6MO"), ("amazon-us", "B0HUGGOERG")],
    ),
    (("erp-cn", "300208"), []),  # kitchen scale 0.1 g
    (("erp-cn", "600105"), []),  # foldable pet carrier for small dogs
]


class BuildError(Exception):
    """The parts cannot be built; ``problems`` lists every reason, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Row:
    path: str
    line: int
    values: dict[str, str]
    language: str  # the row's language, or the guessed one when the column is empty

    @property
    def key(self) -> tuple[str, str]:
        return (self.values["source"], self.values["sku_code"])

    @property
    def ref(self) -> str:
        return self.values["product_ref"]

    @property
    def category(self) -> str:
        return self.values["category"]

    def text(self, *, long: bool) -> str:
        """The SKU as the aligner scores it (catalog.models.SKU.text): the brand on a line of
        its own when the title leaves it out, the title, the attributes, and when ``long``
        the description."""
        title = self.values["title"].strip()
        brand = self.values["brand"].strip()
        parts = [brand, title] if brand and brand.lower() not in title.lower() else [title]
        attributes = json.loads(self.values["attributes"]) if self.values["attributes"].strip() else {}
        if attributes:
            parts.append("; ".join(f"{key}: {value}" for key, value in attributes.items()))
        description = self.values["description"].strip()
        if long and description:
            parts.append(description)
        return "\n".join(parts)


@dataclass
class Report:
    rows: list[Row]
    queries: list[dict[str, object]]
    extra: list[dict[str, object]]
    guessed: int = 0
    guess_checked: int = 0
    guess_agreed: int = 0
    notes: list[str] = field(default_factory=list)


# --- language guessing (rows with an empty language column) -----------------------------

_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MARKERS: dict[str, set[str]] = {
    "en": {"the", "and", "with", "for", "of", "to", "your", "up", "in", "is", "from", "not", "kids", "baby"},
    "fr": {"le", "la", "les", "et", "avec", "pour", "de", "du", "des", "en", "sans", "à", "pliable", "bébé"},
    "es": {"el", "la", "los", "las", "y", "con", "para", "de", "del", "en", "sin", "bebé", "niños", "plegable"},
    "de": {"der", "die", "das", "und", "mit", "für", "von", "bis", "ohne", "ab", "für", "kinder", "faltbar"},
}
_LETTERS = {"fr": "éèêçàùœ", "es": "ñáíóú¿¡", "de": "äöüß"}


def guess_language(text: str) -> str:
    """A best guess among zh/en/fr/es/de for catalog text, from script, function words and accents."""
    if len(_HAN.findall(text)) >= 2:
        return "zh"
    words = [word.lower() for word in _WORD.findall(text)]
    scores = {lang: sum(word in markers for word in words) * 2.0 for lang, markers in _MARKERS.items()}
    lowered = text.lower()
    for lang, letters in _LETTERS.items():
        scores[lang] += sum(lowered.count(letter) for letter in letters)
    return max(LANGUAGES[1:], key=lambda lang: (scores[lang], lang == "en"))


# --- reading and checking the parts ------------------------------------------------------


def read_parts(paths: Iterable[Path]) -> list[Row]:
    """Every row of every part, checked; BuildError lists all the problems found."""
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header != HEADER:
            problems.append(f"{path}:1: header must be {','.join(HEADER)}, got {','.join(header or [])}")
            continue
        for values in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in values):
                continue
            where = f"{path}:{line}"
            if len(values) != len(HEADER):
                problems.append(f"{where}: {len(values)} fields, expected {len(HEADER)}")
                continue
            row_values = dict(zip(HEADER, values, strict=True))
            row_problems = _check_values(row_values)
            problems.extend(f"{where}: {problem}" for problem in row_problems)
            if row_problems:
                continue
            key = (row_values["source"], row_values["sku_code"])
            if key in seen:
                problems.append(f"{where}: duplicate (source, sku_code) {key}, first at {seen[key]}")
                continue
            seen[key] = where
            language = row_values["language"] or guess_language(
                f"{row_values['title']}\n{row_values['description']}"
            )
            rows.append(Row(str(path), line, row_values, language))
    problems.extend(_check_products(rows))
    if problems:
        raise BuildError(problems)
    return rows


def _check_values(values: dict[str, str]) -> list[str]:
    problems = [f"{name} is empty" for name in REQUIRED if not values[name].strip()]
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            problems.append(f"{name} is longer than {limit} characters")
    if values["language"] not in ("", *LANGUAGES):
        problems.append(f"language {values['language']!r} is not one of {', '.join(LANGUAGES)} or empty")
    if values["attributes"].strip():
        try:
            attributes = json.loads(values["attributes"])
        except json.JSONDecodeError as exc:
            problems.append(f"attributes are not valid JSON ({exc.msg})")
        else:
            if not isinstance(attributes, dict):
                problems.append("attributes must be a JSON object")
    return problems


def _check_products(rows: list[Row]) -> list[str]:
    problems = []
    for ref, members in sorted(_by_product(rows).items()):
        languages = {row.language for row in members}
        if not MIN_LANGUAGES <= len(languages) <= MAX_LANGUAGES:
            where = f"{members[0].path}:{members[0].line}"
            problems.append(
                f"{where}: product {ref} is in {len(languages)} language(s) ({', '.join(sorted(languages))}),"
                f" needs {MIN_LANGUAGES} to {MAX_LANGUAGES}"
            )
        categories = sorted({row.category for row in members})
        if len(categories) > 1:
            problems.append(f"product {ref} is filed under several categories: {'; '.join(categories)}")
    return problems


def _by_product(rows: Iterable[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.ref].append(row)
    return grouped


# --- the dev set -------------------------------------------------------------------------


def build_queries(rows: list[Row], *, seed: int = SEED) -> list[dict[str, object]]:
    """Ranking queries over the catalog, deterministic for a given catalog and seed."""
    rng = random.Random(seed)
    by_key = {row.key: row for row in rows}
    products = _by_product(rows)
    chosen: list[tuple[Row, bool, list[Row]]] = []
    used: set[tuple[str, str]] = set()
    for query_key, pinned_keys in PINNED_QUERIES:
        if query_key in by_key:
            chosen.append((by_key[query_key], False, [by_key[k] for k in pinned_keys if k in by_key]))
            used.add(query_key)
    language_counts: Counter[str] = Counter(row.language for row, _, _ in chosen)
    refs = sorted(products)
    rng.shuffle(refs)
    for ref in refs:
        picked = sum(1 for row, _, _ in chosen if row.ref == ref)
        members = [row for row in products[ref] if row.key not in used]
        rng.shuffle(members)
        while picked < QUERIES_PER_PRODUCT and members:
            # The least used language so far keeps all five languages on the query side.
            members.sort(key=lambda row: language_counts[row.language])
            row = members.pop(0)
            chosen.append((row, rng.random() < 0.5, []))
            used.add(row.key)
            language_counts[row.language] += 1
            picked += 1
    return [
        _query(index, row, long=long, pinned=pinned, products=products, rows=rows, rng=rng)
        for index, (row, long, pinned) in enumerate(chosen, start=1)
    ]


def _query(
    index: int,
    row: Row,
    *,
    long: bool,
    pinned: list[Row],
    products: dict[str, list[Row]],
    rows: list[Row],
    rng: random.Random,
) -> dict[str, object]:
    siblings = [other for other in products[row.ref] if other.language != row.language]
    wanted = rng.randint(MIN_DISTRACTORS, MAX_DISTRACTORS)
    distractors = list(pinned)
    for pool in _distractor_pools(row, rows):
        if len(distractors) >= wanted:
            break
        taken = {other.ref for other in distractors}
        pool = [other for other in pool if other.ref not in taken and other.language != row.language]
        rng.shuffle(pool)
        # The most confusable products first (shared brand, shared figures), as a retriever would
        # bring them; the jitter keeps the choice varied between queries of the same product.
        jitter = {ref: rng.random() for ref in sorted({other.ref for other in pool})}
        pool.sort(key=lambda other: -(_confusability(products[row.ref], products[other.ref]) + jitter[other.ref]))
        for other in pool:
            if len(distractors) >= wanted:
                break
            if other.ref not in taken:
                distractors.append(other)
                taken.add(other.ref)
    candidates = [_candidate(other, match=True, rng=rng) for other in siblings]
    candidates += [
        _candidate(other, match=False, rng=rng, long=False if other in pinned else None) for other in distractors
    ]
    rng.shuffle(candidates)
    return {
        "id": f"cat-{index:04d}-{row.values['source']}/{row.values['sku_code']}",
        "category": row.category,
        "query": {"lang": row.language, "text": row.text(long=long)},
        "candidates": candidates,
    }


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _confusability(product: list[Row], other: list[Row]) -> float:
    """0 to 3: how much two products look alike on the surface (brand, then figures like 1.7 L or 2200 W)."""
    brands = {row.values["brand"].strip().lower() for row in product} - {""}
    other_brands = {row.values["brand"].strip().lower() for row in other} - {""}
    numbers, other_numbers = _numbers(product), _numbers(other)
    shared = len(numbers & other_numbers) / len(numbers | other_numbers) if numbers and other_numbers else 0.0
    return (1.0 if brands & other_brands else 0.0) + 2 * shared


def _numbers(product: list[Row]) -> set[str]:
    return {
        number.replace(",", ".")
        for row in product
        for number in _NUMBER.findall(f"{row.values['title']} {row.values['attributes']}")
    }


def _distractor_pools(row: Row, rows: list[Row]) -> list[list[Row]]:
    """Other products' SKUs, nearest category first: the same category, then the parent's tree."""
    others = [other for other in rows if other.ref != row.ref]
    pools = [[other for other in others if other.category == row.category]]
    parts = row.category.split(CATEGORY_SEPARATOR)
    for depth in range(len(parts) - 1, 0, -1):
        prefix = CATEGORY_SEPARATOR.join(parts[:depth])
        pools.append(
            [
                other
                for other in others
                if other.category != row.category
                and (other.category == prefix or other.category.startswith(prefix + CATEGORY_SEPARATOR))
            ]
        )
    return pools


def _candidate(row: Row, *, match: bool, rng: random.Random, long: bool | None = None) -> dict[str, object]:
    if long is None:
        long = rng.random() < 0.5
    return {"lang": row.language, "text": row.text(long=long), "match": match}


def read_extra(path: Path) -> list[dict[str, object]]:
    """Every line of the hand-written extra set, checked like ``manage.py evaluate`` reads it."""
    if not path.exists():
        return []
    problems, examples = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            example = json.loads(raw)
            _check_example(example)
        except (json.JSONDecodeError, ValueError) as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        examples.append(example)
    if problems:
        raise BuildError(problems)
    return examples


def _check_example(example: object) -> None:
    if not isinstance(example, dict):
        raise ValueError("not a JSON object")
    query = example.get("query")
    if not isinstance(query, dict) or not str(query.get("text") or "").strip():
        raise ValueError('"query" must be an object with a non-empty "text"')
    candidates = example.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        raise ValueError('"candidates" must be a non-empty list')
    for i, candidate in enumerate(candidates):
        if not isinstance(candidate, dict) or not str(candidate.get("text") or "").strip():
            raise ValueError(f"candidate {i} needs a non-empty text")
        if not isinstance(candidate.get("match"), bool):
            raise ValueError(f'candidate {i} needs "match": true or false')


# --- writing -----------------------------------------------------------------------------


def catalog_text(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([row.values[name] for name in HEADER] for row in rows)
    return out.getvalue()


def devset_text(examples: Iterable[dict[str, object]]) -> str:
    return "".join(json.dumps(example, ensure_ascii=False) + "\n" for example in examples)


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so a failed build never leaves half a file behind."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these are ordinary repository files
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def build(data_dir: Path = DATA_DIR, *, write: bool = True) -> Report:
    """Read and check the parts, build both outputs and, with ``write``, replace the files."""
    parts = sorted((data_dir / "catalog").glob("part_*.csv"))
    if not parts:
        raise BuildError([f"{data_dir / 'catalog'}: no part_*.csv files"])
    rows = read_parts(parts)
    extra = [example for name in EXTRA_FILES for example in read_extra(data_dir / name)]
    report = Report(rows=rows, queries=build_queries(rows), extra=extra)
    for row in rows:
        if row.values["language"]:
            report.guess_checked += 1
            guessed = guess_language(f"{row.values['title']}\n{row.values['description']}")
            report.guess_agreed += guessed == row.language
        else:
            report.guessed += 1
    if write:
        _write(data_dir / "sample_catalog.csv", catalog_text(rows))
        _write(data_dir / "devset.jsonl", devset_text(report.queries + report.extra))
    return report


def stale_files(data_dir: Path, report: Report) -> list[str]:
    """The generated files whose content differs from what this build would write."""
    expected = {
        "sample_catalog.csv": catalog_text(report.rows),
        "devset.jsonl": devset_text(report.queries + report.extra),
    }
    stale = []
    for name, text in expected.items():
        path = data_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


# --- the command -------------------------------------------------------------------------


def summary(report: Report) -> str:
    rows = report.rows
    lines = [f"Sample catalog: {len(rows)} SKUs, {len(_by_product(rows))} products"]
    categories = sorted({row.category for row in rows})
    width = max(len(name) for name in categories)
    lines.append(f"{'category':<{width}}" + "".join(f"{lang:>6}" for lang in (*LANGUAGES, "?")) + f"{'SKUs':>7}")
    cells = Counter((row.category, row.values["language"] or "?") for row in rows)
    for name in categories:
        counts = [cells[(name, lang)] for lang in (*LANGUAGES, "?")]
        lines.append(f"{name:<{width}}" + "".join(f"{n:>6}" for n in counts) + f"{sum(counts):>7}")
    totals = Counter(row.values["language"] or "?" for row in rows)
    lines.append(f"{'all':<{width}}" + "".join(f"{totals[lang]:>6}" for lang in (*LANGUAGES, "?")) + f"{len(rows):>7}")
    if report.guess_checked:
        lines.append(
            f"Language left empty on {report.guessed} rows (the importer detects it; the dev set uses a guess). "
            f"The guess agrees with {report.guess_agreed}/{report.guess_checked} labelled rows."
        )
    queries = report.queries
    pairs = sum(len(q["candidates"]) for q in queries)  # type: ignore[arg-type]
    positives = sum(c["match"] for q in queries for c in q["candidates"])  # type: ignore[union-attr]
    lines.append(f"Dev set: {len(queries)} catalog queries ({pairs} pairs, {positives} matching)")
    for label, examples in (("catalog", queries), ("extra", report.extra)):
        by_lang = Counter(str(q["query"].get("lang") or "?") for q in examples)  # type: ignore[union-attr]
        listed = ", ".join(f"{lang} {by_lang[lang]}" for lang in sorted(by_lang, key=_language_order))
        lines.append(f"  {label} queries by language: {listed or 'none'}")
    total = len(queries) + len(report.extra)
    lines.append(f"  total {total} queries ({len(report.extra)} from {' and '.join(EXTRA_FILES)})")
    return "\n".join(lines)


def _language_order(lang: str) -> int:
    return LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="folder holding catalog/part_*.csv")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if the generated files are stale")
    args = parser.parse_args(argv)
    try:
        report = build(args.data_dir, write=not args.check)
    except BuildError as exc:
        print(f"Build failed, nothing written ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(summary(report))
    if args.check:
        stale = stale_files(args.data_dir, report)
        if stale:
            print(f"Out of date: {', '.join(stale)}; run python data/build_data.py", file=sys.stderr)
            return 1
        print("Generated files are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
