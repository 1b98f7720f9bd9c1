"""The keys each warehouse table declares (PRIMARY KEY, NOT NULL, FOREIGN KEY), read from the
table's suite, so that BI tools (DBeaver, Metabase, DuckDB's `describe`) see the relations the
checks hold.

The suite is the one declaration: a key is declared exactly where a *critical* expectation (one
that blocks publishing, checked on every row: no `mostly`, no `row_condition`) guarantees it, so
every key of a published file holds.

- NOT NULL: `expect_column_values_to_not_be_null`.
- PRIMARY KEY: the suite's `meta.primary_key`, when its columns are checked unique together
  (`expect_column_values_to_be_unique` or `expect_compound_columns_to_be_unique`) and each is
  checked not null (a primary key refuses NULLs). A key whose columns are not all checked not null
  (`ordinal`, `version`, `grain` ...) is declared by no constraint, and neither are the other
  unique columns (the URLs and paths of core.articles): their indexes would cost as much again as
  the keys do (docs/performance.md), for no relation a BI tool draws.
- FOREIGN KEY: `expect_column_values_to_not_be_in_set` whose values are a parameter of the form
  `select distinct C from T where C is not null and C not in (select K from U)`: C references
  U(K). Declared only within the core schema and to another table: DuckDB refuses a key across
  schemas, a row may name one inserted after it in the same table, and DuckDB cannot replace a
  table another one references (so a mart never holds one: marts stay free to be rebuilt alone).
  Core tables are only ever built into a new file, referenced tables first (`references`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.paths import EXPECTATIONS_DIR

CRITICAL = "critical"
# the schema whose tables reference each other (see the module's docstring)
FOREIGN_KEY_SCHEMA = "core"

_FOREIGN_KEY_QUERY = re.compile(
    r"select distinct (?P<column>\w+) from (?P<table>\w+\.\w+) "
    r"where (?P=column) is not null and (?P=column) not in \(select (?P<key>\w+) from (?P<target>\w+\.\w+)\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str  # the referenced table, schema-qualified
    key: str  # its column

    def describe(self) -> str:
        return f"{self.column} -> {self.table}.{self.key}"


@dataclass(frozen=True)
class Keys:
    primary_key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.primary_key or self.not_null or self.foreign_keys)

    def references(self) -> list[str]:
        """The tables this one's foreign keys name: they must be built first."""
        return list(dict.fromkeys(fk.table for fk in self.foreign_keys))


def _holds_on_every_row(expectation: dict[str, Any]) -> bool:
    kwargs = expectation.get("kwargs", {})
    return (
        expectation.get("severity") == CRITICAL
        and kwargs.get("mostly", 1) == 1
        and kwargs.get("row_condition") is None
    )


def keys_of_suite(table: str, suite: dict[str, Any]) -> Keys:
    """The keys that the critical expectations of `table`'s suite guarantee."""
    parameters = suite.get("meta", {}).get("parameters", {})
    not_null: list[str] = []
    unique: list[tuple[str, ...]] = []
    foreign_keys: list[ForeignKey] = []
    for expectation in filter(_holds_on_every_row, suite["expectations"]):
        kind, kwargs = expectation["type"], expectation.get("kwargs", {})
        if kind == "expect_column_values_to_not_be_null":
            not_null.append(kwargs["column"])
        elif kind == "expect_column_values_to_be_unique":
            unique.append((kwargs["column"],))
        elif kind == "expect_compound_columns_to_be_unique":
            unique.append(tuple(kwargs["column_list"]))
        elif kind == "expect_column_values_to_not_be_in_set" and isinstance(kwargs.get("value_set"), dict):
            match = _FOREIGN_KEY_QUERY.fullmatch(" ".join(parameters.get(kwargs["value_set"].get("$PARAMETER"), "").split()))
            if (
                match
                and match["column"] == kwargs["column"]
                and match["table"] == table
                and match["target"] != table
                and match["target"].split(".")[0] == table.split(".")[0] == FOREIGN_KEY_SCHEMA
            ):
                foreign_keys.append(ForeignKey(match["column"], match["target"], match["key"]))
    not_null = list(dict.fromkeys(not_null))
    declared = tuple(suite.get("meta", {}).get("primary_key", []))
    checked_unique = any(set(columns) == set(declared) for columns in unique)
    primary_key = declared if declared and checked_unique and set(declared) <= set(not_null) else ()
    return Keys(
        primary_key=primary_key,
        not_null=tuple(not_null),
        foreign_keys=tuple(dict.fromkeys(foreign_keys)),
    )


def table_keys(table: str, expectations_dir: Path = EXPECTATIONS_DIR) -> Keys:
    """The keys of `table` ("schema.table") from its suite in `expectations_dir` (none without one)."""
    from pipeline.quality.suites import load_suite, suite_path

    if not suite_path(table, expectations_dir).is_file():
        return Keys()
    return keys_of_suite(table, load_suite(table, expectations_dir))
