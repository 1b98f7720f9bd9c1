"""One run's state: what its steps share, and what its caller hands it.

Dagster's resource (`pipeline.resources.SeedhouseResource`) is configuration only. Everything a
run learns as it goes (the build file it writes, the tables it built and their row counts, the
suites handed to Great Expectations) and everything a caller gives it (a progress reporter, the
manifest of seed files it already read, a Great Expectations process started early) lives in
one `BuildSession`, passed into the run as the `session` resource: `seedhouse build` makes one
and hands it to `execute_in_process`, a run started from the UI gets a fresh one. Runs execute
in-process (see `pipeline.definitions`), so every step of a run sees the same session.

The publish gate itself is a query over `quality.check_results` in the build file
(`pipeline.quality.audit`), not over this object: the session only says which tables this run
built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from pipeline import quality
from pipeline.warehouse import Warehouse, row_count


class Reporter(Protocol):
    """Progress of the parse, for whoever is watching (the CLI's progress bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


class ShrinkRefusedError(RuntimeError):
    """A build would publish far fewer articles than the published warehouse holds."""

    def __init__(self, before: int, after: int, threshold: float):
        self.before, self.after = before, after
        super().__init__(
            f"this build loads {after} articles against {before} in the published warehouse, fewer than "
            f"{threshold:.0%} of them: not published (seeds folder unmounted or emptied?). If the seeds "
            "really shrank, build again with --allow-shrink (allow_shrink in the launchpad)"
        )


class BuildSession:
    """The state of one run, shared by its steps."""

    def __init__(
        self,
        *,
        reporter: Reporter | None = None,
        manifest: tuple[Path, pa.Table] | None = None,
        ge: quality.GEProcess | None = None,
        keep_ge: bool = False,
    ):
        self.reporter = reporter
        self._manifest = manifest  # (seeds root, discover(root)) read by the caller, taken once
        self._ge = ge
        # a process the caller keeps for its next runs (seedhouse watch): used, never closed here
        self._kept_ge = ge if keep_ge else None
        self.warehouse: Warehouse | None = None
        self.built: dict[str, int] = {}  # table -> rows, for every table this run built
        self._validations: dict[str, quality.Validation | None] = {}  # handed to GE, answers pending
        self._checked: set[str] = set()
        self.outcome = ""  # "published", "held back" (by the gate or a guard), or "" (a fault)

    # -- hand-overs from the caller ------------------------------------------------------------------
    def take_manifest(self, seeds_root: Path) -> pa.Table | None:
        """The manifest the caller read of `seeds_root`, once (None for another root)."""
        handed, self._manifest = self._manifest, None
        return handed[1] if handed is not None and handed[0] == seeds_root else None

    def open_warehouse(self, path: Path | str, storage_version: str, *, force: bool) -> Warehouse:
        if self.warehouse is None:
            self.warehouse = Warehouse(path, storage_version, force=force)
        return self.warehouse

    @property
    def ge(self) -> quality.GEProcess:
        """The run's Great Expectations process, started on first use if the caller gave none."""
        if self._ge is None:
            self._ge = quality.new_ge_process()
        return self._ge

    def stop_ge(self) -> None:
        """Stop the GE process (the next use of `ge` starts another); what it had not answered
        is forgotten and validated again in the check step."""
        if self._ge is not None and self._ge is not self._kept_ge:
            self._ge.close()
        self._ge = None
        self._validations = {name: None for name in self._validations}

    # -- tables and checks -----------------------------------------------------------------------------
    def table_built(self, con: duckdb.DuckDBPyConnection, table: str, expectations_dir: Path) -> None:
        """Record `table` as built, and hand GE every suite that can run now: one whose table and
        whose parameters' tables this run has built. A large table waits for its check step
        instead, which validates it a part at a time while nothing else holds memory."""
        from pipeline.catalog import TABLES

        self.built[table] = row_count(con, table)
        for name in (t.name for t in TABLES):
            if name not in self.built or name in self._validations or name in self._checked:
                continue  # not built yet, already handed over, or already checked
            if set(quality.parameter_tables(quality.load_suite(name, expectations_dir))) <= self.built.keys():
                if quality.is_large(con, name):
                    self._validations[name] = None
                else:
                    self._validations[name] = quality.submit(con, quality.plan_for(con, name, expectations_dir), self.ge)

    def validate(self, con: duckdb.DuckDBPyConnection, table: str, expectations_dir: Path) -> list[quality.Outcome]:
        """`table`'s outcomes: GE's answers to what `table_built` handed it, else validated now."""
        handed = self._validations.pop(table, None)
        outcomes = handed.outcomes() if handed is not None else quality.validate(con, table, expectations_dir, ge=self.ge)
        self._checked.add(table)
        return outcomes

    # -- the gate and the publish ----------------------------------------------------------------------
    def publish(self, run_id: str, *, allow_shrink: bool, shrink_threshold: float) -> Path:
        """The gate (a query over this build's check results), the shrink guard, then the
        verified publish of this run's build file."""
        warehouse = self.warehouse
        with warehouse.open_build(run_id) as con:
            failed, unchecked = quality.audit.gate(con, run_id, self.built)
        if failed or unchecked:
            self.outcome = "held back"
            raise quality.AuditFailedError(failed, unchecked)
        if not allow_shrink:
            self._guard_shrink(shrink_threshold)
        path = warehouse.publish(run_id, dict(self.built))
        self.outcome = "published"
        return path

    def _guard_shrink(self, threshold: float) -> None:
        """Raise `ShrinkRefusedError` when this build would replace a published warehouse with
        one holding no articles, or fewer than `threshold` of its articles."""
        published = self.warehouse.published
        if not published.is_file() or "core.articles" not in self.built:
            return
        try:
            with duckdb.connect(str(published), read_only=True) as con:
                before = row_count(con, "core.articles")
        except duckdb.Error:
            return  # an unreadable published file is replaced, not defended
        after = self.built["core.articles"]
        if before > 0 and (after == 0 or after < threshold * before):
            self.outcome = "held back"
            raise ShrinkRefusedError(before, after, threshold)

    def finish(self, run_id: str | None) -> None:
        """End the run: a build that failed on a fault (a full disk, a crashed step) leaves
        nothing worth reading, and its files may be what filled the disk, so they go; a build
        held back by its checks or a guard is kept for inspection until the next build."""
        if self.warehouse is not None:
            if run_id is not None and self.outcome == "" and self.warehouse.holds_lock:
                self.warehouse.remove_build(run_id)
            self.warehouse.close_build()
            self.warehouse.release_lock()
        self.stop_ge()
