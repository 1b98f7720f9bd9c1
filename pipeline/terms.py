"""The terms analytics.term_attention follows, read from warehouse/terms.yml.

Each term's spellings are matched as whole words in the title and excerpt, case, accents and
punctuation ignored: both sides are reduced to their letters a-z and digits, with one space
between words (`spelling_key`, and `term_text` in warehouse/macros.sql, which reduce alike), and a
text mentions a spelling when its key holds the spelling's key between spaces. "GPT-4" is then
`gpt 4`: it matches "the GPT-4 launch" but not "GPT-40". A substring test per spelling costs far
less than a regular expression per news item and term. The build's connections get the terms as
the `analysis_terms()` macro, a list of `{term, spellings}` structs (pipeline/warehouse.py), so the
SQL never parses YAML.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from pipeline.paths import SQL_DIR

TERMS_FILE = SQL_DIR / "terms.yml"


def spelling_key(text: str) -> str:
    """A spelling reduced as `term_text` reduces a title: accents dropped, lower case, every run
    of characters other than a-z and 0-9 one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.split(r"[^a-z0-9]+", plain)).strip()


def term_spellings(path: Path = TERMS_FILE) -> list[tuple[str, list[str]]]:
    """(term, spelling keys) for every term of the file, in its order; an unreadable entry is an
    error naming it, not a silently missing series."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: list[tuple[str, list[str]]] = []
    for number, entry in enumerate(data.get("terms") or [], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) or not entry["term"].strip():
            raise ValueError(f"{path}: term {number} needs a 'term:' name")
        matches = entry.get("matches") or [entry["term"]]
        if not isinstance(matches, list) or not all(isinstance(m, str) and m.strip() for m in matches):
            raise ValueError(f"{path}: term {entry['term']!r}: 'matches' should be a list of spellings")
        keys = [key for key in (spelling_key(m) for m in matches) if key]
        if not keys:
            raise ValueError(f"{path}: term {entry['term']!r}: no spelling holds a letter or digit")
        found.append((entry["term"].strip(), keys))
    return found
