"""The seeds sensor's cursor and the daily schedule. (A real build losing the lock to a shell
build and being asked for again is in test_faults.py.)"""

from __future__ import annotations

import json

from dagster import (
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
from pipeline.definitions import defs
from pipeline.ingest import manifest_fingerprint
from pipeline.resources import SeedhouseResource
from tests.conftest import TINY_SEEDS, write_seeds


def tick(cursor, root, instance=None):
    resources = {"seedhouse": SeedhouseResource(seeds_root=str(root))}
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
    assert result.skip_message == f"the seeds root {tmp_path / 'missing'} does not exist or is not a directory"
    assert cursor == "old"
    (tmp_path / "empty").mkdir()
    result, cursor = tick("old", tmp_path / "empty")
    assert result.skip_message == (
        f"the seeds root {tmp_path / 'empty'} holds no seed files (an unmounted share?): nothing was built, "
        "and the published warehouse was left as it was"
    )


def test_the_sensor_runs_by_default_and_the_schedule_is_off():
    sensor = defs.resolve_sensor_def("seeds_changed")
    schedule = defs.resolve_schedule_def("daily_build")
    assert (sensor.default_status, sensor.job_name) == (DefaultSensorStatus.RUNNING, "build_warehouse")
    assert (schedule.default_status, schedule.cron_schedule) == (DefaultScheduleStatus.STOPPED, "0 5 * * *")
