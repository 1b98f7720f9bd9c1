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
from pipeline import project as projects
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



def make_definitions(expectations_dir: Path | None = None, project: projects.Project | None = None) -> Definitions:
    """The graph, with its checks made from the suites in `expectations_dir` (by default the
    project's, else the package's), and the launchpad's defaults taken from `project`'s
    seedhouse.toml (else `seeds/` and `warehouse/seedhouse.duckdb` under the current folder)."""
    if expectations_dir is None:
        expectations_dir = project.expectations if project else EXPECTATIONS_DIR
    suites = Path(expectations_dir)
    if project is not None:
        seedhouse = SeedhouseResource(seeds_root=str(project.seeds), warehouse_path=str(project.warehouse), **project.settings)
    else:
        here = Path.cwd()
        seedhouse = SeedhouseResource(seeds_root=str(here / "seeds"), warehouse_path=str(here / "warehouse" / "seedhouse.duckdb"))
    return Definitions(
        assets=[ingest_assets(suites), *core_assets(suites), *analytics_assets(suites), published_warehouse, report],
        asset_checks=quality_checks(suites),
        jobs=[build_warehouse, refresh_analytics],
        sensors=[seeds_changed],
        schedules=[daily_build],
        resources={"seedhouse": seedhouse, "session": build_session},
        executor=in_process_executor,
    )


# `dagster dev` (and every process it starts) finds the project as the command line does:
# SEEDHOUSE_PROJECT, else the folder it runs in or the nearest one above it with a seedhouse.toml
PROJECT = projects.current()
SUITES = PROJECT.expectations if PROJECT else EXPECTATIONS_DIR
defs = make_definitions(SUITES, PROJECT)
