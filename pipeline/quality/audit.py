"""The publish gate, without Dagster, and `quality.check_results`: every expectation a build
evaluated, as a table in the file it built.

The check steps write their outcomes to `quality.check_results` in the build file (`record`);
the gate is a query over it (`gate`): a build may be published only when every table it built
was checked in the same run and no critical expectation failed. `seedhouse build`, `seedhouse
check` and the HTML report read it back (`outcomes`, `failures_in`). So the published warehouse
carries the checks of the build that made it: an analyst sees, in the file they opened, which
expectations held. A run that rebuilds only some tables (the marts) replaces the rows of the
tables it checked and keeps the others'.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from pipeline.quality.outcomes import CRITICAL, Outcome
from pipeline.warehouse import comment_on, connect, rollback


class AuditFailedError(RuntimeError):
    """A build may not be published: critical expectations failed, or tables went unchecked."""

    # named by the package that exports it, as a failed run has always shown it
    # (`pipeline.quality.AuditFailedError: ...`)
    __module__ = "pipeline.quality"

    def __init__(self, failed: list[Outcome], unchecked: list[str]):
        self.failed, self.unchecked = failed, unchecked
        reasons = []
        if failed:
            reasons.append("critical expectations failed: " + ", ".join(f"{o.table}:{o.check_name}" for o in failed))
        if unchecked:
            reasons.append("built but not checked in this run: " + ", ".join(unchecked))
        super().__init__("; ".join(reasons))


def blocking(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """The outcomes that hold a build back: failed critical expectations, in the order given."""
    return [outcome for outcome in outcomes if outcome.blocks]


TABLE = "quality.check_results"

DESCRIPTION = (
    "One row per expectation evaluated by the build that made this file: its table, check, "
    "severity and outcome, how many rows broke it and a sample of them by key. Critical failures "
    "keep a build from being published, so in a published file every critical check passed."
)
COLUMNS = {
    "table_name": "The checked table, schema-qualified (core.articles).",
    "check_name": "The check's short name (not_null__article_id); the Dagster UI names it by a sentence, with this as recorded_as.",
    "expectation_type": "The Great Expectations expectation (expect_column_values_to_not_be_null).",
    "severity": "critical (gates publishing) or warning (reported only).",
    "success": "Whether the expectation held.",
    "meaning": "What a failure means for an analyst (the suite's meta.meaning).",
    "unexpected_count": "Rows that broke it; NULL for an expectation about the whole table.",
    "observed_value": "What was observed, as JSON (a row count, a mean); NULL when not given.",
    "sample": "Up to ten offending rows, by key, as JSON.",
    "error": "The error when the expectation could not be evaluated; NULL otherwise.",
    "run_id": "The Dagster run that evaluated it.",
    "ordinal": "The expectation's place in its table's suite (from 0).",
    "expects": "What the check asserts, as a sentence (every article_id is in core.articles).",
}

_CREATE = f"""
    create table if not exists {TABLE} (
        table_name varchar not null,
        check_name varchar not null,
        expectation_type varchar not null,
        severity varchar not null,
        success boolean not null,
        meaning varchar,
        unexpected_count bigint,
        observed_value json,
        sample json,
        error varchar,
        run_id varchar not null,
        ordinal integer not null,
        expects varchar
    )
"""
_INSERTED = (
    "table_name, check_name, expectation_type, severity, success, meaning, unexpected_count, observed_value, "
    "sample, error, run_id, ordinal, expects"
)


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `quality.check_results` with its comments, once per file: every check step of a run
    records into it, and only the first finds it missing."""
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'quality' and table_name = 'check_results'"
        ).fetchall()
    }
    if "expects" in columns:
        return
    con.execute("create schema if not exists quality")
    con.execute(_CREATE)
    # a file published before the columns existed (a marts-only run starts from a copy of it)
    con.execute(f"alter table {TABLE} add column if not exists ordinal integer default 0")
    con.execute(f"alter table {TABLE} add column if not exists expects varchar")
    comment_on(con, TABLE, DESCRIPTION, COLUMNS)


def record(con: duckdb.DuckDBPyConnection, run_id: str, table: str, outcomes: list[Outcome]) -> None:
    """Replace `table`'s rows with this run's `outcomes`."""
    _ensure_table(con)
    rows = [
        (
            o.table, o.check_name, o.expectation_type, o.severity, o.success, o.meaning, o.unexpected_count,
            None if o.observed_value is None else json.dumps(o.observed_value, default=str),
            json.dumps(o.sample, default=str), o.error, run_id, ordinal, o.expects or None,
        )
        for ordinal, o in enumerate(outcomes)
    ]
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {TABLE} where table_name = ?", [table])
        if rows:
            con.executemany(f"insert into {TABLE} ({_INSERTED}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def gate(con: duckdb.DuckDBPyConnection, run_id: str, built: dict[str, int] | set[str]) -> tuple[list[Outcome], list[str]]:
    """The publish gate, as a query: the critical expectations this run saw fail on the tables it
    built, and the tables it built but did not check."""
    _ensure_table(con)
    tables = sorted(built)
    failed = outcomes(
        con,
        "where run_id = $run_id and list_contains($built, table_name) and severity = $critical and not success",
        {"run_id": run_id, "built": tables, "critical": CRITICAL},
    )
    checked = {row[0] for row in con.execute(f"select distinct table_name from {TABLE} where run_id = ?", [run_id]).fetchall()}
    return failed, [table for table in tables if table not in checked]


def outcomes(con: duckdb.DuckDBPyConnection, where: str = "", params: dict[str, Any] | None = None) -> list[Outcome]:
    """Rows of `quality.check_results` as outcomes, in the catalog's table order and each suite's
    expectation order (the order a build checks them in)."""
    from pipeline.catalog import TABLES

    # a warehouse published before checks were recorded with their sentence (read-only here)
    has_expects = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'quality' and table_name = 'check_results' and column_name = 'expects'"
    ).fetchone()[0]
    expects_column = "expects" if has_expects else "null as expects"

    rows = con.execute(
        f"select table_name, check_name, expectation_type, severity, success, meaning, unexpected_count, "
        f"observed_value, sample, error, {expects_column} from {TABLE} {where} "
        "order by list_position($tables, table_name), table_name, ordinal",
        {**(params or {}), "tables": [t.name for t in TABLES]},
    ).fetchall()
    return [
        Outcome(
            table=table, check_name=check, expectation_type=kind, severity=severity, success=success,
            meaning=meaning or "", unexpected_count=unexpected,
            observed_value=None if observed is None else json.loads(observed),
            sample=json.loads(sample) if sample else [], error=error, expects=expects or "",
        )
        for table, check, kind, severity, success, meaning, unexpected, observed, sample, error, expects in rows
    ]


def failures_in(path: Path, run_id: str) -> list[Outcome] | None:
    """The expectations that run `run_id` saw fail, as recorded in the warehouse or build file at
    `path`; None when it holds no check results (it is gone, or older than this table)."""
    if not path.is_file():
        return None
    try:
        with connect(path, read_only=True) as con:
            return outcomes(con, "where not success and run_id = $run_id", {"run_id": run_id})
    except (duckdb.Error, OSError):
        return None
