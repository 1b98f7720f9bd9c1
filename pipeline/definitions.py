"""The one Dagster `Definitions` of seedhouse: every asset, check, job and resource.

Cross-cutting policy lives here: runs execute in-process, because DuckDB takes one writer at a
time and every step of a build writes the same build file (parsing parallelises inside its own step).
The code location shows one warehouse (see `pipeline.resources`); its checks are made from the
suites in `SEEDHOUSE_EXPECTATIONS` when that is set, else the project's `expectations/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from assets.ingest.assets import ingest_assets
from assets.ingest.schedules import daily_build
from assets.ingest.sensors import seeds_changed
from assets.publish.assets import warehouse_assets
from assets.publish.report import report
from assets.scaleout.assets import SCALEOUT, scaleout_assets, scaleout_jobs
from pipeline import project as projects
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.resources import SeedhouseResource, build_session, location_seeds, location_staging, location_warehouse

EXPECTATIONS_ENV = "SEEDHOUSE_EXPECTATIONS"

build_warehouse = define_asset_job(
    "build_warehouse",
    # the sharded parse has jobs of its own (partitioned runs through the queue); a build reads its
    # commit with from_staging
    selection=AssetSelection.all() - SCALEOUT,
    description="Parse new and changed seeds, rebuild every table, run the expectations, publish if they pass "
    "(nothing at all when nothing changed since the published build).",
)


def make_definitions(expectations_dir: Path | None = None, project: projects.Project | None = None) -> Definitions:
    """The graph, with its checks made from the suites in `expectations_dir` (by default the
    project's, else the package's), and the launchpad's defaults: the location's warehouse and
    seeds, and `project`'s [build] settings."""
    if expectations_dir is None:
        expectations_dir = project.expectations if project else EXPECTATIONS_DIR
    suites = Path(expectations_dir)
    # the one warehouse this location shows (SEEDHOUSE_WAREHOUSE, else the project's: see
    # pipeline.resources), built with the project's [build] settings
    seedhouse = SeedhouseResource(
        seeds_root=str(location_seeds()), warehouse_path=str(location_warehouse()), staging=location_staging(),
        **(project.settings if project is not None else {}),
    )
    return Definitions(
        assets=[ingest_assets(suites), warehouse_assets(suites), report, *scaleout_assets],
        jobs=[build_warehouse, *scaleout_jobs],
        sensors=[seeds_changed],
        schedules=[daily_build],
        resources={"seedhouse": seedhouse, "session": build_session},
        executor=in_process_executor,
    )


# `dagster dev` (and every process it starts) finds the project as the command line does:
# SEEDHOUSE_PROJECT, else the folder it runs in or the nearest one above it with a seedhouse.toml;
# SEEDHOUSE_EXPECTATIONS, when set, names other suites
PROJECT = projects.current()
SUITES = Path(os.environ.get(EXPECTATIONS_ENV) or (PROJECT.expectations if PROJECT else EXPECTATIONS_DIR))
defs = make_definitions(SUITES, PROJECT)
