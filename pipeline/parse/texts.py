"""Texts reduced for story evidence: a headline's key and a text's content terms.

Stories and copies are found by comparing texts (`core.text_features`, `core.articles`'
syndication groups, `core.related_links`' evidence, `analytics.story_edges`). Each text is
reduced here, in the parse, rather than in SQL: the parse already holds every title and excerpt,
runs on every core, and is cached per file, so a text is reduced once when its file is new or
changed and never again. (Over a whole corpus this costs about half of DuckDB's regular
expressions and lambdas over the same texts; docs/performance.md has the figures.)

Values are reduced as the warehouse sees them: trimmed and with YAML's spellings of "nothing"
set aside, as `clean_text` in warehouse/macros.sql does.

    >>> headline_key("RE-TRANSMISSION: The chip maker unveils a new accelerator!")
    'chip maker unveils accelerator'
    >>> content_terms("Café owners use AI", "The new café app")
    ['cafe', 'owners', 'use', 'app']
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Words that say nothing about which event a text reports (articles, prepositions, "new", "how").
STOP_WORDS = frozenset(
    """the and for with from are its this that how what why new will can has have was were been
    into over after about than more now not but you your our their his her they who which when
    where""".split()
)
# A headline key also drops the short function words, which content terms never hold (a term has
# three letters or more).
_KEY_STOP_WORDS = STOP_WORDS | {"a", "an", "of", "to", "in", "on", "by", "at", "as", "or", "is", "it"}

# White space as in the SQL these rules were first written in (RE2's \s: no vertical tab).
_WIRE_PREFIX = re.compile(
    r"^[\t\n\f\r ]*((re-?transmission|update[sd]?([\t\n\f\r ]+[0-9]+)?|exclusive|breaking|correct(ed|ion)"
    r"|press release|wire)[\t\n\f\r ]*[:|\-–—]+[\t\n\f\r ]*)+"
)
# runs of anything but letters and digits (Python's \w is letters, digits and "_")
_NOT_WORD = re.compile(r"[\W_]+")
_TERM = re.compile(r"[a-z0-9]{3,}")
# literal escapes a scraper left at either end ("…headline\n"), with the white space around them
_EDGE_ESCAPES = re.compile(r"^(?:\s|\\[rnt])+|(?:\s|\\[rnt])+$")
_NOTHING = frozenset({"", "~", "null", "Null", "NULL"})
# the blocks of combining diacritical marks (and their extensions and supplements)
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def clean_text(value: str | None) -> str | None:
    """A text as the warehouse stores it: trimmed, YAML's "nothing" as None, literal `\\n` escapes
    at the ends dropped (`clean_text` in warehouse/macros.sql)."""
    if value is None:
        return None
    value = value.strip()
    if value in _NOTHING:
        return None
    if "\\" in value:
        return _EDGE_ESCAPES.sub("", value) or None
    return value


def fold(text: str) -> str:
    """Lower case without accents: 'Café' -> 'cafe'. Most texts are ASCII and skip the rest; the
    others are decomposed (NFD) and lose their combining diacritical marks, the accents of Latin,
    Greek and Cyrillic letters. (Deleting every mark of every script by str.translate costs three
    times as much, for marks that never make an a-z term.)"""
    text = text.lower()
    if text.isascii():
        return text
    return _DIACRITICS.sub("", unicodedata.normalize("NFD", text))


def headline_key(title: str | None) -> str | None:
    """A headline reduced for comparing copies: accents, case, punctuation and stop words set
    aside, and the wire and desk prefixes that do not make another story ("RE-TRANSMISSION:",
    "UPDATE 2 -", "EXCLUSIVE:", "BREAKING:", "CORRECTED-"). None when no word is left."""
    if title is None:
        return None
    words = _NOT_WORD.split(_WIRE_PREFIX.sub("", fold(title), count=1))
    return " ".join(word for word in words if word and word not in _KEY_STOP_WORDS) or None


def content_terms(title: str | None, excerpt: str | None) -> list[str]:
    """The distinct content terms of a title and excerpt, in order of first use: words of three
    letters or more, stop words set aside. Story evidence weighs the terms two texts share by how
    rare they are (`core.term_weights`)."""
    words = dict.fromkeys(_TERM.findall(fold(f"{title or ''} {excerpt or ''}")))
    return [word for word in words if word not in STOP_WORDS]


def _reduced(title: str | None, excerpt: str | None) -> dict[str, str | None]:
    title, excerpt = clean_text(title), clean_text(excerpt)
    # terms travel as one string and are split in SQL: a list of strings per row costs the
    # Arrow conversion more than the split costs DuckDB
    return {"title_key": headline_key(title), "terms": " ".join(content_terms(title, excerpt))}


def text_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """The reduced texts of one parsed file (`texts` and `excerpt_key` in `PARSED_SEEDS`): its own
    title and excerpt first, then each related item's, in the order of `related`."""
    return {
        "texts": [_reduced(fields["title"], fields["excerpt"])]
        + [_reduced(item["title"], item["excerpt"]) for item in fields["related"]],
        "excerpt_key": headline_key(clean_text(fields["excerpt"])),
    }
