"""The seeds sensor's cursor and the daily schedule."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, DefaultSensorStatus, RunRequest, SkipReason, build_sensor_context

from assets.ingest.sensors import seeds_changed
from pipeline.definitions import defs
from pipeline.resources import SeedhouseResource
from tests.conftest import TINY_SEEDS, write_seeds


def tick(cursor, root):
    resources = {"seedhouse": SeedhouseResource(seeds_root=str(root))}
    with build_sensor_context(cursor=cursor, resources=resources) as context:
        return seeds_changed(context), context.cursor


def test_no_change_starts_nothing_and_one_changed_file_starts_one_run(tmp_path):
    write_seeds(tmp_path, TINY_SEEDS)
    first, cursor = tick(None, tmp_path)
    assert isinstance(first, RunRequest) and first.run_key == cursor

    again, same_cursor = tick(cursor, tmp_path)
    assert isinstance(again, SkipReason)
    assert again.skip_message == f"no seed file changed under {tmp_path}"
    assert same_cursor == cursor

    (tmp_path / "a.md").write_bytes(TINY_SEEDS["a.md"] + b"\nan edit\n")
    changed, new_cursor = tick(cursor, tmp_path)
    assert isinstance(changed, RunRequest) and changed.run_key == new_cursor != cursor

    (tmp_path / "d.md").unlink()
    removed, _ = tick(new_cursor, tmp_path)
    assert isinstance(removed, RunRequest)


def test_a_missing_seeds_root_is_skipped_with_the_reason(tmp_path):
    result, cursor = tick("old", tmp_path / "missing")
    assert isinstance(result, SkipReason)
    assert result.skip_message == f"the seeds root {tmp_path / 'missing'} does not exist or is not a directory"
    assert cursor == "old"


def test_the_sensor_runs_by_default_and_the_schedule_is_off():
    sensor = defs.resolve_sensor_def("seeds_changed")
    schedule = defs.resolve_schedule_def("daily_build")
    assert (sensor.default_status, sensor.job_name) == (DefaultSensorStatus.RUNNING, "build_warehouse")
    assert (schedule.default_status, schedule.cron_schedule) == (DefaultScheduleStatus.STOPPED, "0 5 * * *")
