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
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.resources import SeedhouseResource, build_session

EXPECTATIONS_ENV = "SEEDHOUSE_EXPECTATIONS"

build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.all(),
    description="Parse new and changed seeds, rebuild every table, run the expectations, publish if they pass "
    "(nothing at all when nothing changed since the published build).",
)


def make_definitions(expectations_dir: Path = EXPECTATIONS_DIR) -> Definitions:
    """The graph, with its checks made from the suites in `expectations_dir` (the project's own
    `expectations/` unless a user points `seedhouse build --expectations` elsewhere)."""
    suites = Path(expectations_dir)
    return Definitions(
        assets=[ingest_assets(suites), warehouse_assets(suites), report],
        jobs=[build_warehouse],
        sensors=[seeds_changed],
        schedules=[daily_build],
        resources={"seedhouse": SeedhouseResource(), "session": build_session},
        executor=in_process_executor,
    )


defs = make_definitions(Path(os.environ.get(EXPECTATIONS_ENV) or EXPECTATIONS_DIR))
