"""Publish: the last step of write-audit-publish."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, ResourceParam, asset

from pipeline.catalog import TABLES
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession
from pipeline.warehouse import changed_copy_warning, connect, row_count

# After every check: the in-process executor runs the highest priority of the steps ready to run
# (tables 1, checks 0), and publishing is ready as soon as the tables are built.
LAST_STEP_TAGS = {"dagster/priority": "-1"}


@asset(
    key=AssetKey(["published_warehouse"]),
    group_name="publish",
    deps=[AssetKey([t.schema, t.short_name]) for t in TABLES],
    kinds={"duckdb"},
    op_tags=LAST_STEP_TAGS,
)
def published_warehouse(
    context: AssetExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]
) -> MaterializeResult:
    """The DuckDB file analysts open, replaced atomically by this run's build.

    Publishes only when every table this run built has been checked and none of its critical
    expectations failed, when the build does not shrink the warehouse by more than the configured
    share (unless `allow_shrink`), and when the build file, checkpointed and reopened, holds every
    table with the rows that were checked; otherwise the step fails and the previous file stays
    exactly as it was. Readers with the old file open keep their snapshot.
    """
    seedhouse.open_warehouse(session)
    path = session.publish(context.run_id, allow_shrink=seedhouse.allow_shrink, shrink_threshold=seedhouse.shrink_threshold)
    with connect(path, read_only=True) as con:
        counts = {t.name: row_count(con, t.name) for t in TABLES}
    metadata = {
        "path": MetadataValue.path(str(path)),
        "size_bytes": path.stat().st_size,
        "row_counts": MetadataValue.json(counts),
    }
    kept = session.warehouse.kept_copy
    if kept is not None:
        context.log.warning(changed_copy_warning(path, kept))
        metadata["kept_changed_copy"] = MetadataValue.path(str(kept))
    return MaterializeResult(metadata=metadata)
