"""The Dagster resources: `SeedhouseResource`, configuration only (where seeds come from, where
the warehouse goes, the limits and guards), and `build_session`, one run's state.

Every field has a default, so `dagster dev` and `seedhouse build` run with no configuration; the
launchpad (or `--seeds`/`--warehouse` on the CLI) overrides them per run.

The code location shows one warehouse: `SEEDHOUSE_WAREHOUSE` (default `warehouse/seedhouse.duckdb`),
built from `SEEDHOUSE_SEEDS` (default `seeds/`), as read when it is loaded. A run recorded in a
persistent Dagster instance that targets another warehouse is refused: its tables and checks
would be shown as this warehouse's history.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from dagster import ConfigurableResource, Failure, InitResourceContext, resource
from pydantic import Field

from pipeline import quality
from pipeline.ingest import check_seeds_root
from pipeline.parse import Limits
from pipeline.session import BuildSession
from pipeline.warehouse import DEFAULT_STORAGE_VERSION, Warehouse

WAREHOUSE_ENV = "SEEDHOUSE_WAREHOUSE"
SEEDS_ENV = "SEEDHOUSE_SEEDS"
STAGING_ENV = "SEEDHOUSE_STAGING"


def _location_default(name: str) -> Path:
    # the project `dagster dev` runs in (seedhouse.toml here or above, or SEEDHOUSE_PROJECT), else
    # the folder itself, laid out as a project would be
    from pipeline import project as projects

    project = projects.current()
    if project is not None:
        return getattr(project, name)
    return Path.cwd() / ("seeds" if name == "seeds" else "warehouse/seedhouse.duckdb")


def location_warehouse() -> Path:
    """The warehouse the code location shows: `SEEDHOUSE_WAREHOUSE`, else the project's own."""
    return Path(os.environ.get(WAREHOUSE_ENV) or _location_default("warehouse")).resolve()


def location_seeds() -> Path | str:
    """The seeds root the code location builds from by default: `SEEDHOUSE_SEEDS` (a folder, or a
    URL kept as written), else the project's."""
    from pipeline.storage import is_url

    given = os.environ.get(SEEDS_ENV)
    if given and is_url(given):
        return given
    return Path(given or _location_default("seeds")).resolve()


def location_staging() -> str:
    """The staging location the sharded parse writes by default: `SEEDHOUSE_STAGING`, else empty
    (the warehouse's state folder: `.seedhouse/<file name>/shards` beside it)."""
    return os.environ.get(STAGING_ENV, "")


def parse_as_of(text: str) -> datetime | None:
    """An `as_of` setting (or `--as-of`) as a time, UTC when it names no offset; None when empty.
    Anything else than ISO 8601 is a ValueError saying so."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time (e.g. 2024-05-01T12:00:00Z)") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class SeedhouseResource(ConfigurableResource):
    """Seeds root, warehouse file and input limits for a build."""

    seeds_root: str = Field(
        default=str(location_seeds()),
        description="Directory of seed files (read recursively), or a URL: s3://bucket/prefix or any fsspec URL "
        "(S3 endpoint and credentials from the standard AWS environment, AWS_ENDPOINT_URL, AWS_PROFILE, …).",
    )
    warehouse_path: str = Field(
        default=str(location_warehouse()),
        description="The published DuckDB file analysts open. The UI shows one warehouse (SEEDHOUSE_WAREHOUSE when "
        "it was started): a run for another one is refused, build that with `seedhouse build --warehouse`.",
    )
    storage_version: str = Field(
        default=DEFAULT_STORAGE_VERSION,
        description="DuckDB storage version of the published file; v1.4.0 opens in DuckDB 1.4 and later.",
    )
    max_file_bytes: int = Field(default=Limits.max_file_bytes, description="Larger seed files are quarantined.")
    max_value_chars: int = Field(default=Limits.max_value_chars, description="Longest value a front matter may hold.")
    max_list_items: int = Field(default=Limits.max_list_items, description="Most items in topics, images or related.")
    max_depth: int = Field(default=Limits.max_depth, description="Deepest nesting a front matter may have.")
    max_values: int = Field(
        default=Limits.max_values, description="Most values a front matter may expand to (YAML aliases count each use)."
    )
    max_topics: int = Field(
        default=Limits.max_topics, description="Most topics one seed may list (each is a series of the topic marts)."
    )
    max_related: int = Field(default=Limits.max_related, description="Most related items one seed may list.")
    full_refresh: bool = Field(
        default=False,
        description="Parse every file again instead of reusing the last published build's parse.",
    )
    verify: bool = Field(
        default=False,
        description="Hash every seed file and re-parse those whose content changed although their size and "
        "modification time did not (a copy that keeps times, a clock set back).",
    )
    allow_shrink: bool = Field(
        default=False,
        description="Publish even when this build loads far fewer articles than the published warehouse holds "
        "(see shrink_threshold): for seeds that really were removed.",
    )
    shrink_threshold: float = Field(
        default=0.5,
        description="A build that loads fewer than this share of the published warehouse's articles (or none) "
        "is not published unless allow_shrink is set.",
    )
    force: bool = Field(
        default=False,
        description="Replace a file at warehouse_path that is not a seedhouse warehouse.",
    )
    as_of: str = Field(
        default="",
        description="When the seeds were observed (an ISO 8601 time): the time core.article_history dates this "
        "build's versions at. Empty: the build's start. Replays of past snapshots (a git history) give each one's time.",
    )

    skip_unchanged: bool = Field(
        default=True,
        description="Build nothing when the published warehouse was built from exactly these seeds with this "
        "parser, SQL and suites (the run then succeeds at once).",
    )

    def refuse_other_warehouse(self, instance) -> None:
        """Raise a `Failure` when a run recorded in a persistent instance (the UI's) targets a
        warehouse other than the one the code location shows; `seedhouse build --warehouse`
        records such a build in a throwaway instance instead."""
        target = Path(self.warehouse_path).resolve()
        if instance.is_ephemeral or target == location_warehouse():
            return
        raise Failure(
            description=f"this code location shows the warehouse {location_warehouse()}; a build of {target} "
            "would be recorded as its history. Build it with `seedhouse build --warehouse "
            f"{target}`, or start a UI of its own: {WAREHOUSE_ENV}={target} dagster dev",
            metadata={"shown_warehouse": str(location_warehouse()), "requested_warehouse": str(target)},
        )

    def open_warehouse(self, session: BuildSession) -> Warehouse:
        """This run's warehouse, opened once per run in its session."""
        return session.open_warehouse(self.warehouse_path, self.storage_version, force=self.force)

    staging: str = Field(
        default=location_staging(),
        description="Where the sharded parse (staging/parsed_shard) writes its Parquet versions and commits: a "
        "folder or a URL (s3://bucket/staging). Empty: .seedhouse/<file name>/shards beside the warehouse. Default: SEEDHOUSE_STAGING.",
    )
    from_staging: str = Field(
        default="",
        description="Build the warehouse from the committed snapshot of this staging location (a folder or URL) "
        "instead of parsing seeds_root: the last step of a sharded parse.",
    )

    @property
    def seeds_path(self) -> Path:
        """The seeds root as a local folder (a URL's objects are synced into a mirror in the
        warehouse's state folder first); a missing or empty one is an error, never an empty
        warehouse (an unmounted share, or a wrong prefix, looks exactly like that)."""
        from pipeline import storage

        if storage.is_url(self.seeds_root):
            return storage.seeds_folder(self.seeds_root, Warehouse(self.warehouse_path).state_dir)
        return check_seeds_root(storage.local_path(self.seeds_root))

    @property
    def staging_location(self) -> str:
        """`staging`, or the folder `shards` in the warehouse's state folder (not `staging/` beside
        it: in a checkout that is the folder of the staging SQL)."""
        return self.staging or str(Warehouse(self.warehouse_path).state_dir / "shards")

    history_from: str = Field(
        default="",
        description="A DuckDB file whose core.article_history this build carries on instead of the published "
        "warehouse's (seedhouse replay gives the history it rebuilt from a repository's commits).",
    )

    @property
    def observed_at(self) -> datetime | None:
        """`as_of` as a time; None when not given (see `parse_as_of`)."""
        return parse_as_of(self.as_of)

    @property
    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.__dataclass_fields__})


@resource(description="The state of one run (see pipeline.session): made fresh for each run.")
def build_session(init_context: InitResourceContext):
    # a run started from the UI starts Great Expectations first, so that it is imported while the
    # run does other work (`seedhouse build` hands over a session whose process it started earlier)
    session = BuildSession(ge=quality.new_ge_process())
    try:
        yield session
    finally:
        run = init_context.dagster_run
        session.finish(run.run_id if run is not None else None)
