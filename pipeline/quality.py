"""Great Expectations suites, run against warehouse tables.

One suite per table lives in `expectations/<schema>.<table>.json`, in GE 1.x's own suite JSON:
GE tooling can read and edit it. Each expectation's `severity` is GE's own field: `critical`
expectations block publishing, `warning` ones are reported only. Two seedhouse conventions ride in
the suite's `meta`:

- `primary_key`: the columns that name a row; failing rows are reported by these ids.
- `parameters`: name -> SQL. Each query runs against the warehouse before validation and fills GE's
  `{"$PARAMETER": name}` placeholders: one value gives a scalar (a row count), several rows give a
  list (the ids a foreign key must be in).

GE validates a pandas frame of only the columns the suite names (not the wide text columns), so
memory stays proportional to what is checked. A large table (over `LARGE_TABLE_ROWS`) is validated
one column group at a time, each group fetched on its own: GE's pandas engine copies its whole
frame for most expectations, so a frame of every checked column of a million rows costs gigabytes,
while one group costs what its few columns do. Both ways run the same expectations on the same
values, and a test holds their outcomes equal.

Where GE runs: a build starts a process of its own for it (`GEProcess`), which imports GE (seconds)
while the build does other work; the build process reads each frame out of DuckDB into an Arrow
file, and gets Outcomes back. A table's suite is handed over (`submit`) as soon as the table is
built, and answered while the build goes on; its check step collects the answers. Without a GE
process (`seedhouse check`, tests) GE runs in the calling process, imported lazily.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow
import pyarrow.ipc

from pipeline.memory import give_back_memory
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.warehouse import memory_limit, quote_ident, referenced_tables, row_count

CRITICAL = "critical"
WARNING = "warning"
SAMPLE_SIZE = 10
# Above this many rows a suite is validated a column group at a time. Below it, one frame is
# faster: each group is fetched and converted on its own.
LARGE_TABLE_ROWS = 300_000
# While a large table is validated, DuckDB only streams column scans into GE's frames: its page
# cache is not worth the memory, so its limit drops to this and goes back to `MEMORY_LIMIT` after
# (1M seeds, the four largest suites in one process: peak 2.07 -> 1.66 GB, before GE had a
# process of its own).
VALIDATION_DUCKDB_MEMORY = "128MB"


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation on one table."""

    table: str
    check_name: str
    expectation_type: str
    severity: str
    success: bool
    meaning: str
    unexpected_count: int | None = None
    observed_value: Any = None
    sample: list[Any] = field(default_factory=list)
    error: str | None = None

    @property
    def blocks(self) -> bool:
        return not self.success and self.severity == CRITICAL

    def describe(self) -> str:
        """One line for people: what failed, how badly, what it means, which rows."""
        found = (
            f"{self.unexpected_count} unexpected"
            if self.unexpected_count is not None
            else f"observed {self.observed_value}"
        )
        text = f"{self.table} {self.check_name} ({self.severity}): {found}. {self.meaning}"
        if self.sample:
            text += f" Sample: {json.dumps(self.sample, default=str, ensure_ascii=False)[:300]}"
        if self.error:
            text += f" Error: {self.error}"
        return text


class AuditFailedError(RuntimeError):
    """A build may not be published: critical expectations failed, or tables went unchecked."""

    def __init__(self, failed: list[Outcome], unchecked: list[str]):
        self.failed, self.unchecked = failed, unchecked
        reasons = []
        if failed:
            reasons.append("critical expectations failed: " + ", ".join(f"{o.table}:{o.check_name}" for o in failed))
        if unchecked:
            reasons.append("built but not checked in this run: " + ", ".join(unchecked))
        super().__init__("; ".join(reasons))


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


def _skip_batch_fingerprints() -> None:
    """GE's pandas engine fingerprints every batch under `HASH_THRESHOLD` bytes (an md5 over
    pandas' row hashes), twice per validation, for a batch marker seedhouse never reads: 2.5 s and
    600 MB per call for a 1.3-million-row frame, 36% of all validation time at 100,000 seeds. GE
    has no option for it; a threshold of 0 turns it off and changes no result."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


@lru_cache(maxsize=1)
def _context():
    """One ephemeral GE context per process: creating one costs more than a small validation."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _skip_batch_fingerprints()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_or_update_pandas("seedhouse")
        .add_dataframe_asset("table")
        .add_batch_definition_whole_dataframe("whole table")
    )
    return context, batch_definition


CHECK_NAME_META = "seedhouse_check"


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
    import great_expectations as gx

    return gx.ExpectationSuite(name=tagged["name"], expectations=tagged["expectations"], meta=tagged.get("meta", {}))


def ge_suite(suite: dict[str, Any]):
    """The suite as a GE object, its expectations tagged with their check names."""
    return _gx(_tagged(suite))


def _merged(parts: list[Any]) -> Any:
    """Validation results of parts of one suite as one result, as GE reports a whole suite (its
    statistics spelled as GE's own validator spells them)."""
    from great_expectations.validator.validation_statistics import calc_validation_statistics

    merged = parts[0]
    merged.results = [result for part in parts for result in part.results]
    statistics = calc_validation_statistics(merged.results)
    merged.success = statistics.success
    merged.statistics = {
        "evaluated_expectations": statistics.evaluated_expectations,
        "successful_expectations": statistics.successful_expectations,
        "unsuccessful_expectations": statistics.unsuccessful_expectations,
        "success_percent": statistics.success_percent,
    }
    return merged


def _select(table: str, columns: list[str]) -> str:
    # a part with no columns (a row count) still needs its rows: one constant column carries them
    select = ", ".join(quote_ident(column) for column in columns) or "null::boolean as _row"
    return f"select {select} from {quote_ident(table)}"


def fetch(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pyarrow.Table:
    return con.sql(_select(table, columns)).to_arrow_table()


def fetch_to_file(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], path: Path) -> None:
    """The columns as an Arrow IPC file, streamed batch by batch: the build process never holds
    the whole frame, and the GE process maps the file instead of receiving a copy."""
    reader = con.sql(_select(table, columns)).to_arrow_reader(_BATCH_ROWS)
    with pyarrow.OSFile(str(path), "wb") as sink, pyarrow.ipc.new_file(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


_BATCH_ROWS = 100_000


def _read_file(path: str) -> pyarrow.Table:
    with pyarrow.memory_map(path) as source:
        return pyarrow.ipc.open_file(source).read_all()


def frame_of(arrow: pyarrow.Table, python_strings: frozenset[str] = frozenset()):
    """A pandas frame of `arrow` with the dtypes DuckDB's own `.df()` gives (fetching through
    Arrow takes half the time), and with 32-bit integers widened: GE vectorises its range checks
    only over 64-bit numbers (an int32 column goes row by row). A test holds the frame equal to
    `.df()`'s, values and dtypes.

    Text columns in `python_strings` keep pandas' string dtype with Python storage instead of
    Arrow storage: looking for duplicates in one Arrow-stored text column makes Python strings of
    every value anyway, and keeps them (1.86 million URLs: 590 MB against 307 MB). Compound keys
    are better off in Arrow storage: pandas factorizes them column by column there."""
    import pandas as pd

    frame = arrow.to_pandas(date_as_object=False)
    for name, column in zip(arrow.column_names, arrow.columns):
        kind = column.type
        if name in python_strings and pyarrow.types.is_string(kind) and column.null_count < len(column):
            frame[name] = pd.array(column.to_pylist(), dtype=pd.StringDtype("python", na_value=float("nan")))
        elif pyarrow.types.is_integer(kind) and column.null_count:  # `.df()`: pandas' nullable integers
            frame[name] = pd.array(column.to_pandas(types_mapper={kind: pd.api.types.pandas_dtype(_nullable(kind))}.get))
        elif pyarrow.types.is_integer(kind) and kind.bit_width < 64:
            frame[name] = frame[name].astype("uint64" if pyarrow.types.is_unsigned_integer(kind) else "int64")
        elif pyarrow.types.is_string(kind) and column.null_count == len(column):  # `.df()`: objects
            frame[name] = frame[name].astype(object)
        elif pyarrow.types.is_date(kind):
            frame[name] = frame[name].astype("datetime64[us]")
    return frame


def table_frame(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]):
    return frame_of(fetch(con, table, columns))


def _nullable(kind: pyarrow.DataType) -> str:
    """pyarrow's int16 -> pandas' 'Int16', uint8 -> 'UInt8'."""
    return str(kind).replace("uint", "UInt").replace("int", "Int")


def _sample(result: dict[str, Any], primary_key: list[str]) -> list[Any]:
    if primary_key and result.get("partial_unexpected_index_list"):
        rows = result["partial_unexpected_index_list"][:SAMPLE_SIZE]
        return [{k: _plain(v) for k, v in row.items()} for row in rows]
    return [_plain(v) for v in result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]]


def _plain(value: Any) -> Any:
    """numpy/pandas scalars and NaN as plain JSON-able Python values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) else str(value)


@dataclass(frozen=True)
class _Plan:
    """What validating one table takes: its suite, its expectations tagged with their check names
    and split into parts (the whole suite, or a column group each for a large table), GE's
    expectation parameters (computed in DuckDB) and the result format."""

    table: str
    named: list[tuple[str, dict[str, Any]]]
    parts: list[dict[str, Any]]
    parameters: dict[str, Any]
    result_format: dict[str, Any]
    primary_key: list[str]
    large: bool


def is_large(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `table` is validated a column group at a time (see `LARGE_TABLE_ROWS`)."""
    return row_count(con, table) > LARGE_TABLE_ROWS


def plan_for(con: duckdb.DuckDBPyConnection, table: str, directory: Path = EXPECTATIONS_DIR) -> _Plan:
    """What validating `table` takes, its parameters read from the warehouse behind `con` now."""
    suite = load_suite(table, directory)
    primary_key = list(suite.get("meta", {}).get("primary_key", []))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
    if primary_key:
        result_format["unexpected_index_column_names"] = primary_key
    tagged = _tagged(suite)
    large = is_large(con, table)
    return _Plan(
        table=table,
        named=expectations(suite),
        parts=column_groups(tagged) if large else [tagged],
        parameters=_parameters(con, suite),
        result_format=result_format,
        primary_key=primary_key,
        large=large,
    )


def _validate_part(
    part: dict[str, Any], read: Callable[[], pyarrow.Table], parameters: dict[str, Any], result_format: dict
) -> Any:
    """GE's result for a (sub-)suite of tagged expectations, on what `read` gives: an Arrow table
    of the part's columns and the table's primary key (read again for a second pass, so that
    no Arrow copy is held while GE works on the frames).

    Validated twice over when something fails: first with GE's BASIC result format, on a frame
    of the expectations' own columns only (no ids to report, so no key columns to convert), then
    only the failing expectations again, with the full `result_format` on a frame with the key.
    A build where everything passes (the usual case) pays for the first pass only. The suite is
    not stored in GE's context: GE validates an unsaved suite the same way.
    """
    _, batch_definition = _context()
    own = _columns({"expectations": part["expectations"]})
    deduplicated = frozenset(
        column
        for expectation in part["expectations"]
        if expectation["type"] == "expect_column_values_to_be_unique"
        for column in _expectation_columns(expectation)
    )
    arrow = read()
    own = own or arrow.column_names[:1]
    narrow = batch_definition.get_batch(
        batch_parameters={"dataframe": frame_of(arrow.select(own), python_strings=deduplicated)}
    )
    del arrow
    first = narrow.validate(
        _gx(part),
        expectation_parameters=parameters,
        result_format={"result_format": "BASIC", "partial_unexpected_count": SAMPLE_SIZE},
    )
    del narrow
    failed = {result.expectation_config.meta[CHECK_NAME_META] for result in first.results if not result.success}
    if failed:
        again = {**part, "expectations": [e for e in part["expectations"] if e["meta"][CHECK_NAME_META] in failed]}
        keyed = batch_definition.get_batch(batch_parameters={"dataframe": frame_of(read(), python_strings=deduplicated)})
        second = keyed.validate(_gx(again), expectation_parameters=parameters, result_format=result_format)
        detailed = {result.expectation_config.meta[CHECK_NAME_META]: result for result in second.results}
        first.results = [detailed.get(r.expectation_config.meta[CHECK_NAME_META], r) for r in first.results]
    return first


def _outcomes(table: str, tagged: list[dict[str, Any]], results: Any, primary_key: list[str]) -> list[Outcome]:
    """One Outcome per (tagged) expectation, from GE's results for them."""
    by_name = {result.expectation_config.meta[CHECK_NAME_META]: result for result in results.results}
    outcomes = []
    for expectation in tagged:
        name = expectation["meta"][CHECK_NAME_META]
        result = by_name[name]
        info = result.exception_info or {}
        outcomes.append(
            Outcome(
                table=table,
                check_name=name,
                expectation_type=expectation["type"],
                severity=expectation.get("severity", CRITICAL),
                success=bool(result.success),
                meaning=meaning(expectation),
                unexpected_count=result.result.get("unexpected_count"),
                observed_value=_plain(result.result.get("observed_value")),
                sample=_sample(result.result, primary_key),
                error=info.get("exception_message") if info.get("raised_exception") else None,
            )
        )
    return outcomes


def part_outcomes(
    table: str,
    part: dict[str, Any],
    arrow: pyarrow.Table | str,
    parameters: dict[str, Any],
    result_format: dict,
    primary_key: list[str],
) -> list[Outcome]:
    """Validate one part of a suite on its columns, given as an Arrow table or the path of an
    Arrow IPC file (run in the GE process, or in this one)."""
    if isinstance(arrow, str):
        path = arrow
        rows = _read_file(path).num_rows  # mapped, not read

        def read() -> pyarrow.Table:
            return _read_file(path)
    else:
        rows, in_memory = arrow.num_rows, arrow

        def read() -> pyarrow.Table:
            return in_memory

    outcomes = _outcomes(table, part["expectations"], _validate_part(part, read, parameters, result_format), primary_key)
    if rows > LARGE_TABLE_ROWS:  # a garbage collection costs about 0.2 s: large tables only
        give_back_memory()
    return outcomes


def _send(con: duckdb.DuckDBPyConnection, plan: _Plan, index: int, ge: GEProcess) -> tuple[Future, Path]:
    """Part `index` of the plan written to an Arrow file and handed to the GE process."""
    part = plan.parts[index]
    path = ge.scratch / f"{plan.table}.part-{index}.arrow"
    fetch_to_file(con, plan.table, _columns(part), path)
    answer = ge.submit(part_outcomes, plan.table, part, str(path), plan.parameters, plan.result_format, plan.primary_key)
    return answer, path


def _answered(answer: Future, path: Path) -> list[Outcome]:
    """The GE process's outcomes for one part; its Arrow file is removed either way."""
    try:
        return answer.result()
    finally:
        path.unlink(missing_ok=True)


class Validation:
    """A table's suite handed to the GE process; `outcomes()` waits for GE's answers.

    Handed over as soon as a table is built (see `SeedhouseResource.table_built`), the suite is
    validated on the other core while the build goes on to the next table; the table's check
    step then mostly finds its answers waiting."""

    def __init__(self, plan: _Plan, answers: list[tuple[Future, Path]]):
        self.plan, self._answers = plan, answers

    def outcomes(self) -> list[Outcome]:
        by_name = {outcome.check_name: outcome for answer in self._answers for outcome in _answered(*answer)}
        return [by_name[name] for name, _ in self.plan.named]


def submit(con: duckdb.DuckDBPyConnection, plan: _Plan, ge: GEProcess) -> Validation:
    """Every part of a (small) table's plan handed to `ge` at once, answered in order."""
    return Validation(plan, [_send(con, plan, index, ge) for index in range(len(plan.parts))])


def validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    directory: Path = EXPECTATIONS_DIR,
    *,
    ge: GEProcess | None = None,
) -> list[Outcome]:
    """Run `table`'s suite against the warehouse behind `con`; one Outcome per expectation, in
    suite order. Frames are read here; GE runs in `ge` when given, else in this process. A large
    table goes one part at a time, its memory given back after each."""
    plan = plan_for(con, table, directory)
    if ge is not None and not plan.large:
        return submit(con, plan, ge).outcomes()
    by_name: dict[str, Outcome] = {}
    with memory_limit(con, VALIDATION_DUCKDB_MEMORY if plan.large else None):
        for index, part in enumerate(plan.parts):
            if ge is None:  # `part_outcomes` gives memory back after a large table itself
                outcomes = part_outcomes(
                    table, part, fetch(con, table, _columns(part)), plan.parameters, plan.result_format, plan.primary_key
                )
            else:
                outcomes = _answered(*_send(con, plan, index, ge))
                give_back_memory()  # what writing the file took in this process
            by_name.update((outcome.check_name, outcome) for outcome in outcomes)
    return [by_name[name] for name, _ in plan.named]


def validate_with_result(
    con: duckdb.DuckDBPyConnection, table: str, directory: Path = EXPECTATIONS_DIR
) -> tuple[list[Outcome], Any]:
    """As `validate` (in this process), also returning GE's own validation result, one for the
    whole suite (for Data Docs)."""
    plan = plan_for(con, table, directory)
    results = []
    with memory_limit(con, VALIDATION_DUCKDB_MEMORY if plan.large else None):
        for part in plan.parts:
            arrow = fetch(con, table, _columns(part))
            results.append(_validate_part(part, lambda arrow=arrow: arrow, plan.parameters, plan.result_format))
            arrow = None  # not held while the next part is fetched
            pyarrow.default_memory_pool().release_unused()
    merged = _merged(results) if len(results) > 1 else results[0]
    tagged = [expectation for part in plan.parts for expectation in part["expectations"]]
    outcomes = {o.check_name: o for o in _outcomes(table, tagged, merged, plan.primary_key)}
    return [outcomes[name] for name, _ in plan.named], merged


def _warm_up() -> None:
    """Import GE and make its context (in the GE process, while the build does other work)."""
    _context()


SCRATCH_PREFIX = "seedhouse-ge-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphaned_scratch(parent: Path) -> list[Path]:
    """Delete the scratch directories (`seedhouse-ge-<pid>-*`) of builds whose process is gone.

    A build killed outright (SIGKILL, the OOM killer) cannot remove its own, and each may hold
    Arrow files of warehouse columns. A live process's directory is kept (also one whose pid was
    reused: it is then removed by a later build)."""
    removed = []
    for path in sorted(parent.glob(f"{SCRATCH_PREFIX}*-*")):
        pid = path.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class GEProcess:
    """Great Expectations in a process of its own, started when a build starts.

    Importing GE costs about three seconds, more than all the rest of a small build. Started
    first, the process imports it on the other core while the build parses seeds and builds the
    first tables; by the first check it is ready. Frames travel to it as Arrow files in its
    `scratch` directory (removed on `close`, or by a later build when this one is killed);
    results come back as Outcomes; nothing of GE is imported in the build process itself.
    """

    def __init__(self) -> None:
        from pipeline.workers import worker_pool

        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before the process is spawned
        self._pool = worker_pool(1)
        self._pool.submit(_warm_up)
        remove_orphaned_scratch(Path(tempfile.gettempdir()))
        self._scratch = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        self.scratch = Path(self._scratch.name)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(function, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._scratch.cleanup()


_STARTED: GEProcess | None = None


def start_ge_process() -> GEProcess:
    """The GE process of this build: started now unless it already runs (see `take_ge_process`)."""
    global _STARTED
    if _STARTED is None:
        _STARTED = GEProcess()
    return _STARTED


def take_ge_process() -> GEProcess:
    """The GE process started for this build (`start_ge_process`), or a new one; its taker closes it."""
    global _STARTED
    process, _STARTED = start_ge_process(), None
    return process


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


class DataDocs:
    """GE Data Docs (static HTML) for validation results, in a file context under `root`.

    GE renders unexpected values into the HTML unescaped, and seed text is other people's data
    (a title may hold `<script>`): values are HTML-escaped before the results are stored.
    """

    def __init__(self, root: Path):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="file", project_root_dir=str(root))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)

    def add(self, table: str, suite: dict[str, Any], result: Any, run_name: str) -> None:
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        self.context.suites.add_or_update(ge_suite(suite))
        for expectation_result in result.results:
            expectation_result.result = _escaped(expectation_result.result)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=table),
            run_id=RunIdentifier(run_name=run_name),
            batch_identifier=table,
        )
        self.context.validation_results_store.set(key, result)

    def build(self) -> Path:
        """Render the site and return the path of its index.html."""
        self.context.build_data_docs()
        url = self.context.get_docs_sites_urls()[0]["site_url"]
        return Path(url.removeprefix("file://"))
