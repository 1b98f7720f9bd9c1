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
# ... and the one that carries what it expects, as a sentence (see `expects`)
EXPECTS_META = "seedhouse_expects"


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
    """What a failure means for an analyst: the expectation's `meta.meaning`, else what it expects
    (tagged by `_tagged`, or derived from its type and arguments)."""
    meta = expectation.get("meta", {})
    return meta.get("meaning") or meta.get(EXPECTS_META) or expects(expectation)


# `select distinct x from t where ... x not in (select y from r [where ...])`: a foreign key's
# parameter, the values of x that r lacks
_FOREIGN_KEY = re.compile(r"\bnot in \(select (\w+) from ([\w.]+)(?: where (.+?))?\)\s*$", re.IGNORECASE | re.DOTALL)
_ROW_COUNT = re.compile(r"^select count\(\*\) from ([\w.]+)(?: where (.+))?$", re.IGNORECASE | re.DOTALL)
_VALUE_OF = re.compile(r"^select (\w+) from ([\w.]+)$", re.IGNORECASE)
_CONSTANT = re.compile(r"^select (?:(?:timestamptz|timestamp|date) )?('[^']*'|[^ ]+(?: [^ ]+)*)$", re.IGNORECASE)


def _parameter(value: Any, parameters: dict[str, str]) -> tuple[str, str | None]:
    """A kwarg as words, and the SQL behind it when it is a `{"$PARAMETER": name}`: a row count
    of one table as `the number of rows of <table> [where ...]`, a constant as itself, any other
    query by its name."""
    if not (isinstance(value, dict) and "$PARAMETER" in value):
        return _literal(value), None
    name = value["$PARAMETER"]
    sql = " ".join(parameters.get(name, "").split())
    if (count := _ROW_COUNT.match(sql)) and " join " not in sql.lower() and "(" not in (count.group(2) or ""):
        table, where = count.groups()
        return f"the number of rows of {table}" + (f" where {where}" if where else ""), sql
    if value_of := _VALUE_OF.match(sql):
        return f"{value_of.group(1)} in {value_of.group(2)}", sql
    if " from " not in sql.lower() and (constant := _CONSTANT.match(sql)):
        return constant.group(1).strip("'"), sql
    return f"{name} (a query of the suite)", sql


def _a(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeio' else 'a'} {word}"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _one_of(values: list[Any]) -> str:
    words = [_literal(v) for v in values]
    if len(words) <= 2:
        return " or ".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def expects(expectation: dict[str, Any], suite: dict[str, Any] | None = None) -> str:
    """What the expectation asserts, as a sentence for people: `meta.expects` when the suite
    gives one, else made from its type and arguments, with a parameter's query read for what it
    stands for (`every article_id is in core.articles`, never GE's "must not belong to this set")."""
    meta = expectation.get("meta", {})
    if meta.get("expects"):
        return meta["expects"]
    if meta.get(EXPECTS_META):
        return meta[EXPECTS_META]
    parameters = (suite or {}).get("meta", {}).get("parameters", {})
    kind = expectation["type"]
    kwargs = expectation.get("kwargs", {})
    column = kwargs.get("column")
    mostly = kwargs.get("mostly")
    if mostly is not None and mostly < 1:
        every, are = f"at least {mostly * 100:g}% of {column} values", "are"
    else:
        every, are = f"every {column}", "is"

    def bounds(noun: str) -> str:
        low, _ = _parameter(kwargs.get("min_value"), parameters)
        high, _ = _parameter(kwargs.get("max_value"), parameters)
        if kwargs.get("min_value") is None and kwargs.get("max_value") is None:
            return f"{noun} may be anything"
        if kwargs.get("max_value") is None:
            return f"{noun} at least {low}"
        if kwargs.get("min_value") is None:
            return f"{noun} at most {high}"
        if low == high:
            return f"{noun} {low}"
        return f"{noun} between {low} and {high}"

    if kind == "expect_column_values_to_not_be_null":
        return f"{every} {are} given (not null)" if mostly else f"no {column} is null"
    if kind == "expect_column_values_to_be_unique":
        return f"no two rows share {_a(column)}"
    if kind == "expect_compound_columns_to_be_unique":
        return f"no two rows share the same {', '.join(kwargs['column_list'])}"
    if kind == "expect_column_values_to_match_regex":
        return f"{every} {are} written as the pattern {kwargs['regex']}"
    if kind == "expect_column_values_to_be_in_set":
        values, sql = _parameter(kwargs["value_set"], parameters)
        if sql is not None:
            return f"{every} {are} in {values}"
        return f"{every} {are} {_one_of(kwargs['value_set'])}"
    if kind == "expect_column_values_to_not_be_in_set":
        values, sql = _parameter(kwargs["value_set"], parameters)
        if sql is None:
            prefix = f"{every} {are} not" if mostly else f"no {column} is"
            return f"{prefix} {_one_of(kwargs['value_set'])}"
        if foreign := _FOREIGN_KEY.search(sql):
            key, table, where = foreign.groups()
            target = f"in {table}" if key == column else f"{_a(key)} of {table}"
            return f"{every} {are} {target}" + (f" where {where}" if where else "")
        return f"no {column} is among {values}"
    if kind == "expect_column_values_to_be_between":
        return bounds(f"{every} {are}")
    if kind == "expect_column_sum_to_be_between":
        if kwargs.get("min_value") == kwargs.get("max_value"):
            return f"the sum of {column} equals {_parameter(kwargs['min_value'], parameters)[0]}"
        return bounds(f"the sum of {column} is")
    if kind == "expect_column_value_lengths_to_be_between":
        return bounds(f"{every} {are}") + " characters long"
    if kind == "expect_column_proportion_of_unique_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if high is None:
            return f"at least {low * 100:g}% of {column} values are distinct"
        return f"between {low * 100:g}% and {high * 100:g}% of {column} values are distinct"
    if kind == "expect_table_row_count_to_equal":
        value, sql = _parameter(kwargs["value"], parameters)
        if value.startswith("the number of rows of "):
            return "one row per row of " + value.removeprefix("the number of rows of ")
        if value.isdigit():
            return f"exactly {value} row{'' if value == '1' else 's'}"
        return f"as many rows as {value}"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kwargs["column_A"], kwargs["column_B"]
        than = "at least" if kwargs.get("or_equal") else "greater than"
        where = " wherever both are given" if kwargs.get("ignore_row_if") == "either_value_is_missing" else " in every row"
        return f"{a} is {than} {b}{where}"
    # an expectation type no suite used when this was written: GE's name, read as words
    arguments = ", ".join(f"{k} {_literal(v)}" for k, v in kwargs.items())
    return kind.removeprefix("expect_").replace("_", " ") + (f" ({arguments})" if arguments else "")


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
    """The suite with each expectation tagged with its check name (GE does not return results in
    the suite's order, so results are matched by this tag) and what it expects as a sentence (its
    parameters' queries are in the suite, which the results do not carry)."""
    return {
        **suite,
        "expectations": [
            {
                **expectation,
                "meta": {**expectation.get("meta", {}), CHECK_NAME_META: name, EXPECTS_META: expects(expectation, suite)},
            }
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
