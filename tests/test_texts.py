"""Texts reduced for story evidence in the parse (pipeline/parse/texts.py): exact keys and terms.

The rules were first written as SQL macros; on the 218,527 texts of a 100,000-seed generated
corpus and the real corpora the Python reduction gave the same keys and the same term sets.
"""

from __future__ import annotations

import pytest

from pipeline.parse import parse_text
from pipeline.parse.texts import _words, clean_text, content_terms, fold, headline_key
from tests.conftest import TINY_SEEDS


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("RE-TRANSMISSION: The chip maker unveils a new accelerator!", "chip maker unveils accelerator"),
        ("UPDATE 2 - Chip maker unveils accelerator", "chip maker unveils accelerator"),
        ("EXCLUSIVE: BREAKING: chip maker unveils accelerator", "chip maker unveils accelerator"),
        ("Corrected-Chip maker unveils accelerator", "chip maker unveils accelerator"),
        # a prefix only counts at the start, followed by its punctuation
        ("Chip maker's update: an accelerator", "chip maker s update accelerator"),
        ("Update on the chip maker", "update chip maker"),
        ("Café Économie: l'IA à Zürich", "cafe economie l ia zurich"),
        ("GPT-4 vs. GPT_3.5", "gpt 4 vs gpt 3 5"),
        ("東京 AI 大会", "東京 ai 大会"),
        ("The and of", None),
        ("", None),
        (None, None),
    ],
)
def test_headline_keys(title, key):
    assert headline_key(title) == key


def test_content_terms_are_distinct_long_words_in_order_of_first_use():
    assert content_terms("Café owners use AI", "The new café app, for café owners") == ["cafe", "owners", "use", "app"]
    assert content_terms("GPT-4 beats GPT-3", None) == ["gpt", "beats"]
    assert content_terms(None, None) == []
    # only a-z and 0-9 make terms: a script without Latin letters has none
    assert content_terms("東京 大会", "") == []


@pytest.mark.parametrize(
    ("folded", "words"),
    [
        ("gpt-4 vs. gpt_3.5", ["gpt", "4", "vs", "gpt", "3", "5"]),
        # letters and digits of any script are words; everything else separates them
        ("straße — ‘quoted’ «citation» 東京…大会", ["straße", "quoted", "citation", "東京", "大会"]),
        ("москва/киев, 2²½", ["москва", "киев", "2²½"]),
        # combining marks outside the blocks fold() removes (Devanagari vowel signs) separate, as
        # Python's \w did
        ("हिन्दी", ["ह", "न", "द"]),
        ("\t\n  ", []),
    ],
)
def test_words_are_runs_of_letters_and_digits(folded, words):
    assert _words(folded) == words


def test_clean_text_is_what_the_warehouse_stores():
    assert clean_text("  Headline \n") == "Headline"
    assert clean_text("Headline\\n") == "Headline"
    assert clean_text("\\t Headline \\r\\n") == "Headline"
    assert clean_text("a\\nb") == "a\\nb"
    for nothing in ["", "  ", "~", "null", "Null", "NULL", "\\n"]:
        assert clean_text(nothing) is None
    # the escapes go after the test for "nothing", as in SQL: this is the word null
    assert clean_text("\\nnull") == "null"


def test_fold_drops_case_and_accents():
    assert fold("Ångström") == "angstrom"
    # already decomposed: e + combining acute
    assert fold("Cafe\u0301") == "cafe"
    assert fold("naïve ÇA") == "naive ca"


def test_a_parsed_file_carries_its_reduced_texts():
    row = parse_text(TINY_SEEDS["a.md"])
    assert row["texts"] == [
        {"title_key": "robots learn fold laundry", "terms": "robots learn fold laundry lab shows robot folding towels"},
        {"title_key": "laundry robots arrive", "terms": "laundry robots arrive"},
        {"title_key": "folding explained", "terms": "folding explained"},
    ]
    assert row["excerpt_key"] == "lab shows robot folding towels"
