"""Data-quality checks: every expectation of every table's suite, as a Dagster asset check.

One `multi_asset_check` per table validates its whole suite once with Great Expectations and
reports each expectation as its own check, so the UI shows which expectation failed, how many
rows broke it and a sample of them.

Every outcome is also written to `quality.check_results` in the build file, and `critical`
expectations gate publishing: `published_warehouse` refuses to replace the analysts' file when
that table holds a failed one of this run (`pipeline.quality.audit.gate`). They are not Dagster-`blocking`
checks: a blocking check makes every downstream table wait for it, which would keep the build
from handing each table to Great Expectations' process as soon as it is built and going on with
the next one on the other core. Every table of a run is built and checked, so one failed run
shows every problem at once; only the publish step is held back.
"""


from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    ResourceParam,
    multi_asset_check,
)

from pipeline import quality
from pipeline.catalog import TABLES, Table
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession

GATES = ", gates publishing"


def _spec(table: Table, name: str, expectation: dict, reads: list[AssetKey]) -> AssetCheckSpec:
    severity = expectation.get("severity", quality.CRITICAL)
    return AssetCheckSpec(
        name=name,
        asset=AssetKey([table.schema, table.short_name]),
        additional_deps=reads,
        description=f"[{severity}{GATES if severity == quality.CRITICAL else ''}] "
        f"{quality.expects(expectation, quality.load_suite(table.name))}: {quality.meaning(expectation)}",
        metadata={
            "severity": severity,
            "expectation_type": expectation["type"],
            "gates_publish": severity == quality.CRITICAL,
        },
    )


def result(outcome: quality.Outcome, asset_key: AssetKey) -> AssetCheckResult:
    metadata = {
        "expectation_type": outcome.expectation_type,
        "severity": outcome.severity,
        "expects": outcome.expects,
        "meaning": outcome.meaning,
        "unexpected_count": outcome.unexpected_count if outcome.unexpected_count is not None else -1,
        "sample": MetadataValue.json(outcome.sample),
    }
    if outcome.observed_value is not None:
        metadata["observed_value"] = str(outcome.observed_value)
    if outcome.error:
        metadata["error"] = outcome.error
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=outcome.check_name,
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR if outcome.severity == quality.CRITICAL else AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def table_checks(table: Table, expectations_dir: Path) -> AssetChecksDefinition:
    suite = quality.load_suite(table.name, expectations_dir)
    asset_key = AssetKey([table.schema, table.short_name])
    # a check that compares against other tables (foreign keys, row counts) runs after them
    reads = [AssetKey(name.split(".")) for name in quality.parameter_tables(suite) if name != table.name]
    specs = [_spec(table, name, expectation, reads) for name, expectation in quality.expectations(suite)]

    @multi_asset_check(
        specs=specs,
        name=f"{table.schema}_{table.short_name}_expectations",
        description=f"Great Expectations suite expectations/{table.name}.json",
    )
    def _checks(
        context: AssetCheckExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]
    ) -> Iterator[AssetCheckResult]:
        with seedhouse.open_warehouse(session).open_build(context.run.run_id) as con:
            outcomes = session.validate(con, table.name, expectations_dir)
            quality.audit.record(con, context.run.run_id, table.name, outcomes)
        for outcome in outcomes:
            yield result(outcome, asset_key)

    return _checks


def quality_checks(expectations_dir: Path) -> list[AssetChecksDefinition]:
    """Checks for every table, from the suites in `expectations_dir`."""
    return [table_checks(table, expectations_dir) for table in TABLES]
