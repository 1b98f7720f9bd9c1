"""GE's SQL execution against DuckDB beside seedhouse's pandas path: the same suites on the same
warehouse file, timed, and their outcomes compared.

    python3 -m venv bench/.venv-gesql
    bench/.venv-gesql/bin/pip install -q -c requirements.lock -e . -r bench/ge-sql-requirements.txt
    bench/.venv-gesql/bin/python bench/ge_sql.py WAREHOUSE.duckdb [--json PATH] [--delta-rows 500]
        [--tables core.articles ...] [--sql-first] [--repeat N] [--without TYPE ...]

Today a table's suite is validated by reading its checked columns out of DuckDB into pandas and
running GE's pandas engine on them (`pipeline.quality.validate`). The other way is GE's SQL
datasource over SQLAlchemy and the `duckdb_engine` dialect: GE turns each expectation into SQL
that DuckDB runs on the file, and only aggregates come back. This script runs both, in this one
process, one after the other (the pandas path first unless --sql-first):

1. every table of the catalog (`pipeline.catalog.TABLES`) with its suite from `expectations/`;
2. a small delta: `bench.articles_delta`, --delta-rows rows of `core.articles`, validated with
   `core.articles`' suite, as an incremental validation of changed rows would be. The suite's
   parameters still describe the whole warehouse, so its row count fails on both paths alike.

Both paths compute the suite's parameters in DuckDB, validate first with GE's BASIC result format
and then only the failing expectations again with the primary key's ids (seedhouse's two passes),
and both give `Outcome`s (`pipeline.quality.outcomes`). Wall time (`time.perf_counter`) and CPU
time (`time.process_time`, which counts DuckDB's threads) are taken per table; GE's import and one
untimed validation of a small table come first on each path, so neither pays for warming up. With
--repeat N both paths run N times, and each table's run with the least CPU counts. With --without
TYPE ... both paths run every suite less the expectations of those types: like for like, where the
SQL engine cannot evaluate a type (it then reports an error at once instead of doing the work).

It prints a table of the figures, then every expectation whose success or unexpected_count differ
between the paths, every expectation GE's SQL engine could not evaluate ("unsupported", with GE's
error), and a one-line conclusion; --json PATH writes all of it as JSON.

The SQL path needs three things that GE 1.24, SQLAlchemy 2.1 and duckdb_engine 0.17 do not give
out of the box; each is set here, for this process only:
- GE keeps one open connection per engine for DuckDB, as it does for SQLite
  (`_PERSISTED_CONNECTION_DIALECTS`): otherwise it returns each connection to the pool before
  fetching the rows of its query, which ends DuckDB's pending result, and every metric fails;
- the connection's `search_path` names the warehouse's schemas: duckdb_engine's reflection fails
  on SQLAlchemy 2.1 (it asks for `pg_catalog.pg_collation`, which DuckDB lacks), and GE's
  fallback then reads a table's columns by its bare name;
- the time zone is UTC, as seedhouse's own connections have it.

The warehouse file is opened read-only for both paths; the delta table is written into it first
(schema `bench`) and dropped at the end: run it on a copy of a warehouse that matters.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402

from pipeline.catalog import TABLES  # noqa: E402
from pipeline.paths import EXPECTATIONS_DIR  # noqa: E402
from pipeline.quality import validate  # noqa: E402
from pipeline.quality.outcomes import SAMPLE_SIZE, Outcome, _outcomes  # noqa: E402
from pipeline.quality.suites import CHECK_NAME_META, _gx, _parameters, _tagged, load_suite  # noqa: E402
from pipeline.warehouse import MEMORY_LIMIT, connect, quote_ident  # noqa: E402

DELTA_SCHEMA = "bench"
DELTA_TABLE = f"{DELTA_SCHEMA}.articles_delta"
DELTA_SOURCE = "core.articles"
WARM_UP_TABLE = "core.providers"  # small, and every path's first validation pays GE's set-up
INSTALL = (
    "python3 -m venv bench/.venv-gesql && bench/.venv-gesql/bin/pip install -q -c requirements.lock "
    "-e . -r bench/ge-sql-requirements.txt"
)


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0


@dataclass
class TableResult:
    table: str
    rows: int
    expectations: int
    pandas: Timing = field(default_factory=Timing)
    sql: Timing = field(default_factory=Timing)
    agree: int = 0
    differ: list[dict[str, Any]] = field(default_factory=list)
    unsupported: list[dict[str, Any]] = field(default_factory=list)


def _timed(run) -> tuple[Any, Timing]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


# -- the SQL path ---------------------------------------------------------------------------------


class _DuckDBDialect:
    """Stands for DuckDB among GE's dialects that keep one persisted connection (GE compares them
    by `.value` with a connection string's prefix, and by equality with an engine's dialect name)."""

    value = "duckdb"

    def __eq__(self, other: object) -> bool:
        return str(getattr(other, "value", other)).lower() == self.value

    def __hash__(self) -> int:
        return hash(self.value)


class SqlPath:
    """GE's SQL datasource on the warehouse file, one table asset per validated table."""

    def __init__(self, path: Path, schemas: list[str]):
        import great_expectations as gx
        import sqlalchemy
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine import sqlalchemy_execution_engine

        engine_module = sqlalchemy_execution_engine
        if not any(d == "duckdb" for d in engine_module._PERSISTED_CONNECTION_DIALECTS):
            engine_module._PERSISTED_CONNECTION_DIALECTS = (*engine_module._PERSISTED_CONNECTION_DIALECTS, _DuckDBDialect())
        search_path = ",".join(schemas)

        def on_connect(dbapi_connection, _record) -> None:
            if type(dbapi_connection).__module__.startswith("duckdb_engine"):
                dbapi_connection.execute("set TimeZone = 'UTC'")
                dbapi_connection.execute(f"set search_path = '{search_path}'")

        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", on_connect)
        # GE logs each expectation it cannot evaluate as an error; they are reported below instead
        logging.getLogger("great_expectations").setLevel(logging.CRITICAL)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_sql(
            "seedhouse_sql",
            connection_string=f"duckdb:///{path}",
            kwargs={"connect_args": {"read_only": True, "config": {"memory_limit": MEMORY_LIMIT}}},
        )
        # the suite's parameter queries run on a connection of the same DuckDB database
        self.raw = self.datasource.get_engine().raw_connection()
        self.batches: dict[str, Any] = {}

    def batch_definition(self, table: str):
        if table not in self.batches:
            schema, name = table.split(".", 1)
            with warnings.catch_warnings():  # `schema_name` is deprecated in favour of one per datasource
                warnings.simplefilter("ignore")
                asset = self.datasource.add_table_asset(table, table_name=name, schema_name=schema)
            self.batches[table] = asset.add_batch_definition_whole_table("whole table")
        return self.batches[table]

    def validate(self, table: str, directory: Path) -> list[Outcome]:
        """seedhouse's two passes (see `pipeline.quality.validation._validate_part`), in SQL."""
        suite = load_suite(table, directory)
        primary_key = list(suite.get("meta", {}).get("primary_key", []))
        tagged = _tagged(suite)
        parameters = _parameters(self.raw.driver_connection, suite)
        batch = self.batch_definition(table).get_batch()
        first = batch.validate(
            _gx(tagged),
            expectation_parameters=parameters,
            result_format={"result_format": "BASIC", "partial_unexpected_count": SAMPLE_SIZE},
        )
        failed = {
            result.expectation_config.meta[CHECK_NAME_META]
            for result in first.results
            if not result.success and not _error(result)
        }
        if failed:
            again = {**tagged, "expectations": [e for e in tagged["expectations"] if e["meta"][CHECK_NAME_META] in failed]}
            result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
            if primary_key:
                result_format["unexpected_index_column_names"] = primary_key
            second = batch.validate(_gx(again), expectation_parameters=parameters, result_format=result_format)
            detailed = {r.expectation_config.meta[CHECK_NAME_META]: r for r in second.results}
            first.results = [detailed.get(r.expectation_config.meta[CHECK_NAME_META], r) for r in first.results]
        errors = {r.expectation_config.meta[CHECK_NAME_META]: _error(r) for r in first.results}
        outcomes = _outcomes(table, tagged["expectations"], first, primary_key)
        return [replace(o, error=o.error or errors[o.check_name]) for o in outcomes]

    def close(self) -> None:
        """Every connection closed, so that DuckDB lets go of the file (the delta is dropped next)."""
        execution = self.datasource.get_execution_engine()
        if execution._connection is not None:
            execution._connection.close()
            execution._connection = None
        execution.engine.dispose()
        self.raw.close()
        self.datasource.get_engine().dispose()
        self.batches.clear()
        gc.collect()


def _error(result: Any) -> str | None:
    """GE's message when it could not evaluate the expectation: its SQL engine reports a metric's
    failure under the metric's id in `exception_info`, not at the top level."""
    info = result.exception_info or {}
    found = [info] + [v for v in info.values() if isinstance(v, dict)]
    return next((f.get("exception_message") or "error" for f in found if f.get("raised_exception")), None)


# -- comparing ------------------------------------------------------------------------------------


def compare(result: TableResult, pandas: list[Outcome], sql: list[Outcome], suite: dict[str, Any]) -> None:
    types = {o.check_name: o.expectation_type for o in pandas}
    kwargs = {name: e.get("kwargs", {}) for name, e in ((e["meta"][CHECK_NAME_META], e) for e in _tagged(suite)["expectations"])}
    by_name = {o.check_name: o for o in sql}
    for mine in pandas:
        theirs = by_name[mine.check_name]
        if theirs.error:
            result.unsupported.append(
                {
                    "check": mine.check_name,
                    "type": types[mine.check_name],
                    "kwargs": {k: v for k, v in kwargs[mine.check_name].items() if k != "batch_id"},
                    "error": theirs.error.splitlines()[0][:300],
                }
            )
        elif (mine.success, mine.unexpected_count) == (theirs.success, theirs.unexpected_count):
            result.agree += 1
        else:
            result.differ.append(
                {
                    "check": mine.check_name,
                    "type": types[mine.check_name],
                    "pandas": {"success": mine.success, "unexpected_count": mine.unexpected_count, "observed": mine.observed_value},
                    "sql": {"success": theirs.success, "unexpected_count": theirs.unexpected_count, "observed": theirs.observed_value},
                }
            )


# -- the run --------------------------------------------------------------------------------------


def _leaving_out(suite: dict[str, Any], types: list[str]) -> dict[str, Any]:
    return {**suite, "expectations": [e for e in suite["expectations"] if e["type"] not in types]}


def _without(tables: list[str], types: list[str], directory: Path) -> Path:
    """Every table's suite less the expectations of `types`, written to `directory`."""
    for table in tables:
        suite = _leaving_out(load_suite(table), types)
        if suite["expectations"]:
            (directory / f"{table}.json").write_text(json.dumps(suite))
    return directory


def _make_delta(path: Path, rows: int, directory: Path, without: list[str]) -> None:
    """`bench.articles_delta`: `rows` rows of `core.articles` (a fixed, scattered choice), and its
    suite, `core.articles`' own (less the `without` types), in `directory`."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {DELTA_SCHEMA}")
        con.execute(
            f"create or replace table {DELTA_TABLE} as select * from {DELTA_SOURCE} "
            f"order by hash(article_id) limit {int(rows)}"
        )
    suite = _leaving_out(load_suite(DELTA_SOURCE), without)
    delta = {**suite, "name": DELTA_TABLE, "meta": {**suite.get("meta", {}), "table": DELTA_TABLE}}
    (directory / f"{DELTA_TABLE}.json").write_text(json.dumps(delta))


def _drop_delta(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(f"drop schema if exists {DELTA_SCHEMA} cascade")


def _rows(path: Path, tables: list[str]) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {quote_ident(t)}").fetchone()[0] for t in tables}


def _cache(path: Path) -> None:
    """Read the file once so that neither path pays for the first reads from disk."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def run_pandas(path: Path, jobs: list[tuple[str, Path]]) -> dict[str, tuple[list[Outcome], Timing]]:
    done = {}
    with connect(path, read_only=True) as con:
        validate(con, WARM_UP_TABLE)
        for table, directory in jobs:
            done[table] = _timed(lambda table=table, directory=directory: validate(con, table, directory))
            print(f"  pandas {table:<36} {done[table][1].wall:7.2f} s", file=sys.stderr, flush=True)
    return done


def run_sql(path: Path, jobs: list[tuple[str, Path]]) -> dict[str, tuple[list[Outcome], Timing]]:
    schemas = list(dict.fromkeys([t.split(".")[0] for t, _ in jobs] + [WARM_UP_TABLE.split(".")[0]]))
    sql = SqlPath(path, schemas)
    try:
        for table, _ in [(WARM_UP_TABLE, EXPECTATIONS_DIR), *jobs]:
            sql.batch_definition(table)  # assets are made once, as a deployment would
        sql.validate(WARM_UP_TABLE, EXPECTATIONS_DIR)
        done = {}
        for table, directory in jobs:
            done[table] = _timed(lambda table=table, directory=directory: sql.validate(table, directory))
            print(f"  sql    {table:<36} {done[table][1].wall:7.2f} s", file=sys.stderr, flush=True)
        return done
    finally:
        sql.close()


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _totals(results: list[TableResult]) -> dict[str, Any]:
    pandas = Timing(sum(r.pandas.wall for r in results), sum(r.pandas.cpu for r in results))
    sql = Timing(sum(r.sql.wall for r in results), sum(r.sql.cpu for r in results))
    return {
        "pandas": asdict(pandas),
        "sql": asdict(sql),
        "cpu_ratio": _ratio(sql.cpu, pandas.cpu),
        "wall_ratio": _ratio(sql.wall, pandas.wall),
        "expectations": sum(r.expectations for r in results),
        "agree": sum(r.agree for r in results),
        "differ": sum(len(r.differ) for r in results),
        "unsupported": sum(len(r.unsupported) for r in results),
    }


def _print(results: list[TableResult], delta: TableResult, full: dict, small: dict) -> None:
    head = (
        f"{'table':<34} {'rows':>9} {'exp':>4}  {'pandas wall':>11} {'cpu':>7}  {'sql wall':>8} {'cpu':>7}  {'cpu ×':>6}"
        "  agree/differ/unsupported"
    )
    print(head)
    print("-" * len(head))

    def line(r: TableResult) -> str:
        ratio = _ratio(r.sql.cpu, r.pandas.cpu)
        shown = "-" if ratio is None else f"{ratio:.2f}"
        return (
            f"{r.table:<34} {r.rows:>9,} {r.expectations:>4}  {r.pandas.wall:>10.2f}s {r.pandas.cpu:>6.2f}s"
            f"  {r.sql.wall:>7.2f}s {r.sql.cpu:>6.2f}s  {shown:>6}"
            f"  {r.agree}/{len(r.differ)}/{len(r.unsupported)}"
        )

    for r in results:
        print(line(r))
    print("-" * len(head))
    print(
        f"{'all suites':<34} {'':>9} {full['expectations']:>4}  {full['pandas']['wall']:>10.2f}s {full['pandas']['cpu']:>6.2f}s"
        f"  {full['sql']['wall']:>7.2f}s {full['sql']['cpu']:>6.2f}s  {full['cpu_ratio']:>6.2f}"
        f"  {full['agree']}/{full['differ']}/{full['unsupported']}"
    )
    print(line(delta) + "   (small delta)")


def _conclusion(full: dict, small: dict, unsupported: list[str], without: list[str]) -> str:
    left_out = f"; left out of both paths: {', '.join(without)}" if without else ""
    return (
        f"SQL path is {full['cpu_ratio']:.2f}× the pandas path's CPU on the full suites "
        f"({full['wall_ratio']:.2f}× its wall time), {small['cpu_ratio']:.2f}× on {small['rows']} rows "
        f"({small['wall_ratio']:.2f}× wall); {full['differ'] + small['differ']} expectation outcomes differ; "
        f"unsupported: {', '.join(unsupported) if unsupported else 'none'}{left_out}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures and comparisons here")
    parser.add_argument("--delta-rows", type=int, default=500)
    parser.add_argument("--tables", nargs="*", help="only these tables (default: the whole catalog)")
    parser.add_argument("--sql-first", action="store_true", help="run the SQL path before the pandas path")
    parser.add_argument(
        "--without", nargs="*", default=[], metavar="TYPE", help="leave these expectation types out of every suite, on both paths"
    )
    parser.add_argument("--repeat", type=int, default=1, help="run both paths this many times; each table's least CPU counts")
    args = parser.parse_args()
    try:
        import duckdb_engine  # noqa: F401
    except ImportError:
        raise SystemExit(f"the SQL path needs bench/ge-sql-requirements.txt; make its venv with:\n  {INSTALL}") from None
    path = args.warehouse.resolve()
    tables = args.tables or [t.name for t in TABLES]
    if args.without:  # a table whose suite is left empty is not validated
        tables = [t for t in tables if _leaving_out(load_suite(t), args.without)["expectations"]]

    uptime = [subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()]
    with tempfile.TemporaryDirectory(prefix="seedhouse-ge-sql-") as scratch:
        delta_dir = Path(scratch)
        suites_dir = _without(tables, args.without, delta_dir) if args.without else EXPECTATIONS_DIR
        _make_delta(path, args.delta_rows, delta_dir, args.without)
        try:
            jobs = [(t, suites_dir) for t in tables] + [(DELTA_TABLE, delta_dir)]
            suites = {table: load_suite(table, directory) for table, directory in jobs}
            rows = _rows(path, [t for t, _ in jobs])
            _cache(path)
            order = [("sql", run_sql), ("pandas", run_pandas)] if args.sql_first else [("pandas", run_pandas), ("sql", run_sql)]
            runs: dict[str, dict[str, tuple[list[Outcome], Timing]]] = {}
            for repeat in range(args.repeat):
                for name, run in order:
                    print(f"{name} path, run {repeat + 1} of {args.repeat}:", file=sys.stderr, flush=True)
                    for table, (outcomes, timing) in run(path, jobs).items():
                        # a shared machine only ever adds time: each table's least CPU of the runs
                        best = runs.setdefault(name, {}).get(table)
                        runs[name][table] = (outcomes, timing if best is None or timing.cpu < best[1].cpu else best[1])
        finally:
            _drop_delta(path)

    uptime.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    results = []
    for table, _ in jobs:
        suite = suites[table]
        (pandas, pandas_time), (sql, sql_time) = runs["pandas"][table], runs["sql"][table]
        result = TableResult(table, rows[table], len(suite["expectations"]), pandas_time, sql_time)
        compare(result, pandas, sql, suite)
        results.append(result)
    full_results, delta = results[:-1], results[-1]
    full, small = _totals(full_results), {**_totals([delta]), "rows": delta.rows}
    unsupported_types = sorted({u["type"] for r in results for u in r.unsupported})

    _print(full_results, delta, full, small)
    for r in results:
        for d in r.differ:
            print(f"differs: {r.table} {d['check']}: pandas {d['pandas']}, sql {d['sql']}")
    for r in results:
        for u in r.unsupported:
            print(f"unsupported: {r.table} {u['check']}: {u['error']}")
    conclusion = _conclusion(full, small, unsupported_types, args.without)
    print(f"load before: {uptime[0]}")
    print(f"load after:  {uptime[1]}")
    print(conclusion)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "warehouse": str(path),
                    "uptime": uptime,
                    "order": [name for name, _ in order],
                    "repeat": args.repeat,
                    "without": args.without,
                    "full": full,
                    "delta": small,
                    "tables": [asdict(r) for r in results],
                    "unsupported_types": unsupported_types,
                    "conclusion": conclusion,
                },
                indent=2,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
