"""Watch the seeds root: a build starts by itself when seed files are added, changed or removed."""

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from pipeline.ingest import manifest_fingerprint
from pipeline.resources import SeedhouseResource


@sensor(
    job_name="build_warehouse",
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts an incremental build when files under the seeds root are added, changed or "
    "removed. Its cursor is a digest of every file's path, size and modification time, so an "
    "unchanged folder starts nothing.",
)
def seeds_changed(context: SensorEvaluationContext, seedhouse: SeedhouseResource):
    try:
        fingerprint = manifest_fingerprint(seedhouse.seeds_path)
    except FileNotFoundError as exc:
        return SkipReason(str(exc))
    if fingerprint == context.cursor:
        return SkipReason(f"no seed file changed under {seedhouse.seeds_root}")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=fingerprint)
