"""Whether two warehouses hold the same data: every table and view, row for row.

An incremental build must end exactly where a full build of the same seeds ends. The replay test
(tests/test_incremental_replay.py) and the benchmark (bench/run.py) hold them equal with
`differences`, which lists the relations from DuckDB's catalog (a table added later is compared
without anyone adding it to a list) and compares each with EXCEPT ALL both ways, so that a row
missing, extra or present a different number of times shows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.warehouse import quote_ident, quote_literal

# Columns that legitimately differ between two builds of the same seeds, each with the reason.
# Nothing else is left out of the comparison.
IGNORED_COLUMNS: dict[tuple[str, str, str], str] = {
    ("quality", "build_info", "run_id"): "each build's own run id",
    ("quality", "check_results", "run_id"): "each build's own run id",
    # the date rules read it only to bound publish times by the files' modification times, which
    # come before it; article history dates versions at observed_at, which is compared
    ("quality", "build_info", "started_at"): "the wall-clock start of the build",
    # what the parse did, not what it produced: an incremental build reuses what a full one parses
    ("quality", "build_info", "files_parsed"): "work done, not the result",
    ("quality", "build_info", "files_reused"): "work done, not the result",
}

# The tables that keep what every earlier build observed (core.article_history, and the mart read
# from it): a warehouse built once from the last seeds has seen one build, one built after every
# change has seen them all, so only warehouses that saw the same builds (at the same `as_of`
# times) can agree on them.
HISTORY_TABLES = frozenset({"core.article_history", "analytics.heat_trajectory"})


def relations(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    """Every table and view of the attached `database`, as 'schema.name' -> [(column, type)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, kind in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by table_schema, table_name, ordinal_position",
        [database],
    ).fetchall():
        found.setdefault(f"{schema}.{table}", []).append((column, kind))
    return found


def differences(a: Path | str, b: Path | str, *, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, object]:
    """What differs between the warehouses in files `a` and `b`: the relations one has and the
    other has not, their columns, and for every relation the number of rows of each missing from
    the other (duplicates counted). Empty when they are equal. `skip` names relations whose rows
    are not compared (their columns still are)."""
    found: dict[str, object] = {}
    with duckdb.connect() as con:
        con.execute(f"attach {quote_literal(str(a))} as a (read_only)")
        con.execute(f"attach {quote_literal(str(b))} as b (read_only)")
        in_a, in_b = relations(con, "a"), relations(con, "b")
        if set(in_a) != set(in_b):
            found["relations in one only"] = sorted(set(in_a) ^ set(in_b))
        for name in sorted(set(in_a) & set(in_b)):
            if in_a[name] != in_b[name]:
                found[f"{name} columns"] = (in_a[name], in_b[name])
                continue
            if name in skip:
                continue
            schema, table = name.split(".")
            columns = ", ".join(quote_ident(c) for c, _ in in_a[name] if (schema, table, c) not in IGNORED_COLUMNS)
            relation = f"{quote_ident(schema)}.{quote_ident(table)}"
            only_a, only_b = (
                con.execute(
                    f"select count(*) from (select {columns} from {x}.{relation} except all "
                    f"select {columns} from {y}.{relation})"
                ).fetchone()[0]
                for x, y in (("a", "b"), ("b", "a"))
            )
            if only_a or only_b:
                found[name] = {"rows only in the first": only_a, "rows only in the second": only_b}
    return found
