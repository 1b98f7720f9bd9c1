"""Build, check and publish: write-audit-publish as one step, so that the asset catalog shows
only what was published.

One non-subsettable `multi_asset` holds every table, `quality.build_info` and
`published_warehouse`, with one check per expectation. Its step builds every table into the
run's new build file (handing each table's suite to Great Expectations' process as soon as the
table and the tables its parameters read are built), collects every suite's outcomes into
`quality.check_results`, and publishes when the gate passes. Only then are the tables
materialised, with the row counts, schemas and previews of the published file: a build that was
held back materialises nothing, its check results say "not published", and the step fails with a
`Failure` whose metadata lists the failed expectations, while the published file stays byte for
byte as it was. Materialising any one of these assets materialises them all (and, when the run
did not select the ingest, parses the seeds first), so a subset can never leave a build that is
not published.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    multi_asset,
)

from assets.ingest.assets import BUILD_INFO, PARSED_SEEDS, ingest_source, ingest_spec, run_ingest
from assets.quality.checks import Checks
from assets.tables import build_order, build_table, table_spec
from pipeline import quality
from pipeline.catalog import TABLES
from pipeline.ingest import definitions_fingerprint
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession, ShrinkRefusedError
from pipeline.warehouse import PublishError, changed_copy_warning, connect, left_as_it_was, row_count

PUBLISHED = AssetKey(["published_warehouse"])
STAGING = AssetKey(PARSED_SEEDS.split("."))

PUBLISHED_DESCRIPTION = (
    "The DuckDB file analysts open, replaced atomically by a build whose every critical expectation "
    "passed. Its materialisations are the publishes: path, size, the row count of every table and "
    "the checks the published build passed. A build that was held back fails this step with the "
    "failed expectations in the failure's metadata, and the file stays exactly as it was."
)


def _failure_table(failed: list[quality.Outcome], checks: Checks) -> str:
    rows = ["| table | check | unexpected | what it means |", "|---|---|---:|---|"]
    for outcome in failed:
        found = outcome.unexpected_count if outcome.unexpected_count is not None else f"observed {outcome.observed_value}"
        meaning = outcome.meaning.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| {outcome.table} | {checks.name(outcome)} | {found} | {meaning} |")
    return "\n".join(rows)


def held_back(exc: Exception, run_id: str, published: Path, checks: Checks, outcomes: list[quality.Outcome]) -> Failure:
    """The readable failure of a build that was not published."""
    metadata = {"published_warehouse": MetadataValue.path(str(published)), "build_run": run_id}
    if isinstance(exc, quality.AuditFailedError):
        failed = quality.blocking(outcomes)
        description = (
            f"not published: {len(failed)} critical expectation{'s' if len(failed) != 1 else ''} failed"
            + (f", and {', '.join(exc.unchecked)} went unchecked" if exc.unchecked else "")
            + f". {left_as_it_was(published)}."
        )
        metadata["failed_expectations"] = MetadataValue.md(_failure_table(failed, checks))
        metadata["failed"] = MetadataValue.json(
            [
                {"table": o.table, "check": checks.name(o), "recorded_as": o.check_name, "unexpected_count": o.unexpected_count,
                 "meaning": o.meaning, "sample": o.sample}
                for o in failed
            ]
        )
        if exc.unchecked:
            metadata["unchecked_tables"] = MetadataValue.json(exc.unchecked)
    else:
        description = f"not published: {exc}. {left_as_it_was(published)}."
    warnings = [o for o in outcomes if not o.success and not o.blocks]
    metadata["failed_warnings"] = len(warnings)
    return Failure(description=description, metadata=metadata)


def warehouse_assets(expectations_dir: Path) -> AssetsDefinition:
    checks = Checks(expectations_dir)
    definitions = definitions_fingerprint(expectations_dir)
    specs = [
        *(table_spec(table, expectations_dir) for table in TABLES),
        ingest_spec(BUILD_INFO),
        AssetSpec(
            PUBLISHED,
            group_name="publish",
            description=PUBLISHED_DESCRIPTION,
            deps=[AssetKey([t.schema, t.short_name]) for t in TABLES],
            kinds={"duckdb"},
        ),
    ]

    @multi_asset(name="published_warehouse", specs=specs, check_specs=checks.specs, can_subset=False)
    def build_check_publish(
        context: AssetExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]
    ):
        """Build every table, check it against its suite, publish if no critical expectation failed."""
        seedhouse.refuse_other_warehouse(context.instance)
        run_id = context.run_id
        if STAGING not in context.job_def.asset_layer.selected_asset_keys:
            # a table materialised from the catalog: a whole build all the same, its ingest here
            run_ingest(context, seedhouse, session, *ingest_source(seedhouse), definitions=definitions)
        warehouse = seedhouse.open_warehouse(session)
        built: dict[str, dict] = {}
        outcomes: list[quality.Outcome] = []
        with warehouse.open_build(run_id) as con:
            for table in build_order(expectations_dir):
                built[table.name] = build_table(con, table, expectations_dir)
                session.table_built(con, table.name, expectations_dir)
            for table in TABLES:
                table_outcomes = session.validate(con, table.name, expectations_dir)
                quality.audit.record(con, run_id, table.name, table_outcomes)
                outcomes.extend(table_outcomes)
        try:
            path = session.publish(run_id, allow_shrink=seedhouse.allow_shrink, shrink_threshold=seedhouse.shrink_threshold)
        except (quality.AuditFailedError, ShrinkRefusedError, PublishError) as exc:
            status = f"build {run_id} not published: {left_as_it_was(warehouse.published)}"
            for outcome in outcomes:
                yield checks.result(outcome, status)
            failure = held_back(exc, run_id, warehouse.published, checks, outcomes)
            # on the asset's own page too, beside the metadata of the build that is still published
            yield AssetObservation(
                asset_key=PUBLISHED,
                description=failure.description,
                metadata={"held_back": failure.description, **failure.metadata},
            )
            raise failure from exc

        status = f"published to {path} by run {run_id}"
        for outcome in outcomes:
            yield checks.result(outcome, status)
        with connect(path, read_only=True) as con:
            counts = {t.name: row_count(con, t.name) for t in TABLES}
            info_rows = row_count(con, BUILD_INFO)
        # in dependency order, as Dagster requires of one step's assets
        yield MaterializeResult(asset_key=AssetKey(BUILD_INFO.split(".")), metadata={"dagster/row_count": info_rows})
        for name in built:
            yield MaterializeResult(asset_key=AssetKey(name.split(".")), metadata=built[name])
        failed = [o for o in outcomes if not o.success]
        metadata = {
            "path": MetadataValue.path(str(path)),
            "size_bytes": path.stat().st_size,
            "row_counts": MetadataValue.json(counts),
            "checks_passed": len(outcomes) - len(failed),
            "failed_warnings": MetadataValue.json([f"{o.table}: {checks.name(o)}" for o in failed]),
        }
        kept = warehouse.kept_copy
        if kept is not None:
            context.log.warning(changed_copy_warning(path, kept))
            metadata["kept_changed_copy"] = MetadataValue.path(str(kept))
        yield MaterializeResult(asset_key=PUBLISHED, metadata=metadata)

    return build_check_publish
