"""Where seedhouse's own files live: the SQL models and the default expectation suites.

They are kept once, in the checkout's top-level `warehouse/` and `expectations/` folders, and the
wheel carries them inside the package (`pyproject.toml` maps those folders to
`pipeline/_warehouse` and `pipeline/_expectations`). An installed package reads its packaged
copies; a checkout (an editable install, the tests) reads the folders themselves, so an edit to a
model takes effect at once.

Where a user's seeds, warehouse and suites are is a project's business (`pipeline.project`), not
this module's.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The folder holding the package: a checkout, or site-packages once installed. Source paths are
# named relative to it where they are recorded (fingerprints, asset metadata).
PROJECT_ROOT = PACKAGE_DIR.parent

_PACKAGED_SQL = PACKAGE_DIR / "_warehouse"
INSTALLED = (_PACKAGED_SQL / "tables.yml").is_file()
SQL_DIR = _PACKAGED_SQL if INSTALLED else PROJECT_ROOT / "warehouse"
# the suites a project starts from (`seedhouse init` copies them) and checks use by default
EXPECTATIONS_DIR = PACKAGE_DIR / "_expectations" if INSTALLED else PROJECT_ROOT / "expectations"

# the checkout's own sample project (seedhouse.toml at its root names the same two paths); only
# meaningful in a checkout, where docs generation and tests use them
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
