"""Suite conventions: where a table's suite lives, how its expectations are named, which columns
they read, and the parameters its queries fill in (see the package's docstring)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from pipeline.paths import EXPECTATIONS_DIR
from pipeline.warehouse import referenced_tables

# the key of an expectation's `meta` that carries its check name through GE (see `_tagged`)
CHECK_NAME_META = "seedhouse_check"


def suite_path(table: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{table}.json"


@lru_cache(maxsize=None)
def _read_suite(path: Path, mtime: float) -> dict[str, Any]:
    return json.loads(path.read_text())


def load_suite(table: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    path = suite_path(table, directory)
    return _read_suite(path, path.stat().st_mtime)


def check_name(expectation: dict[str, Any]) -> str:
    """A readable, stable name: `expect_column_values_to_be_unique(article_id)` -> `unique__article_id`."""
    kwargs = expectation.get("kwargs", {})
    short = re.sub(r"^(column_values_|column_|table_)", "", expectation["type"].removeprefix("expect_"))
    short = re.sub(r"(^|_)(to_be|to|be)_", r"\1", short)
    columns = kwargs.get("column_list") or [
        kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs
    ]
    return "__".join([short, *columns])


def expectations(suite: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(check name, expectation) pairs; names are made unique within the suite."""
    named, seen = [], {}
    for expectation in suite["expectations"]:
        name = check_name(expectation)
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name}_{seen[name]}", expectation))
    return named


def meaning(expectation: dict[str, Any]) -> str:
    """What a failure means for an analyst (the expectation's `meta.meaning`)."""
    return expectation.get("meta", {}).get("meaning", "")


def _expectation_columns(expectation: dict[str, Any]) -> list[str]:
    kwargs = expectation.get("kwargs", {})
    named = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    return named + list(kwargs.get("column_list", []))


def _columns(suite: dict[str, Any]) -> list[str]:
    wanted = list(suite.get("meta", {}).get("primary_key", []))
    for expectation in suite["expectations"]:
        wanted.extend(_expectation_columns(expectation))
    return list(dict.fromkeys(wanted))


def column_groups(suite: dict[str, Any]) -> list[dict[str, Any]]:
    """The suite split into sub-suites whose expectations read the same columns, in suite order."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for expectation in suite["expectations"]:
        groups.setdefault(tuple(_expectation_columns(expectation)), []).append(expectation)
    return [{**suite, "expectations": group} for group in groups.values()]


def parameter_tables(suite: dict[str, Any]) -> list[str]:
    """The table assets (`core`, `analytics`) the suite's parameter queries read: its checks run
    after those tables are built. (`staging` and `quality` tables are written by the ingest step,
    before any table.)"""
    sql = "\n".join(suite.get("meta", {}).get("parameters", {}).values())
    return [name for name in referenced_tables(sql) if name.split(".")[0] in ("core", "analytics")]


def _parameters(con: duckdb.DuckDBPyConnection, suite: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name, sql in suite.get("meta", {}).get("parameters", {}).items():
        rows = [row[0] for row in con.execute(sql).fetchall()]
        # `select distinct ...` names a set (possibly of one); anything else is a single value
        is_set = sql.lstrip().lower().startswith("select distinct")
        values[name] = rows if is_set else (rows[0] if rows else None)
    return values


def _tagged(suite: dict[str, Any]) -> dict[str, Any]:
    """The suite with each expectation tagged with its check name: GE does not return results in
    the suite's order, so results are matched by this tag."""
    return {
        **suite,
        "expectations": [
            {**expectation, "meta": {**expectation.get("meta", {}), CHECK_NAME_META: name}}
            for name, expectation in expectations(suite)
        ],
    }


def _gx(tagged: dict[str, Any]):
    """A (tagged) suite as GE's own object (GE is imported here, on first use)."""
    import great_expectations as gx

    return gx.ExpectationSuite(name=tagged["name"], expectations=tagged["expectations"], meta=tagged.get("meta", {}))


def ge_suite(suite: dict[str, Any]):
    """The suite as a GE object, its expectations tagged with their check names."""
    return _gx(_tagged(suite))
