"""Ingest: seed files -> staging (raw parsed rows, URL and domain lookups) and the build's record.

One step writes every table the models read from staging, so one `multi_asset` declares them all:
the graph shows which of them each core table reads. (It also writes `quality.build_info`, which
is published with the tables and so is materialised by the publish step.)

A run whose seeds, parser and definitions are exactly those of the published warehouse stops
here: the step reports that nothing changed and materialises nothing, so every later step is
skipped and the run succeeds without building (as `seedhouse build` does without starting a run).
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    multi_asset,
)

from pipeline.ingest import definitions_fingerprint, ingest, is_current
from pipeline.memory import give_back_memory
from pipeline.resources import SeedhouseResource
from pipeline.session import BuildSession
from pipeline.warehouse import row_count


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

PARSED_SEEDS = "staging.parsed_seeds"
BUILD_INFO = "quality.build_info"
PUBLISHED = AssetKey(["published_warehouse"])

# Every table the ingest writes that a model reads, each an asset of the ingest step: what it
# holds, which of the others it is made from, and its kinds. (The ingest also writes
# staging.cache_info, which only the next build's ingest reads.)
OUTPUTS: dict[str, tuple[str, tuple[str, ...], set[str]]] = {
    PARSED_SEEDS: (
        "Every file under the seeds root, read and parsed into one raw row each. Files that cannot "
        "be parsed keep their row here with the reason (`error_kind`); nothing is dropped. Raw "
        "values stay as written; typing happens in the `core` tables. Files unchanged since the "
        "last published build are not read again (unless `full_refresh` is set).",
        (),
        {"python", "duckdb"},
    ),
    "staging.url_map": (
        "Every distinct URL of the seeds (articles' and related items') with its canonical form and "
        "host: simple URLs canonicalised in SQL (warehouse/staging/url_map.sql), the others in "
        "Python with url-normalize. Forms still in use are kept from the last published build.",
        (PARSED_SEEDS,),
        {"python", "duckdb"},
    ),
    "staging.declared_domains": (
        "Every provider domain the seeds declare, as written, with its provider key "
        "(warehouse/staging/declared_domains.sql).",
        (PARSED_SEEDS,),
        {"duckdb", "sql"},
    ),
    "staging.domain_map": (
        "Every provider key, declared or taken from a URL's host, with its registered domain under "
        "the public suffix list (warehouse/staging/domain_map.sql, then tldextract in Python).",
        ("staging.declared_domains", "staging.url_map"),
        {"python", "duckdb"},
    ),
    "staging.previous_history": (
        "The article history of the published warehouse (its core.article_history), which this build "
        "carries on; empty for a first build.",
        (),
        {"python", "duckdb"},
    ),
    BUILD_INFO: (
        "The build that produced the warehouse, one row: run id, start time, seeds root, files "
        "found, parsed and reused (warehouse/quality/build_info.sql). Published with the tables.",
        (),
        {"duckdb", "sql"},
    ),
}


def _key(name: str) -> AssetKey:
    return AssetKey(name.split("."))


def ingest_spec(name: str) -> AssetSpec:
    description, made_from, kinds = OUTPUTS[name]
    # staging is a file of its own, attached as `staging`; quality.build_info is published
    table_name = name if name.startswith("staging.") else f"seedhouse.{name}"
    return AssetSpec(
        _key(name),
        description=description,
        deps=[_key(source) for source in made_from],
        group_name="ingest",
        kinds=kinds,
        metadata={"dagster/table_name": table_name},
        # not materialised by a run that finds nothing changed: the steps after it are skipped
        skippable=True,
    )


def refuse_partial_run(context: AssetExecutionContext) -> None:
    """Staging is only ever the first step of a whole build: a run that would not publish what it
    builds (staging alone, from the asset catalog) would leave build files nobody publishes."""
    if PUBLISHED not in context.job_def.asset_layer.selected_asset_keys:
        raise Failure(
            description="staging is built only as the first step of a whole build, which publishes the "
            "warehouse: materialize published_warehouse (or run the build_warehouse job) instead"
        )


def nothing_changed(seedhouse: SeedhouseResource, root: Path, definitions: str) -> str | None:
    """The published build's run id when a build of `root` would change nothing (the check
    `seedhouse build` makes before starting a run), else None."""
    if seedhouse.full_refresh or not seedhouse.skip_unchanged:
        return None
    from pipeline.warehouse import Warehouse

    warehouse = Warehouse(seedhouse.warehouse_path, force=seedhouse.force)
    warehouse.check_no_writer()
    published_run_id = warehouse.published_run_id()
    current = published_run_id is not None and is_current(
        root, warehouse.parse_cache, published_run_id, limits=seedhouse.limits, definitions=definitions,
        verify=seedhouse.verify,
    )
    return published_run_id if current else None


def ingest_source(seedhouse: SeedhouseResource):
    """(seeds root, committed staging snapshot or None) of a build: the snapshot of `from_staging`
    when it is set (the sharded parse read the seeds), else the seeds root as a local folder."""
    if seedhouse.from_staging:
        from pipeline.shards import read_snapshot

        snapshot = read_snapshot(seedhouse.from_staging)
        return Path(snapshot.seeds), snapshot
    return seedhouse.seeds_path, None


def run_ingest(context, seedhouse: SeedhouseResource, session: BuildSession, root: Path, snapshot=None, *, definitions: str):
    """Parse `root` into the run's new build file: the ingest step's work, also done by the publish
    step of a run that did not select the ingest (a table materialised from the catalog).
    Returns the ingest's summary and the row counts of what it wrote."""
    reporter = session.reporter or _LogProgress(context)
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
            history_from=Path(seedhouse.history_from) if seedhouse.history_from else warehouse.published,
            observed_at=seedhouse.observed_at,
            snapshot=snapshot,
        )
        rows = {name: row_count(con, name) for name in OUTPUTS if name not in (PARSED_SEEDS, BUILD_INFO)}
    for warning in summary.warnings:
        context.log.warning(warning)
    if summary.files_parsed >= GE_PAUSE_FILES:
        give_back_memory()  # what the parse freed, before the tables are built
    session.ge  # noqa: B018 - (re)started now, to be warm by the first check
    return summary, rows


def ingest_assets(expectations_dir: Path) -> AssetsDefinition:
    definitions = definitions_fingerprint(expectations_dir)

    # the step keeps the name it had as the single asset staging/parsed_seeds: run logs, error
    # messages ("staging__parsed_seeds: ...") and bench/steps.py name it so
    @multi_asset(name="staging__parsed_seeds", specs=[ingest_spec(name) for name in OUTPUTS if name != BUILD_INFO])
    def ingest_step(context: AssetExecutionContext, seedhouse: SeedhouseResource, session: ResourceParam[BuildSession]):
        """Read and parse the seed files into staging, then build the URL and domain lookups and
        the build's record from them.

        This is a build's first step: it creates the run's new DuckDB file."""
        seedhouse.refuse_other_warehouse(context.instance)
        refuse_partial_run(context)
        root, snapshot = ingest_source(seedhouse)
        if snapshot is not None:  # the sharded parse read the seeds: a whole build from its snapshot
            published_run_id = None
            context.log.info(f"building from snapshot {snapshot.pointer['number']} of {seedhouse.from_staging}")
        else:
            published_run_id = nothing_changed(seedhouse, root, definitions)
        if published_run_id is not None:
            context.log.info(
                f"nothing changed since the last build: {Path(seedhouse.warehouse_path).resolve()} is current "
                f"(published by run {published_run_id}); nothing was built"
            )
            return
        summary, rows = run_ingest(context, seedhouse, session, root, snapshot, definitions=definitions)
        warehouse = session.warehouse
        yield MaterializeResult(
            asset_key=_key(PARSED_SEEDS),
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
                "build_file": MetadataValue.path(str(warehouse.staging_path(context.run_id))),
            },
        )
        for name, count in rows.items():
            yield MaterializeResult(asset_key=_key(name), metadata={"dagster/row_count": count})

    return ingest_step
