"""The HTML report, rewritten after every publish."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipeline.report import write_report
from pipeline.resources import SeedhouseResource


@asset(
    key=AssetKey(["report"]),
    group_name="publish",
    deps=[AssetKey(["published_warehouse"])],
    kinds={"python", "html"},
)
def report(context: AssetExecutionContext, seedhouse: SeedhouseResource) -> MaterializeResult:
    """A single self-contained HTML report beside the published warehouse: provider leaderboard,
    topic trends, topic co-occurrence, provider-to-provider coverage, story sizes and what became
    of the seed files. Opens offline in any browser."""
    path = write_report(Path(seedhouse.warehouse_path).resolve())
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(path)), "size_bytes": path.stat().st_size}
    )
