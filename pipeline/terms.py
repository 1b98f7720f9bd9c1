"""The terms analytics.term_attention follows, read from warehouse/terms.yml.

Each term becomes one regular expression (RE2 syntax, as DuckDB runs it): its spellings as whole
words, case ignored. The build's connections get them as the `analysis_terms()` macro, a list of
`{term, pattern}` structs (pipeline/warehouse.py), so the SQL never parses YAML.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.paths import SQL_DIR

TERMS_FILE = SQL_DIR / "terms.yml"

# RE2's metacharacters; anything else in a spelling (spaces, hyphens, digits) stands for itself
_META = set(r".^$*+?()[]{}|\\")


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


def term_patterns(path: Path = TERMS_FILE) -> list[tuple[str, str]]:
    """(term, pattern) for every term of the file, in its order; an unreadable entry is an error
    naming it, not a silently missing series."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: list[tuple[str, str]] = []
    for number, entry in enumerate(data.get("terms") or [], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) or not entry["term"].strip():
            raise ValueError(f"{path}: term {number} needs a 'term:' name")
        matches = entry.get("matches") or [entry["term"]]
        if not isinstance(matches, list) or not all(isinstance(m, str) and m.strip() for m in matches):
            raise ValueError(f"{path}: term {entry['term']!r}: 'matches' should be a list of spellings")
        spellings = "|".join(_escape(m.strip()) for m in matches)
        # a non-word character (or the text's end) on either side, rather than \b: "C++" ends
        # in no word character, so \b after it would need a letter to follow
        found.append((entry["term"].strip(), f"(?i)(^|[^[:word:]])({spellings})([^[:word:]]|$)"))
    return found
