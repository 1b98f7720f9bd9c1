"""One Dagster asset per warehouse table, made from its SQL file and its catalog entry.

Asset keys name what they write (`["core", "articles"]` writes `core.articles`), and an asset's
upstream dependencies are read from the tables its SQL names, so the graph cannot drift from the SQL.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    TableColumn,
    TableSchema,
    asset,
)

from assets.ingest.assets import OUTPUTS as INGEST_OUTPUTS
from pipeline.catalog import TABLES, Table
from pipeline.paths import PROJECT_ROOT, model_path
from pipeline.render import preview
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession
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


# Table steps go first among the steps ready to run (higher priority than the checks): each hands
# its suite to the GE process as soon as it is built (`BuildSession.table_built`), so GE
# validates on the other core while the next table is built, and a check step finds its answers.
TABLE_STEP_TAGS = {"dagster/priority": "1"}


def table_asset(table: Table, group_name: str, *, with_preview: bool, expectations_dir: Path) -> AssetsDefinition:
    @asset(
        name=table.short_name,
        key_prefix=[table.schema],
        group_name=group_name,
        deps=upstream_keys(table, expectations_dir),
        description=table.description,
        kinds={"duckdb", "sql", "great_expectations"},
        owners=["team:data-engineering"],
        tags={"layer": table.schema},
        op_tags=TABLE_STEP_TAGS,
        metadata={
            "dagster/table_name": f"seedhouse.{table.name}",
            "dagster/column_schema": column_schema(table),
            "sql": MetadataValue.path(model_path(table.schema, table.short_name).relative_to(PROJECT_ROOT).as_posix()),
        },
    )
    def _table(
        context: AssetExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]
    ) -> MaterializeResult:
        with seedhouse.open_warehouse(session).open_build(context.run_id) as con:
            rows = build_model(con, table, expectations_dir)
            types = dict(table_columns(con, table.name))
            metadata = {
                "dagster/row_count": rows,
                "dagster/column_schema": column_schema(table, types),
            }
            if with_preview:
                metadata["preview"] = MetadataValue.md(preview(con, table.name))
            if table.name == LEDGER:
                metadata.update(ledger_summary(con))
            session.table_built(con, table.name, expectations_dir)
        return MaterializeResult(metadata=metadata)

    return _table


def table_assets(schema: str, expectations_dir: Path, *, with_preview: bool) -> list[AssetsDefinition]:
    """One asset per table of `schema`; each hands its built table to the checks of `expectations_dir`."""
    return [
        table_asset(t, schema, with_preview=with_preview, expectations_dir=expectations_dir)
        for t in TABLES
        if t.schema == schema
    ]
