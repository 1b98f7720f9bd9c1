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
from pipeline.parse import Limits
from pipeline.quality import GEProcess, Outcome, take_ge_process
from pipeline.paths import DEFAULT_SEEDS_ROOT, DEFAULT_WAREHOUSE
from pipeline.warehouse import DEFAULT_STORAGE_VERSION, Warehouse


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
    full_refresh: bool = Field(
        default=False,
        description="Parse every file again instead of reusing the last published build's parse.",
    )

    _warehouse: Warehouse | None = PrivateAttr(default=None)
    _ge: GEProcess | None = PrivateAttr(default=None)
    _built: set[str] = PrivateAttr(default_factory=set)  # tables built by this run so far
    _validations: dict[str, quality.Validation | None] = PrivateAttr(default_factory=dict)
    _audited: dict[str, list[Outcome]] = PrivateAttr(default_factory=dict)  # checked by this run

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._warehouse = Warehouse(self.warehouse_path, self.storage_version)
        self._built, self._validations, self._audited = set(), {}, {}
        # started first (or earlier, by `seedhouse build`), so that Great Expectations is imported
        # while the run does other work
        self._ge = take_ge_process()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._warehouse is not None:
            self._warehouse.close_build()
            self._warehouse.release_lock()
        self.stop_ge()

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse(self.warehouse_path, self.storage_version)
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
        failed = [o for table in sorted(self._built) for o in self._audited.get(table, []) if o.blocks]
        unchecked = sorted(self._built - self._audited.keys())
        if failed or unchecked:
            raise quality.AuditFailedError(failed, unchecked)

    @property
    def ge(self) -> GEProcess:
        """The run's Great Expectations process (see `pipeline.quality.GEProcess`)."""
        if self._ge is None:
            self._ge = take_ge_process()
        return self._ge

    @property
    def seeds_path(self) -> Path:
        path = Path(self.seeds_root).resolve()
        if not path.is_dir():
            raise FileNotFoundError(f"the seeds root {path} does not exist or is not a directory")
        return path

    @property
    def limits(self) -> Limits:
        return Limits(**{name: getattr(self, name) for name in Limits.__dataclass_fields__})
