"""The sharded parse as Dagster assets.

`staging/parsed_shard` (one partition per shard) parses the changed files of one shard into a new
immutable Parquet version at the staging location; a backfill of every partition goes through the
run queue, so `max_concurrent_runs` and the tag concurrency limit of the instance decide how many
shards parse at once (local processes, or Kubernetes jobs with `K8sRunLauncher`).
`staging/committed_snapshot` makes the newest finished version of every shard current in one
pointer. The warehouse is then built by the one writer, `build_warehouse` with `from_staging` set
to the staging location: the same checks and the same publish gate as any build.
"""

import json

from dagster import AssetExecutionContext, AssetKey, AssetSelection, Failure, MaterializeResult, asset, define_asset_job

from assets.scaleout.partitions import SHARD_BITS, shards
from pipeline.resources import SeedhouseResource
from pipeline.shards import CommitError, commit, parse_shard
from pipeline.storage import StorageError

PARSED_SHARD = AssetKey(["staging", "parsed_shard"])
COMMITTED = AssetKey(["staging", "committed_snapshot"])

SHARD_RUN_TAGS = {
    # what the instance's tag concurrency limit counts (deploy/dagster.yaml)
    "seedhouse/role": "shard-parse",
    # the pod of one shard's run under K8sRunLauncher (deploy/dagster-k8s.yaml): the parse uses
    # every core it is given, and holds at most a few batches of rows at a time
    "dagster-k8s/config": json.dumps(
        {"container_config": {"resources": {"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"memory": "4Gi"}}}}
    ),
}


@asset(key=PARSED_SHARD, partitions_def=shards, group_name="scaleout", kinds={"python", "parquet"})
def parsed_shard(context: AssetExecutionContext, seedhouse: SeedhouseResource) -> MaterializeResult:
    """One hash shard of the seeds (top bits of sha256 of the path under the seeds root), parsed
    into a new Parquet version `shard=K/v=<run id>/part.parquet` at the staging location: files
    unchanged since the committed snapshot are reused from it, the others are read and parsed.
    A version is only complete once its `done.json` is written; nothing reads it before a commit."""
    shard = int(context.partition_key)
    try:
        result = parse_shard(
            seedhouse.seeds_root, seedhouse.staging_location, bits=SHARD_BITS, shard=shard, version=context.run_id,
            limits=seedhouse.limits,
        )
    except StorageError as exc:
        raise Failure(description=str(exc)) from None
    context.log.info(f"shard {shard}: parsed {result.files_parsed} files, reused {result.files_reused}")
    return MaterializeResult(
        metadata={
            "version": result.version, "path": result.path, "files_found": result.files_found,
            "files_parsed": result.files_parsed, "files_reused": result.files_reused,
            "dagster/row_count": result.files_found,
        }
    )


@asset(key=COMMITTED, deps=[PARSED_SHARD], group_name="scaleout", kinds={"json"})
def committed_snapshot(context: AssetExecutionContext, seedhouse: SeedhouseResource) -> MaterializeResult:
    """The current staging snapshot: one pointer naming the newest finished version of every
    shard, written last with a create-only write, so a reader sees all of a commit or none of it.
    Refused while any shard has no finished version (a backfill not yet complete)."""
    try:
        pointer = commit(seedhouse.seeds_root, seedhouse.staging_location, bits=SHARD_BITS, limits=seedhouse.limits)
    except (CommitError, StorageError) as exc:
        raise Failure(description=str(exc)) from None
    parsed = sum(entry["files_parsed"] for entry in pointer["shards"].values())
    found = sum(entry["files_found"] for entry in pointer["shards"].values())
    context.log.info(f"committed snapshot {pointer['number']}: {found} files in {len(pointer['shards'])} shards")
    return MaterializeResult(
        metadata={
            "snapshot": pointer["number"], "staging": seedhouse.staging_location, "files_found": found,
            "files_parsed_by_latest_versions": parsed, "dagster/row_count": found,
        }
    )


SCALEOUT = AssetSelection.groups("scaleout")

parse_shards = define_asset_job(
    "parse_shards",
    selection=AssetSelection.assets(PARSED_SHARD),
    partitions_def=shards,
    tags=SHARD_RUN_TAGS,
    description="Parse one shard of the seeds into a new staging version (backfill every partition to parse all).",
)

commit_staging = define_asset_job(
    "commit_staging",
    selection=AssetSelection.assets(COMMITTED),
    description="Make the newest finished version of every shard the current staging snapshot.",
)

scaleout_assets = [parsed_shard, committed_snapshot]
scaleout_jobs = [parse_shards, commit_staging]
