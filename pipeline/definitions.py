"""The one Dagster `Definitions` of seedhouse: every asset, check, job and resource.

Cross-cutting policy lives here: runs execute in-process, because DuckDB takes one writer at a
time and every table step writes the same build file (parsing parallelises inside its own step).
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from assets.analytics.assets import analytics_assets
from assets.core.assets import core_assets
from assets.ingest.assets import parsed_seeds
from assets.publish.assets import published_warehouse
from assets.quality.checks import quality_checks
from pipeline.resources import SeedhouseResource

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

defs = Definitions(
    assets=[parsed_seeds, *core_assets, *analytics_assets, published_warehouse],
    asset_checks=quality_checks,
    jobs=[build_warehouse, refresh_analytics],
    resources={"seedhouse": SeedhouseResource()},
    executor=in_process_executor,
)
