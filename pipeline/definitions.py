"""The one Dagster `Definitions` of seedhouse: every asset, check, job and resource.

Cross-cutting policy lives here: runs execute in-process, because DuckDB takes one writer at a
time and every table step writes the same build file (parsing parallelises inside its own step).
"""

from __future__ import annotations

from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from assets.analytics.assets import analytics_assets
from assets.core.assets import core_assets
from assets.ingest.assets import ingest_assets
from assets.ingest.schedules import daily_build
from assets.ingest.sensors import seeds_changed
from assets.publish.assets import published_warehouse
from assets.publish.report import report
from assets.quality.checks import quality_checks
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.resources import SeedhouseResource, build_session

build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.all(),
    description="Parse every seed, rebuild every table, run the expectations, publish if they pass.",
)

refresh_analytics = define_asset_job(
    "refresh_analytics",
    selection=AssetSelection.groups("analytics", "publish"),
    description="Rebuild the analytics marts from the published core tables, check and publish.",
)



def make_definitions(expectations_dir: Path = EXPECTATIONS_DIR) -> Definitions:
    """The graph, with its checks made from the suites in `expectations_dir` (the project's own
    `expectations/` unless a user points `seedhouse build --expectations` elsewhere)."""
    suites = Path(expectations_dir)
    return Definitions(
        assets=[ingest_assets(suites), *core_assets(suites), *analytics_assets(suites), published_warehouse, report],
        asset_checks=quality_checks(suites),
        jobs=[build_warehouse, refresh_analytics],
        sensors=[seeds_changed],
        schedules=[daily_build],
        resources={"seedhouse": SeedhouseResource(), "session": build_session},
        executor=in_process_executor,
    )


defs = make_definitions()
