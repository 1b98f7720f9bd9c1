"""Watch the seeds root: a build starts by itself when seed files are added, changed or removed.

The cursor records the state of the seeds folder that the last *successful* run of this sensor
built, and the run it is waiting for. It moves on only when that run succeeds: a run that failed
(say, on the build lock while `seedhouse build` was running from a shell) is asked for again, so
a file added meanwhile is never forgotten. After `MAX_ATTEMPTS` failures for the same state of the
folder the sensor waits for the folder to change, rather than retrying a build that fails for a
reason of its own (a failed check) every 30 seconds.

A folder state the sensor has not seen built (its first tick, or after a `seedhouse build` from a
shell) is first compared with the published warehouse, as `seedhouse build` does: when the
warehouse was built from exactly these files with this parser, SQL and suites, the cursor takes
the folder's state and no run starts. Starting the UI on an unchanged warehouse builds nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from pipeline.ingest import SeedsRootError, check_seeds_root, definitions_fingerprint, is_current, manifest_fingerprint
from pipeline.resources import SeedhouseResource
from pipeline.warehouse import Warehouse, WarehouseBusyError

MAX_ATTEMPTS = 3
UNLAUNCHED_TICKS = 10  # a request the daemon never launched is asked for again after this many ticks
_FAILED = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


def published_is_current(seedhouse: SeedhouseResource, root: Path) -> bool:
    """True when a build of `root` would change nothing in the published warehouse: its publish
    record and parse cache say it was built from exactly these files, with this parser and these
    SQL files and suites (the suites the code location was started with)."""
    from pipeline.definitions import EXPECTATIONS_ENV  # the definitions import this module
    from pipeline.paths import EXPECTATIONS_DIR

    warehouse = Warehouse(seedhouse.warehouse_path)
    try:
        warehouse.check_no_writer()
    except WarehouseBusyError:
        return False  # the build it asks for says why
    published_run_id = warehouse.published_run_id()
    if published_run_id is None:
        return False
    suites = Path(os.environ.get(EXPECTATIONS_ENV) or EXPECTATIONS_DIR)
    return is_current(
        root, warehouse.parse_cache, published_run_id, limits=seedhouse.limits, definitions=definitions_fingerprint(suites)
    )


def _load(cursor: str | None) -> dict:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}  # a cursor from an older version: start afresh
    if not isinstance(state, dict):
        state = {}
    keys = {"built": None, "pending": None, "attempts": 0, "failed_for": None, "requests": 0}
    return {key: state.get(key, default) for key, default in keys.items()}


@sensor(
    job_name="build_warehouse",
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts an incremental build when files under the seeds root are added, changed or "
    "removed (a digest of every file's path, size and modification time). It moves on only once "
    "its run has succeeded, so nothing added while another build ran is forgotten; it never starts "
    "a build for a missing or empty seeds root. A state of the folder it has not seen built is first compared with "
    "the published warehouse: one built from exactly these files starts nothing.",
)
def seeds_changed(context: SensorEvaluationContext, seedhouse: SeedhouseResource):
    from pipeline.storage import is_url

    if is_url(seedhouse.seeds_root):  # objects have no file events: the sharded parse's backfills read them
        return SkipReason(f"the seeds root {seedhouse.seeds_root} is a URL: this sensor follows local folders")
    try:
        root = check_seeds_root(Path(seedhouse.seeds_root))
    except SeedsRootError as exc:
        return SkipReason(str(exc))
    state = _load(context.cursor)

    pending = state["pending"]
    if pending is not None:
        runs = context.instance.get_runs(filters=RunsFilter(tags={"dagster/run_key": pending["run_key"]}), limit=1)
        if not runs and pending.get("ticks_unlaunched", 0) < UNLAUNCHED_TICKS:
            pending["ticks_unlaunched"] = pending.get("ticks_unlaunched", 0) + 1
            context.update_cursor(json.dumps(state))
            return SkipReason(f"waiting for the run of {pending['run_key']} to start")
        if runs and not runs[0].is_finished:
            return SkipReason(f"waiting for run {runs[0].run_id} to finish")
        if runs and runs[0].status == DagsterRunStatus.SUCCESS:
            state.update(built=pending["fingerprint"], attempts=0, failed_for=None)
        elif runs and runs[0].status in _FAILED:
            state["attempts"] += 1
        state["pending"] = None  # finished, or never launched: ask again below if still needed
        context.update_cursor(json.dumps(state))

    fingerprint = manifest_fingerprint(root)
    if fingerprint == state["built"]:
        return SkipReason(f"no seed file changed under {root}")
    if state["attempts"] >= MAX_ATTEMPTS and state.get("failed_for") == fingerprint:
        return SkipReason(
            f"the last {MAX_ATTEMPTS} builds of these seeds failed; waiting for a change under {root} "
            "(see the failed runs)"
        )
    if published_is_current(seedhouse, root):
        state.update(built=fingerprint, attempts=0, failed_for=None)
        context.update_cursor(json.dumps(state))
        return SkipReason(f"{Path(seedhouse.warehouse_path).resolve()} is current: it was built from these seeds under {root}")
    if state.get("failed_for") != fingerprint:
        state["attempts"] = 0
    # numbered: Dagster never launches a run key twice, and a folder can return to an earlier state
    state["requests"] += 1
    run_key = f"{fingerprint}#{state['requests']}"
    state.update(pending={"run_key": run_key, "fingerprint": fingerprint}, failed_for=fingerprint)
    context.update_cursor(json.dumps(state))
    return RunRequest(run_key=run_key)
