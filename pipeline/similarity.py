"""Text similarity for story and syndication evidence, as DuckDB functions.

The rules that use them are SQL (warehouse/macros.sql: `story_relation`, `is_syndicated_copy`);
the scores come from rapidfuzz, a maintained C++ implementation of fuzzy string matching, and are
registered on every build connection as vectorised (Arrow) functions, so that a query scores a
whole batch of candidate pairs per call instead of one Python call per pair:

- `headline_similarity(a, b)`: rapidfuzz's `ratio` (normalised Indel similarity) of two headline
  keys, 0..1. Keys (`headline_key` in pipeline/parse/texts.py) are lower-case, accent-free,
  without wire prefixes, stop words or punctuation, so what is left to differ is a typo or a
  real word.
- `title_similarity(a, b)`: rapidfuzz's `token_set_ratio` of two headline keys, 0..1: 1 when one
  headline's words are all in the other's ("Reducing AI's carbon footprint" and "Reducing the
  carbon footprint of AI"), lower as they diverge.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz


def _scorer(score):
    def apply(a: pa.Array, b: pa.Array) -> pa.Array:
        return pa.array(
            [None if x is None or y is None else score(x, y) / 100.0 for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)],
            type=pa.float64(),
        )

    return apply


FUNCTIONS = {
    "headline_similarity": _scorer(fuzz.ratio),
    "title_similarity": _scorer(fuzz.token_set_ratio),
}


def register(con: duckdb.DuckDBPyConnection) -> None:
    for name, function in FUNCTIONS.items():
        con.create_function(
            name, function, [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")], duckdb.sqltype("DOUBLE"),
            type="arrow", null_handling="special", side_effects=False,
        )
