"""Running a table's suite in GE: its plan (parts and parameters), GE's context, the validation
of one part, and the hand-over of parts to the GE process (`submit`, `Validation`).

Everything the GE process runs (`part_outcomes`, `warm_up`) is a module-level function of this
module: the process imports it by its module path.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow

from pipeline.memory import give_back_memory
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.quality.frames import _read_file, fetch, fetch_to_file, frame_of
from pipeline.quality.outcomes import SAMPLE_SIZE, Outcome, _outcomes
from pipeline.quality.suites import (
    CHECK_NAME_META,
    _columns,
    _expectation_columns,
    _gx,
    _parameters,
    _tagged,
    column_groups,
    expectations,
    load_suite,
)
from pipeline.warehouse import memory_limit, row_count

if TYPE_CHECKING:
    from pipeline.quality.ge_process import GEProcess

# Above this many rows a suite is validated a column group at a time. Below it, one frame is
# faster: each group is fetched and converted on its own.
LARGE_TABLE_ROWS = 300_000
# While a large table is validated, DuckDB only streams column scans into GE's frames: its page
# cache is not worth the memory, so its limit drops to this and goes back to `MEMORY_LIMIT` after
# (1M seeds, the four largest suites in one process: peak 2.07 -> 1.66 GB, before GE had a
# process of its own).
VALIDATION_DUCKDB_MEMORY = "128MB"


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


def warm_up() -> None:
    """Import GE and make its context (in the GE process, while the build does other work)."""
    _context()


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
