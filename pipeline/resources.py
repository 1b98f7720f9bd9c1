"""The one Dagster resource: where seeds come from, where the warehouse goes, and the limits.

Every field has a default, so `dagster dev` and `seedhouse build` run with no configuration; the
launchpad (or `--seeds`/`--warehouse` on the CLI) overrides them per run.
"""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr

import duckdb

from pipeline import quality
from pipeline.catalog import TABLES
from pipeline.ingest import check_seeds_root
from pipeline.parse import Limits
from pipeline.quality import GEProcess, Outcome, take_ge_process
from pipeline.paths import DEFAULT_SEEDS_ROOT, DEFAULT_WAREHOUSE
from pipeline.warehouse import DEFAULT_STORAGE_VERSION, Warehouse, row_count


class ShrinkRefusedError(RuntimeError):
    """A build would publish far fewer articles than the published warehouse holds."""

    def __init__(self, before: int, after: int, threshold: float):
        self.before, self.after = before, after
        super().__init__(
            f"this build loads {after} articles against {before} in the published warehouse, fewer than "
            f"{threshold:.0%} of them: not published (seeds folder unmounted or emptied?). If the seeds "
            "really shrank, build again with --allow-shrink (allow_shrink in the launchpad)"
        )


class SeedhouseResource(ConfigurableResource):
    """Seeds root, warehouse file and input limits for a build."""

    seeds_root: str = Field(default=str(DEFAULT_SEEDS_ROOT), description="Directory of seed files (read recursively).")
    warehouse_path: str = Field(
        default=str(DEFAULT_WAREHOUSE), description="The published DuckDB file analysts open."
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

    _warehouse: Warehouse | None = PrivateAttr(default=None)
    _ge: GEProcess | None = PrivateAttr(default=None)
    _built: set[str] = PrivateAttr(default_factory=set)  # tables built by this run so far
    _validations: dict[str, quality.Validation | None] = PrivateAttr(default_factory=dict)
    _audited: dict[str, list[Outcome]] = PrivateAttr(default_factory=dict)  # checked by this run
    _row_counts: dict[str, int] = PrivateAttr(default_factory=dict)  # rows of each table this run built
    _outcome: str = PrivateAttr(default="")  # "published", "held back" by the gate, or "" (a fault)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._warehouse = Warehouse(self.warehouse_path, self.storage_version, force=self.force)
        self._built, self._validations, self._audited, self._row_counts = set(), {}, {}, {}
        self._outcome = ""
        # Started first in a run (or earlier, by `seedhouse build`), so that Great Expectations is
        # imported while the run does other work. A sensor's tick also sets resources up, and
        # must not start a GE process every 30 seconds.
        if context.dagster_run is not None:
            self._ge = take_ge_process()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._warehouse is not None:
            run = context.dagster_run
            if run is not None and self._outcome == "" and self._warehouse._lock_fd is not None:
                # a fault (a full disk, a crash of a step) leaves nothing worth reading, and its
                # files may be what filled the disk; a build held back by its checks is kept for
                # inspection until the next build
                self._warehouse.remove_build(run.run_id)
            self._warehouse.close_build()
            self._warehouse.release_lock()
        self.stop_ge()

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse(self.warehouse_path, self.storage_version, force=self.force)
        return self._warehouse

    def stop_ge(self) -> None:
        """Stop the GE process (the next use of `ge` starts another); what it had not answered
        is forgotten."""
        if self._ge is not None:
            self._ge.close()
            self._ge = None
        self._validations = {name: None for name in self._validations}

    def table_built(self, con: duckdb.DuckDBPyConnection, table: str, expectations_dir: Path) -> None:
        """Hand GE every suite that can run now that `table` is built: one whose table and whose
        parameters' tables this run has built. A large table waits for its check step instead,
        which validates it a part at a time while nothing else holds memory."""
        self._built.add(table)
        self._row_counts[table] = row_count(con, table)
        for name in (t.name for t in TABLES):
            if name not in self._built or name in self._validations or name in self._audited:
                continue  # not built yet, already handed over, or already checked
            if set(quality.parameter_tables(quality.load_suite(name, expectations_dir))) <= self._built:
                if quality.is_large(con, name):
                    self._validations[name] = None
                else:
                    self._validations[name] = quality.submit(con, quality.plan_for(con, name, expectations_dir), self.ge)

    def validate(self, con: duckdb.DuckDBPyConnection, table: str, expectations_dir: Path) -> list[Outcome]:
        """`table`'s outcomes: GE's answers to what `table_built` handed it, else validated now."""
        handed = self._validations.pop(table, None)
        if handed is not None:
            outcomes = handed.outcomes()
        else:
            outcomes = quality.validate(con, table, expectations_dir, ge=self.ge)
        self._audited[table] = outcomes
        return outcomes

    def audit(self) -> None:
        """The publish gate: raise `AuditFailedError` unless every table this run built has been
        checked by this run and none of its critical expectations failed. Runs execute in-process
        (see `pipeline.definitions`), so every step of a run reports to this one resource."""
        failure = quality.audit_failure(self._built, self._audited)
        if failure is not None:
            self._outcome = "held back"
            raise failure

    def publish(self, run_id: str) -> Path:
        """The audit, the shrink guard, then the verified publish of this run's build file."""
        self.audit()
        self.guard_shrink(run_id)
        path = self.warehouse.publish(run_id, dict(self._row_counts))
        self._outcome = "published"
        return path

    def guard_shrink(self, run_id: str) -> None:
        """Raise `ShrinkRefusedError` when this build would replace a published warehouse with
        one holding none, or fewer than `shrink_threshold` of its articles, unless allowed."""
        published = self.warehouse.published
        if self.allow_shrink or not published.is_file() or "core.articles" not in self._row_counts:
            return
        try:
            with duckdb.connect(str(published), read_only=True) as con:
                before = row_count(con, "core.articles")
        except duckdb.Error:
            return  # an unreadable published file is replaced, not defended
        after = self._row_counts["core.articles"]
        if before > 0 and (after == 0 or after < self.shrink_threshold * before):
            self._outcome = "held back"
            raise ShrinkRefusedError(before, after, self.shrink_threshold)

    @property
    def ge(self) -> GEProcess:
        """The run's Great Expectations process (see `pipeline.quality.GEProcess`)."""
        if self._ge is None:
            self._ge = take_ge_process()
        return self._ge

    @property
    def seeds_path(self) -> Path:
        """The seeds root; a missing or empty one is an error, never an empty warehouse (an
        unmounted share looks exactly like that)."""
        return check_seeds_root(Path(self.seeds_root))

    @property
    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.__dataclass_fields__})
