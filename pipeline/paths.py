"""Where the project's own files live.

seedhouse runs from a checkout, the way a dbt project does: the SQL models (`warehouse/`) and the
expectation suites (`expectations/`) are files an analyst edits in place, so they are read from the
project root rather than packaged into the wheel.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "warehouse"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_SEEDS_ROOT = PROJECT_ROOT / "seeds"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "seedhouse.duckdb"


def model_path(schema: str, name: str, suffix: str = ".sql") -> Path:
    """`warehouse/<schema>/<name>.sql`: the SQL of model `name` of `schema`, the one place that
    says where it lives (for `staging`, a SQL step of the ingest, see `pipeline.ingest`); with
    `suffix=".yml"`, the table's descriptions beside it (see `pipeline.catalog`)."""
    return SQL_DIR / schema / f"{name}{suffix}"


def default_report_path(warehouse: Path) -> Path:
    """The HTML report of a warehouse: `<file stem>-report.html` beside it, so two warehouses in
    one folder keep a report each (`seedhouse.duckdb` -> `seedhouse-report.html`)."""
    return warehouse.with_name(f"{warehouse.stem}-report.html")
