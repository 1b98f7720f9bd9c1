"""Ingest: seed files -> staging (raw parsed rows, URL and domain lookups)."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, ResourceParam, asset

from assets.tables import PARSED_SEEDS_KEY
from pipeline.ingest import definitions_fingerprint, ingest
from pipeline.memory import give_back_memory
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession


class _LogProgress:
    """Progress for the Dagster UI's run log: a line every 10% of the files."""

    def __init__(self, context: AssetExecutionContext):
        self.context, self.total, self.done, self.next_report = context, 0, 0, 0

    def start(self, total: int) -> None:
        self.total = total
        self.context.log.info(f"parsing {total} new or changed seed files")

    def advance(self, done: int) -> None:
        self.done += done
        if self.done >= self.next_report:
            self.context.log.info(f"parsed {self.done} of {self.total} files")
            self.next_report = self.done + max(1, self.total // 10)


# A parse of this many files needs the memory more than the GE process needs to be warm: the
# process (about 265 MB once GE is imported) is stopped while it runs and started again after.
GE_PAUSE_FILES = 200_000


def parsed_seeds_asset(expectations_dir: Path) -> AssetsDefinition:
    definitions = definitions_fingerprint(expectations_dir)

    @asset(
        key=PARSED_SEEDS_KEY,
        group_name="ingest",
        kinds={"python", "duckdb"},
        metadata={"dagster/table_name": "staging.parsed_seeds"},
    )
    def parsed_seeds(
        context: AssetExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]
    ) -> MaterializeResult:
        """Every file under the seeds root, read and parsed into one raw row each.

        This is a build's first step: it creates the run's new DuckDB file. Files that cannot be
        parsed keep their row here with the reason (`error_kind`); nothing is dropped. Raw values
        stay as written; typing happens in the `core` tables. Files unchanged since the last
        published build are not read again (unless `full_refresh` is set).
        """
        reporter = session.reporter or _LogProgress(context)
        root = seedhouse.seeds_path
        warehouse = seedhouse.open_warehouse(session)

        def start(total: int) -> None:
            reporter.start(total)
            if total >= GE_PAUSE_FILES:
                session.stop_ge()

        with warehouse.new_build(context.run_id) as con:
            summary = ingest(
                con,
                root,
                run_id=context.run_id,
                limits=seedhouse.limits,
                cache_path=None if seedhouse.full_refresh else warehouse.parse_cache,
                definitions=definitions,
                on_start=start,
                on_progress=reporter.advance,
                verify=seedhouse.verify,
                manifest=session.take_manifest(root),
            )
        for warning in summary.warnings:
            context.log.warning(warning)
        if summary.files_parsed >= GE_PAUSE_FILES:
            give_back_memory()  # what the parse freed, before the tables are built
        session.ge  # noqa: B018 - (re)started now, to be warm by the first check
        return MaterializeResult(
            metadata={
                "dagster/row_count": summary.files_found,
                "seeds_root": MetadataValue.path(str(root)),
                "files_found": summary.files_found,
                "files_parsed": summary.files_parsed,
                "files_reused": summary.files_reused,
                "files_dropped": summary.files_dropped,
                "parse_errors": MetadataValue.json(summary.parse_errors),
                "distinct_urls": summary.distinct_urls,
                "distinct_providers": summary.distinct_providers,
                "warnings": MetadataValue.json(list(summary.warnings)),
            }
        )

    return parsed_seeds
