"""Check a helper's file of ranking queries against data/helper_brief.md.

    python3 data/check_helper_file.py /tmp/newdata/h10-1.jsonl h10-1

Prints every problem, or OK. Standard library only.
"""

from __future__ import annotations

import collections
import json
import sys

LANGUAGES = ("zh", "en", "fr", "es", "de")
QUERIES = 15


def problems(path: str, prefix: str) -> list[str]:
    found: list[str] = []
    languages: collections.Counter[str] = collections.Counter()
    ids: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    if len(lines) != QUERIES:
        found.append(f"{len(lines)} lines, want {QUERIES}")
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            found.append(f"line {number}: bad JSON ({exc})")
            continue
        identifier = str(row.get("id", ""))
        if not identifier.startswith(prefix + "-"):
            found.append(f"line {number}: id {identifier!r} does not start with {prefix}-")
        if identifier in ids:
            found.append(f"line {number}: duplicate id {identifier}")
        ids.add(identifier)
        query, candidates = row["query"], row["candidates"]
        languages[query["lang"]] += 1
        if not 6 <= len(candidates) <= 7:
            found.append(f"line {number}: {len(candidates)} candidates, want 6 or 7")
        matches = sum(bool(c["match"]) for c in candidates)
        if not 2 <= matches <= 3:
            found.append(f"line {number}: {matches} true candidates, want 2 or 3")
        for text in (query, *candidates):
            if text["lang"] not in LANGUAGES:
                found.append(f"line {number}: language {text['lang']!r}")
            if not text["text"].strip():
                found.append(f"line {number}: an empty text")
        if any(c["match"] and c["lang"] == query["lang"] for c in candidates):
            found.append(f"line {number}: a true candidate in the query's language")
    if any(languages[language] != QUERIES // len(LANGUAGES) for language in LANGUAGES):
        found.append(f"query languages {dict(languages)}, want 3 of each")
    return found


if __name__ == "__main__":
    print("\n".join(problems(sys.argv[1], sys.argv[2])) or "OK")
