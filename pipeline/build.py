"""Run the Dagster asset graph in-process: the same jobs, assets and checks the UI runs.

`seedhouse build` is a thin wrapper over `run_build`; tests call it directly.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline import quality, storage
from pipeline.catalog import TABLES
from pipeline.ingest import definitions_fingerprint, is_current
from pipeline.parse import Limits, discover
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.quality import AuditFailedError, Outcome, blocking
from pipeline.session import BuildSession, Reporter
from pipeline.warehouse import (
    MEMORY_LIMIT,
    NotAWarehouseError,
    Warehouse,
    WarehouseBusyError,
    changed_copy_warning,
    connect,
    ledger_counts,
    mount_point,
    row_count,
)


@dataclass
class BuildReport:
    success: bool
    run_id: str
    warehouse: Path
    seconds: float
    published: bool = False
    up_to_date: bool = False  # nothing changed since the published build: no run was started
    parsed: int = 0  # files read and parsed by the build that made the published file
    reused: int = 0  # files whose parse was reused from the build before it
    row_counts: dict[str, int] = field(default_factory=dict)
    ledger: dict[str, int] = field(default_factory=dict)
    quarantine: dict[str, int] = field(default_factory=dict)
    failed_checks: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[Outcome]:
        return blocking(self.failed_checks)


def _instance(warehouse: Path):
    from dagster import DagsterInstance

    from pipeline.resources import location_warehouse

    # With DAGSTER_HOME set, CLI runs are recorded where `dagster dev` shows them; a build of
    # another warehouse than the one the UI shows is not, or it would read as that one's history.
    shown = warehouse.resolve() == location_warehouse()
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") and shown else DagsterInstance.ephemeral()


# seedhouse's own errors whose messages are written for the operator: shown as they are
_OWN_WORDS = {
    "PublishError", "ShrinkRefusedError", "SeedsRootError", "WarehouseBusyError", "NotAWarehouseError", "HistoryError",
    "StorageError", "NoSnapshotError", "TableBuildError", "BuildLockedError",
}


_DUCKDB_ERRORS = {name for name, value in vars(duckdb).items() if isinstance(value, type) and issubclass(value, duckdb.Error)}


def _root_cause(error: Any) -> str:
    """The innermost exception's message, as `Kind: message` without the module path; one of
    seedhouse's own operator-facing errors met on the way is shown as its message alone."""
    while getattr(error, "cause", None) is not None and error.cls_name not in _OWN_WORDS:
        error = error.cause
    lines = error.message.strip().splitlines() if error.message else [""]
    # DuckDB ends an error in SQL with the offending line and a caret under it (`LINE 40: ...`,
    # `^^^^`): its first line says what is wrong, the caret says nothing on its own
    context = [line for line in lines if re.fullmatch(r"\s*\^+\s*|LINE \d+:.*", line)]
    # DuckDB's first line says what went wrong; what follows is advice and a link
    first = context or error.cls_name in _DUCKDB_ERRORS
    message = [line for line in lines if line.strip()][0] if first else lines[-1]
    head, _, rest = message.partition(": ")
    if error.cls_name and head.endswith(error.cls_name):
        message = rest
    if error.cls_name in _OWN_WORDS or not error.cls_name:
        return message
    return f"{error.cls_name}: {message}"


def run_build(
    seeds_root: Path | str,
    warehouse_path: Path | str,
    *,
    job_name: str = "build_warehouse",
    full: bool = False,
    expectations_dir: Path | str | None = None,
    resource_config: dict[str, Any] | None = None,
    instance: Any = None,
    reporter: Reporter | None = None,
    ge: quality.GEProcess | None = None,
) -> BuildReport:
    """Materialise `job_name` with the given seeds (a folder, or a URL whose objects are synced into
    a mirror first) and warehouse; never raises for a failed build.

    Unless `full`, a build whose seeds, parser and definitions are exactly those of the published
    warehouse starts no run at all (`up_to_date`), and otherwise re-parses only what changed.
    `expectations_dir` replaces the project's suites for this build (checks are made from it).
    The run is recorded in `instance` (a `DagsterInstance`), by default `DAGSTER_HOME`'s if it is
    set (where `dagster dev` shows it), else an ephemeral one. `reporter` is told the parse's
    progress. `ge`, a Great Expectations process the caller keeps warm between builds (seedhouse
    watch), is used and left running; by default each build starts its own."""
    started = time.perf_counter()
    suites = Path(expectations_dir) if expectations_dir is not None else EXPECTATIONS_DIR
    config = {
        "seeds_root": str(seeds_root),
        "warehouse_path": str(warehouse_path),
        "full_refresh": full,
        "skip_unchanged": False,  # decided below, before any run starts
        **(resource_config or {}),
    }
    warehouse = Warehouse(warehouse_path, force=bool(config.get("force")))
    if storage.is_url(seeds_root):  # the objects, synced into a mirror folder this build parses
        try:
            seeds_root = storage.seeds_folder(seeds_root, warehouse.state_dir)
        except storage.StorageError as exc:
            return BuildReport(False, "", warehouse.published, time.perf_counter() - started, errors=[str(exc)])
        config["seeds_root"] = str(seeds_root)
    root = Path(seeds_root).resolve()
    # a build from a staging snapshot parses nothing itself: there is no parse cache to compare with
    incremental = not full and job_name == "build_warehouse" and not config.get("from_staging")
    try:
        # before any work: a file that is not a warehouse, or another program writing to it,
        # stops the build here (the run's steps check again, for runs started from the UI)
        warehouse.check_replaceable()
        warehouse.check_no_writer()
        published_run_id = warehouse.published_run_id() if incremental else None
    except (NotAWarehouseError, WarehouseBusyError) as exc:
        return BuildReport(False, "", warehouse.published, time.perf_counter() - started, errors=[str(exc)])
    handed_manifest = None
    if published_run_id is not None:
        manifest = discover(root)  # read once: here, and by the run's ingest if one starts
        current = is_current(
            root,
            warehouse.parse_cache,
            published_run_id,
            limits=Limits(**{k: v for k, v in config.items() if k in Limits.__dataclass_fields__}),
            definitions=definitions_fingerprint(suites),
            manifest=manifest,
            verify=bool(config.get("verify")),
        )
        if current:
            if warehouse.try_lock():  # no build running: clear what an interrupted one left
                warehouse.remove_stale_builds()
                warehouse.release_lock()
            report = BuildReport(True, "", warehouse.published, time.perf_counter() - started, up_to_date=True)
            _describe_published(report)
            return report
        handed_manifest = (root, manifest)

    # Great Expectations takes seconds to import: its process starts before Dagster's own set-up
    # (definitions, instance, run), which it then overlaps; the run's session takes it over.
    session = BuildSession(
        reporter=reporter, manifest=handed_manifest, ge=ge or quality.new_ge_process(), keep_ge=ge is not None
    )
    from pipeline.definitions import SUITES, defs, make_definitions

    if suites != SUITES:  # the module's graph is made from the current project's suites
        defs = make_definitions(suites)
    run_id = None
    try:
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config={
                "resources": {"seedhouse": {"config": config}},
                "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            },
            instance=instance if instance is not None else _instance(Path(warehouse_path)),
            raise_on_error=False,
            resources={"session": session},
        )
        run_id = result.run_id
    finally:
        session.finish(run_id)
    report = BuildReport(
        success=result.success,
        run_id=result.run_id,
        warehouse=Path(warehouse_path).resolve(),
        seconds=time.perf_counter() - started,
    )
    published = any(event.is_step_success and event.step_key == "published_warehouse" for event in result.all_events)
    # the checks of this run, as the file it wrote records them: the published file, or the build
    # file a failed check or guard held back (a build that failed on a fault left neither)
    checked_file = report.warehouse if published else warehouse.build_path(result.run_id)
    report.failed_checks = quality.audit.failures_in(checked_file, result.run_id) or []
    for event in result.all_events:
        if event.is_step_failure:
            cause = _root_cause(event.step_failure_data.error)
            if cause.startswith(f"{AuditFailedError.__name__}:") and report.blocking_failures:
                continue  # the publish gate held the build back for the failures listed above
            if "No space left on device" in cause:  # DuckDB's words, from a table step
                cause = f"no space left on device on {mount_point(report.warehouse.parent)} ({cause})"
            elif "OutOfMemoryException" in cause:
                cause += (
                    f" (DuckDB's memory limit is {MEMORY_LIMIT}: raise it with SEEDHOUSE_DUCKDB_MEMORY_LIMIT; "
                    "every step is meant to spill to disk beyond it)"
                )
            report.errors.append(f"{event.step_key}: {cause}")
    report.published = published
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "warnings" in metadata:
            report.warnings.extend(metadata["warnings"].value)
        if "kept_changed_copy" in metadata:
            report.warnings.append(changed_copy_warning(report.warehouse, metadata["kept_changed_copy"].value))
    if report.published:
        _describe_published(report)
    return report


def _describe_published(report: BuildReport) -> None:
    """Fill the report's row counts, ledger and quarantine summary from the published file."""
    with connect(report.warehouse, read_only=True) as con:
        report.row_counts = {t.name: row_count(con, t.name) for t in TABLES}
        report.ledger, report.quarantine = ledger_counts(con)
        report.parsed, report.reused = con.execute(
            "select files_parsed, files_reused from quality.build_info"
        ).fetchall()[0]
