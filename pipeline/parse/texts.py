"""Texts reduced for story evidence: a headline's key and a text's content terms.

Stories and copies are found by comparing texts (`core.text_features`, `core.articles`'
syndication groups, `core.related_links`' evidence, `analytics.story_edges`). Each text is
reduced here, in the parse, rather than in SQL: the parse already holds every title and excerpt,
runs on every core, and is cached per file, so a text is reduced once when its file is new or
changed and never again. Words are split by rapidfuzz's C++ text preprocessing, the costliest
step when it was a regular expression (docs/performance.md has the figures).

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

from rapidfuzz.utils import default_process

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


def _words(folded: str) -> list[str]:
    """The words of a folded text: its runs of letters and digits. Both the headline key and the
    content terms are made from these, so a text is folded and split once.

    rapidfuzz's `default_process` (C++) turns every character that is not a letter or a digit
    into a space (and lower-cases, which a folded text already is), and `str.split` cuts at the
    spaces: three times cheaper than splitting at a regular expression of non-word characters
    (`[\\W_]+`), the parse's costliest step, with the same words on every real and generated
    text. The two differ only on letters that Unicode added after rapidfuzz's tables (some five
    hundred, such as the Arabic letters of Unicode 14), which it reads as separators.
    """
    return default_process(folded).split()


def _key(folded: str, words: list[str]) -> str | None:
    if _WIRE_PREFIX.match(folded):  # rare: split again what follows the prefixes
        words = _words(_WIRE_PREFIX.sub("", folded, count=1))
    return " ".join(word for word in words if word not in _KEY_STOP_WORDS) or None


def _terms(*word_lists: list[str]) -> dict[str, None]:
    # A term is a run of a-z and 0-9, which never crosses a word's edge: a word of ASCII is itself
    # one run, the rare others (accents gone, other letters left: "straße") are searched for runs.
    terms: dict[str, None] = {}
    for words in word_lists:
        for word in words:
            if len(word) < 3:
                continue
            if word.isascii():
                if word not in STOP_WORDS:
                    terms[word] = None
            else:
                terms.update((term, None) for term in _TERM.findall(word) if term not in STOP_WORDS)
    return terms


def headline_key(title: str | None) -> str | None:
    """A headline reduced for comparing copies: accents, case, punctuation and stop words set
    aside, and the wire and desk prefixes that do not make another story ("RE-TRANSMISSION:",
    "UPDATE 2 -", "EXCLUSIVE:", "BREAKING:", "CORRECTED-"). None when no word is left."""
    if title is None:
        return None
    folded = fold(title)
    return _key(folded, _words(folded))


def content_terms(title: str | None, excerpt: str | None) -> list[str]:
    """The distinct content terms of a title and excerpt, in order of first use: runs of three or
    more letters a-z and digits, stop words set aside. Story evidence weighs the terms two texts
    share by how rare they are (`core.term_weights`)."""
    return list(_terms(_words(fold(title or "")), _words(fold(excerpt or ""))))


def _reduced(title: str | None, excerpt: str | None, *, with_excerpt_key: bool = False) -> tuple[dict[str, str | None], str | None]:
    """A text's headline key and terms, each part folded and split once; and, when asked (the
    article's own text: syndication compares excerpts), its excerpt's key."""
    title, excerpt = clean_text(title), clean_text(excerpt)
    folded_title, folded_excerpt = fold(title or ""), fold(excerpt or "")
    title_words, excerpt_words = _words(folded_title), _words(folded_excerpt)
    # terms travel as one string and are split in SQL: a list of strings per row costs the
    # Arrow conversion more than the split costs DuckDB
    reduced = {
        "title_key": None if title is None else _key(folded_title, title_words),
        "terms": " ".join(_terms(title_words, excerpt_words)),
    }
    excerpt_key = _key(folded_excerpt, excerpt_words) if with_excerpt_key and excerpt is not None else None
    return reduced, excerpt_key


def text_columns(fields: dict[str, Any]) -> dict[str, Any]:
    """The reduced texts of one parsed file (`texts` and `excerpt_key` in `PARSED_SEEDS`): its own
    title and excerpt first, then each related item's, in the order of `related`."""
    own, excerpt_key = _reduced(fields["title"], fields["excerpt"], with_excerpt_key=True)
    return {
        "texts": [own] + [_reduced(item["title"], item["excerpt"])[0] for item in fields["related"]],
        "excerpt_key": excerpt_key,
    }
