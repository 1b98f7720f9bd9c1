"""One Dagster asset spec per warehouse table, made from its SQL file and its catalog entry.

Asset keys name what they write (`["core", "articles"]` writes `core.articles`), and an asset's
upstream dependencies are read from the tables its SQL names, so the graph cannot drift from the SQL.
"""

from pathlib import Path

from dagster import AssetKey, AssetSpec, MetadataValue, TableColumn, TableSchema

from assets.ingest.assets import OUTPUTS as INGEST_OUTPUTS
from pipeline.catalog import TABLES, Table
from pipeline.paths import PROJECT_ROOT, model_path
from pipeline.render import preview
from pipeline.warehouse import build_model, ledger_counts, model_dependencies, table_columns


def upstream_keys(table: Table, expectations_dir: Path) -> list[AssetKey]:
    """The assets of the tables `table`'s SQL reads (other tables, or what the ingest writes) and
    of those its foreign keys reference."""
    keys = []
    for name in model_dependencies(table, expectations_dir):
        if name.split(".")[0] in ("staging", "quality") and name not in INGEST_OUTPUTS:
            # no asset writes it: Dagster would show an empty placeholder in its place
            raise ValueError(f"{table.name} reads {name}, which the ingest step does not declare (assets/ingest/assets.py)")
        keys.append(AssetKey(name.split(".")))
    return keys


def column_schema(table: Table, types: dict[str, str] | None = None) -> TableSchema:
    types = types or {}
    return TableSchema(
        columns=[
            TableColumn(name=name, type=types.get(name, "?"), description=text)
            for name, text in table.columns.items()
        ]
    )


LEDGER = "core.seed_files"


def ledger_summary(con) -> dict:
    """What became of the files: counts by status, and quarantines by reason, for the run page."""
    statuses, reasons = ledger_counts(con)
    return {
        "files_found": sum(statuses.values()),
        "loaded": statuses.get("loaded", 0),
        "duplicate": statuses.get("duplicate", 0),
        "quarantined": statuses.get("quarantined", 0),
        "quarantined_by_reason": MetadataValue.json(reasons),
    }


def table_spec(table: Table, expectations_dir: Path) -> AssetSpec:
    """The asset of `table`: materialised only when a build that holds it is published (see
    `assets.publish`), so its history is the published warehouse's."""
    return AssetSpec(
        AssetKey([table.schema, table.short_name]),
        group_name=table.schema,
        deps=upstream_keys(table, expectations_dir),
        description=table.description,
        kinds={"duckdb", "sql", "great_expectations"},
        owners=["team:data-engineering"],
        tags={"layer": table.schema},
        metadata={
            "dagster/table_name": f"seedhouse.{table.name}",
            "dagster/column_schema": column_schema(table),
            "sql": MetadataValue.path(model_path(table.schema, table.short_name).relative_to(PROJECT_ROOT).as_posix()),
        },
    )


def build_order(expectations_dir: Path) -> list[Table]:
    """Every table, each after the tables its SQL reads and its foreign keys reference (the
    catalog's order among those free to go)."""
    ordered: list[Table] = []
    done: set[str] = set()
    waiting = list(TABLES)
    while waiting:
        ready = next(
            t for t in waiting
            if {d for d in model_dependencies(t, expectations_dir) if d.split(".")[0] in ("core", "analytics")} <= done
        )
        waiting.remove(ready)
        ordered.append(ready)
        done.add(ready.name)
    return ordered


def build_table(con, table: Table, expectations_dir: Path) -> dict:
    """Build `table` in the run's build file, with the keys its suite guarantees; the metadata its
    materialisation will carry."""
    rows = build_model(con, table, expectations_dir)
    types = dict(table_columns(con, table.name))
    metadata = {"dagster/row_count": rows, "dagster/column_schema": column_schema(table, types)}
    if table.schema == "analytics":
        metadata["preview"] = MetadataValue.md(preview(con, table.name))
    if table.name == LEDGER:
        metadata.update(ledger_summary(con))
    return metadata
