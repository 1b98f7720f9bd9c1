"""The seeds sensor's cursor, the daily schedule, and what a run started from the UI does with an
unchanged or another warehouse. (A real build losing the lock to a shell build and being asked
for again is in test_faults.py.)"""

from __future__ import annotations

import json

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_sensor_context,
    job,
    op,
)

from assets.ingest.sensors import MAX_ATTEMPTS, seeds_changed
from pipeline.build import run_build
from pipeline.definitions import defs
from pipeline.ingest import manifest_fingerprint
from pipeline.resources import SeedhouseResource, location_warehouse
from tests.conftest import TINY_SEEDS, query, write_seeds


def tick(cursor, root, instance=None, warehouse=None):
    warehouse = warehouse or root.parent / f"{root.name}-warehouse" / "seedhouse.duckdb"
    resources = {"seedhouse": SeedhouseResource(seeds_root=str(root), warehouse_path=str(warehouse))}
    instance = instance or DagsterInstance.ephemeral()
    with build_sensor_context(cursor=cursor, resources=resources, instance=instance) as context:
        return seeds_changed(context), context.cursor


@op
def _stand_in():
    """Stands for the requested build in the run history: only the run's outcome is read."""


@job
def _finished():
    _stand_in()


@op
def _fail():
    raise RuntimeError("failed on the build lock")


@job
def _failed():
    _fail()


def finish(instance, request, job_def=_finished):
    job_def.execute_in_process(instance=instance, tags={"dagster/run_key": request.run_key}, raise_on_error=False)


def test_no_change_starts_nothing_and_one_changed_file_starts_one_run(tmp_path):
    instance = DagsterInstance.ephemeral()
    write_seeds(tmp_path, TINY_SEEDS)
    first, cursor = tick(None, tmp_path, instance)
    fingerprint = manifest_fingerprint(tmp_path)
    assert isinstance(first, RunRequest) and first.run_key == f"{fingerprint}#1"

    waiting, cursor = tick(cursor, tmp_path, instance)  # not launched yet: no second request
    assert isinstance(waiting, SkipReason)
    assert waiting.skip_message == f"waiting for the run of {fingerprint}#1 to start"

    finish(instance, first)
    again, same_cursor = tick(cursor, tmp_path, instance)
    assert isinstance(again, SkipReason)
    assert again.skip_message == f"no seed file changed under {tmp_path}"
    assert json.loads(same_cursor)["built"] == fingerprint

    (tmp_path / "a.md").write_bytes(TINY_SEEDS["a.md"] + b"\nan edit\n")
    changed, new_cursor = tick(same_cursor, tmp_path, instance)
    assert isinstance(changed, RunRequest) and changed.run_key == f"{manifest_fingerprint(tmp_path)}#2"
    finish(instance, changed)

    (tmp_path / "d.md").unlink()
    removed, _ = tick(new_cursor, tmp_path, instance)
    assert isinstance(removed, RunRequest) and removed.run_key.endswith("#3")


def test_a_failed_run_is_asked_for_again_then_given_up_until_the_folder_changes(tmp_path):
    instance = DagsterInstance.ephemeral()
    write_seeds(tmp_path, TINY_SEEDS)
    request, cursor = tick(None, tmp_path, instance)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        finish(instance, request, _failed)
        request, cursor = tick(cursor, tmp_path, instance)
        assert isinstance(request, RunRequest) and request.run_key.endswith(f"#{attempt}")
    finish(instance, request, _failed)
    given_up, cursor = tick(cursor, tmp_path, instance)
    assert isinstance(given_up, SkipReason)
    assert given_up.skip_message == (
        f"the last {MAX_ATTEMPTS} builds of these seeds failed; waiting for a change under {tmp_path} "
        "(see the failed runs)"
    )
    (tmp_path / "new.md").write_bytes(TINY_SEEDS["c.md"])
    fresh, _ = tick(cursor, tmp_path, instance)
    assert isinstance(fresh, RunRequest)


def test_a_missing_seeds_root_is_skipped_with_the_reason(tmp_path):
    result, cursor = tick("old", tmp_path / "missing")
    assert isinstance(result, SkipReason)
    assert result.skip_message == (
        f"the seeds root {tmp_path / 'missing'} does not exist or is not a directory: "
        "nothing was built, and nothing was published"
    )
    assert cursor == "old"
    (tmp_path / "empty").mkdir()
    result, cursor = tick("old", tmp_path / "empty")
    assert result.skip_message == (
        f"the seeds root {tmp_path / 'empty'} holds no seed files (an unmounted share?): nothing was built, "
        "and nothing was published"
    )


def test_the_sensor_runs_by_default_and_the_schedule_is_off():
    sensor = defs.resolve_sensor_def("seeds_changed")
    schedule = defs.resolve_schedule_def("daily_build")
    assert (sensor.default_status, sensor.job_name) == (DefaultSensorStatus.RUNNING, "build_warehouse")
    assert (schedule.default_status, schedule.cron_schedule) == (DefaultScheduleStatus.STOPPED, "0 5 * * *")


@pytest.fixture()
def published(tmp_path):
    """Seeds and the warehouse published from them by `seedhouse build`'s path."""
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    report = run_build(seeds, warehouse, instance=DagsterInstance.ephemeral())
    assert report.published, report.errors
    return seeds, warehouse


@pytest.mark.slow
def test_the_first_tick_on_an_unchanged_published_warehouse_starts_nothing(published):
    seeds, warehouse = published
    first, cursor = tick(None, seeds, warehouse=warehouse)
    assert isinstance(first, SkipReason)
    assert first.skip_message == f"{warehouse} is current: it was built from these seeds under {seeds}"
    assert json.loads(cursor)["built"] == manifest_fingerprint(seeds)
    again, _ = tick(cursor, seeds, warehouse=warehouse)
    assert again.skip_message == f"no seed file changed under {seeds}"

    (seeds / "a.md").write_bytes(TINY_SEEDS["a.md"] + b"\nan edit\n")
    changed, _ = tick(cursor, seeds, warehouse=warehouse)
    assert isinstance(changed, RunRequest) and changed.run_key == f"{manifest_fingerprint(seeds)}#1"


def _run(warehouse, seeds, instance, **config):
    return defs.resolve_job_def("build_warehouse").execute_in_process(
        run_config={"resources": {"seedhouse": {"config": {"seeds_root": str(seeds), "warehouse_path": str(warehouse), **config}}}},
        instance=instance,
        raise_on_error=False,
    )


@pytest.mark.slow
def test_a_run_from_the_ui_with_nothing_changed_builds_nothing(published):
    """The sensor's or the launchpad's run: the ingest finds the published warehouse current, so
    every later step is skipped and the run succeeds without touching the file."""
    seeds, warehouse = published
    before = warehouse.read_bytes()
    result = _run(warehouse, seeds, DagsterInstance.ephemeral())
    assert result.success
    assert result.get_asset_materialization_events() == []
    assert sorted(e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED") == ["published_warehouse", "report"]
    assert warehouse.read_bytes() == before
    assert list((warehouse.parent / ".seedhouse" / warehouse.name / "builds").iterdir()) == []

    rebuilt = _run(warehouse, seeds, DagsterInstance.ephemeral(), full_refresh=True)
    assert rebuilt.success
    assert AssetKey(["published_warehouse"]) in {e.asset_key for e in rebuilt.get_asset_materialization_events()}


@pytest.mark.slow
def test_a_run_for_another_warehouse_is_refused_where_the_ui_records_runs(published, tmp_path):
    seeds, warehouse = published
    other = tmp_path / "other" / "seedhouse.duckdb"
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        result = _run(other, seeds, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "staging__parsed_seeds"
    assert failure.step_failure_data.user_failure_data.description == (
        f"this code location shows the warehouse {location_warehouse()}; a build of {other} would be recorded "
        f"as its history. Build it with `seedhouse build --warehouse {other}`, or start a UI of its own: "
        f"SEEDHOUSE_WAREHOUSE={other} dagster dev"
    )
    assert not other.exists()


def _subset(keys, checks=frozenset()):
    job = defs.resolve_job_def("build_warehouse")
    return job.get_subset(asset_selection=set(keys), asset_check_selection=set(checks))


@pytest.mark.slow
def test_materializing_one_table_from_the_catalog_builds_and_publishes_the_whole_warehouse(published):
    """"Materialize" on core/articles selects the whole write-audit-publish step (it cannot be
    split) but not the ingest: the step parses the seeds itself and publishes a whole build."""
    seeds, warehouse = published
    (seeds / "a.md").write_bytes(TINY_SEEDS["a.md"].replace(b"Robots learn to fold laundry", b"Robots fold laundry"))
    step = defs.resolve_asset_graph().get(AssetKey(["core", "articles"])).assets_def
    result = _subset(step.keys, step.check_keys).execute_in_process(
        run_config={"resources": {"seedhouse": {"config": {"seeds_root": str(seeds), "warehouse_path": str(warehouse)}}}},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == set(step.keys)
    assert query(warehouse, "select run_id from quality.build_info") == [(result.run_id,)]
    assert query(warehouse, "select title from core.articles where source_path = 'a.md'") == [("Robots fold laundry",)]


@pytest.mark.slow
def test_the_ingest_alone_is_refused_and_leaves_no_build(published):
    seeds, warehouse = published
    before = warehouse.read_bytes()
    ingest = defs.resolve_asset_graph().get(AssetKey(["staging", "parsed_seeds"])).assets_def
    result = _subset(ingest.keys).execute_in_process(
        run_config={"resources": {"seedhouse": {"config": {"seeds_root": str(seeds), "warehouse_path": str(warehouse)}}}},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_failure_data.user_failure_data.description == (
        "staging is built only as the first step of a whole build, which publishes the warehouse: materialize "
        "published_warehouse (or run the build_warehouse job) instead"
    )
    assert result.get_asset_materialization_events() == []
    assert warehouse.read_bytes() == before
    assert list((warehouse.parent / ".seedhouse" / warehouse.name / "builds").iterdir()) == []
