"""DuckDB I/O and the write-audit-publish file dance.

Every build writes a *new* DuckDB file under `<warehouse dir>/.seedhouse/builds/<run id>.duckdb`;
only when every blocking check has passed is it moved over the published file with one atomic
`os.replace`. Analysts therefore only ever open a complete, checked warehouse, and a reader that
holds the old file open keeps its snapshot until it reconnects.

A build holds an exclusive lock (`.seedhouse/build.lock`) for its whole run: a second build
against the same warehouse fails at once instead of racing, and the operating system releases
the lock when a build dies, so the next build can clean up what a killed one left behind.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.catalog import Table
from pipeline.paths import SQL_DIR

# Files written with DuckDB 2.0's default storage cannot be opened by DuckDB 1.5 and older
# (older CLIs, DBeaver drivers); v1.4.0 storage opens in both. Override with `storage_version`.
DEFAULT_STORAGE_VERSION = "v1.4.0"

_IDENTIFIER_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BuildLockedError(RuntimeError):
    """Another build holds the lock for this warehouse."""


def quote_ident(name: str) -> str:
    """`core.articles` -> `"core"."articles"`: the one way dynamic identifiers enter SQL."""
    parts = name.split(".")
    for part in parts:
        if not _IDENTIFIER_PART.fullmatch(part):
            raise ValueError(f"not a plain SQL identifier: {name!r}")
    return ".".join(f'"{part}"' for part in parts)


def quote_literal(text: str) -> str:
    """A SQL string literal, for the DDL (COMMENT ON) where DuckDB takes no parameters."""
    return "'" + text.replace("'", "''") + "'"


def _setup(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set TimeZone = 'UTC'")
    con.execute((SQL_DIR / "macros.sql").read_text())
    return con


# DuckDB would otherwise cache up to 80% of the machine's memory; a build stays within a bounded
# footprint and spills to disk beyond it (see the peak-memory figures in the README).
MEMORY_LIMIT = os.environ.get("SEEDHOUSE_DUCKDB_MEMORY_LIMIT", "512MB")


# Rows per row group in the files a build writes. DuckDB gives its threads a table's scan, and an
# insert's writing, one row group at a time; at its default (122,880 rows) a table of 100,000 rows
# is one row group, so one thread reads it and one thread writes it. 100,000 seeds: the 24 models
# 5.2 s -> 4.5 s (CPU 6.6 -> 6.3 s), the parsed seeds inserted into staging 0.9-1.6 s -> 0.38 s
# (CPU 1.0-1.7 -> 0.7 s). 16,384 measures the same, 65,536 halfway. DuckDB 1.4 reads the files.
ROW_GROUP_SIZE = 32_768


def attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach the database file `path` (created if missing) as `alias`, for writing, in row groups
    of `ROW_GROUP_SIZE`; a file it creates takes the storage version of `con` (see `connect`)."""
    con.execute(f"attach {quote_literal(str(path))} as {quote_ident(alias)} (row_group_size {ROW_GROUP_SIZE})")


def connect(path: Path, *, read_only: bool = False, storage_version: str = DEFAULT_STORAGE_VERSION):
    """A connection with the UTC time zone and the typing macros of `warehouse/macros.sql`. A
    writable one has the file attached as the database `seedhouse` (see `attach`)."""
    config = {"memory_limit": MEMORY_LIMIT}
    if read_only:
        return _setup(duckdb.connect(str(path), read_only=True, config=config))
    config["storage_compatibility_version"] = storage_version  # of every file this connection attaches
    config["preserve_insertion_order"] = False  # streaming inserts need not hold batches back
    # Text columns compressed with zstd: DuckDB's default (dictionary + FSST) analysis costs
    # more than the rest of a build's table writes together, and gains nothing on text that
    # does not repeat (`secured`, excerpts). 100,000 seeds: core.articles written in 1.4 s
    # instead of 3.4 s, 50 MB instead of 72 MB; DuckDB 1.4 reads the file.
    config["force_compression"] = "zstd"
    con = duckdb.connect(config=config)
    attach(con, path, "seedhouse")
    con.execute("use seedhouse")
    return _setup(con)


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """DuckDB's memory limit lowered to `limit` for a step that only streams (None: unchanged),
    then back to `MEMORY_LIMIT`, what `connect` gave it."""
    if limit is None:
        yield
        return
    con.execute(f"set memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")


def create_schemas(con: duckdb.DuckDBPyConnection, *schemas: str) -> None:
    for schema in schemas:
        con.execute(f"create schema if not exists {quote_ident(schema)}")


def load_arrow(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table | pa.RecordBatchReader) -> int:
    """(Re)create table `name` from Arrow data; a RecordBatchReader is streamed, not held in memory."""
    con.register("_seedhouse_arrow", data)
    try:
        con.execute(f"create or replace table {quote_ident(name)} as select * from _seedhouse_arrow")
    finally:
        con.unregister("_seedhouse_arrow")
    return row_count(con, name)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The one value a query returns. Reads the result to its end: DuckDB 2 refuses new work on a
    connection whose last result was only partly fetched (as `fetchone()` leaves it)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def row_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    return scalar(con, f"select count(*) from {quote_ident(name)}")


def model_sql(table: Table) -> str:
    return (SQL_DIR / table.schema / f"{table.short_name}.sql").read_text()


def referenced_tables(sql: str) -> list[str]:
    """The tables a query reads (`core.x`, `staging.y`, `analytics.z`, `quality.w`), in order."""
    code = re.sub(r"--[^\n]*", "", sql)  # a table named in a comment is not read
    found = re.findall(r"\b(staging|core|analytics|quality)\.([a-z_][a-z0-9_]*)\b", code)
    return list(dict.fromkeys(f"{schema}.{name}" for schema, name in found))


def model_dependencies(table: Table) -> list[str]:
    """The tables a model's SQL reads, itself excluded."""
    return [name for name in referenced_tables(model_sql(table)) if name != table.name]


def build_model(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Create `table` from its SQL file, document it with COMMENT ON, and return its row count.

    A model is one query, optionally preceded by statements that create temporary tables it
    reads (a step too large to hold in memory with the rest); those are dropped afterwards."""
    create_schemas(con, table.schema)
    kind = "view" if table.view else "table"
    *steps, query = [statement.query for statement in con.extract_statements(model_sql(table))]
    temporary = [re.search(r"\btemp(?:orary)? table\s+(\w+)", step, re.IGNORECASE) for step in steps]
    try:
        for step in steps:
            con.execute(step)
        con.execute(f"create or replace {kind} {quote_ident(table.name)} as\n{query}")
    finally:
        for match in temporary:
            if match:
                con.execute(f"drop table if exists {quote_ident(match.group(1))}")
    comment(con, table)
    return row_count(con, table.name)


def comment(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """The catalog's descriptions of `table` and its columns, as COMMENT ON statements in one
    transaction (a commit each would cost twice as much: 240 comments in all)."""
    name = quote_ident(table.name)
    con.execute("begin transaction")
    try:
        con.execute(f"comment on {'view' if table.view else 'table'} {name} is {quote_literal(table.description)}")
        for column, text in table.columns.items():
            con.execute(f"comment on column {name}.{quote_ident(column)} is {quote_literal(text)}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    schema, table = name.split(".", 1)
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


class Warehouse:
    """The published warehouse file and the build files that may replace it."""

    def __init__(self, published: Path | str, storage_version: str = DEFAULT_STORAGE_VERSION):
        self.published = Path(published).resolve()
        self.storage_version = storage_version
        self.state_dir = self.published.parent / ".seedhouse"
        self.builds_dir = self.state_dir / "builds"
        self._lock_fd: int | None = None
        self._build: tuple[str, duckdb.DuckDBPyConnection] | None = None

    def build_path(self, run_id: str) -> Path:
        return self.builds_dir / f"{run_id}.duckdb"

    @property
    def parse_cache(self) -> Path:
        """The staging file of the last published build, reused by the next incremental build."""
        return self.state_dir / "parsed.duckdb"

    def published_run_id(self) -> str | None:
        """The run that built the published file, or None when there is none (or it is unreadable)."""
        if not self.published.exists():
            return None
        try:
            with duckdb.connect(str(self.published), read_only=True) as con:
                return scalar(con, "select run_id from quality.build_info")
        except duckdb.Error:
            return None

    def staging_path(self, run_id: str) -> Path:
        """Raw parsed seeds live in a file of their own, attached as `staging`, so the published
        warehouse carries only the tables analysts use."""
        return self.builds_dir / f"{run_id}.staging.duckdb"


    # -- locking -------------------------------------------------------------------------------
    def acquire_lock(self, run_id: str) -> None:
        """Take the build lock or fail at once; then remove what dead builds left behind.
        Idempotent: every writing step of a run calls it."""
        if self._lock_fd is not None:
            return
        self.builds_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildLockedError(
                f"another seedhouse build is running against {self.published} "
                f"(lock {self.state_dir / 'build.lock'}); wait for it to finish"
            ) from None
        self._lock_fd = fd
        self.remove_stale_builds(keep_run_id=run_id)

    def release_lock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def remove_stale_builds(self, keep_run_id: str) -> list[Path]:
        """Delete build files of other runs (called with the lock held: none of them is running)."""
        removed = []
        for path in sorted(self.builds_dir.glob("*.duckdb*")):
            if not path.name.startswith(keep_run_id + "."):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    # -- build files ---------------------------------------------------------------------------
    # One connection to the build file serves every step of a run (steps run in-process, one at a
    # time): opening a DuckDB file and loading the macros costs ~40 ms, a step's SQL often less.

    @contextmanager
    def new_build(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection to a fresh, empty build file for this run."""
        self.acquire_lock(run_id)
        self.close_build()
        path, staging = self.build_path(run_id), self.staging_path(run_id)
        for leftover in (path, staging):
            leftover.unlink(missing_ok=True)
            leftover.with_name(leftover.name + ".wal").unlink(missing_ok=True)
        con = connect(path, storage_version=self.storage_version)
        self._build = (run_id, con)
        attach(con, staging, "staging")
        create_schemas(con, "core", "analytics", "quality")
        yield con

    @contextmanager
    def open_build(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection to this run's build file; a run that did not ingest (e.g. a refresh of
        the marts only) starts from a copy of the published warehouse."""
        self.acquire_lock(run_id)
        if self._build is not None and self._build[0] == run_id:
            yield self._build[1]
            return
        self.close_build()
        path = self.build_path(run_id)
        if not path.exists():
            if not self.published.exists():
                raise FileNotFoundError(
                    f"no build in progress for run {run_id} and no published warehouse at "
                    f"{self.published}: run a full build first (seedhouse build)"
                )
            shutil.copyfile(self.published, path)
        con = connect(path, storage_version=self.storage_version)
        self._build = (run_id, con)
        if self.staging_path(run_id).exists():
            attach(con, self.staging_path(run_id), "staging")
        yield con

    def close_build(self) -> None:
        """Close the run's connection: DuckDB checkpoints its WAL into the file."""
        if self._build is not None:
            self._build[1].close()
            self._build = None

    def publish(self, run_id: str) -> Path:
        """Atomically replace the published warehouse with this run's build file."""
        self.acquire_lock(run_id)
        self.close_build()
        path = self.build_path(run_id)
        if not path.exists():
            raise FileNotFoundError(f"nothing to publish: {path} does not exist")
        wal = path.with_name(path.name + ".wal")
        if wal.exists():  # a connection was not closed cleanly: fold the WAL in first
            connect(path, storage_version=self.storage_version).close()
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        self.published.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.published)
        staging = self.staging_path(run_id)
        if staging.exists():  # this build's parse becomes the cache of the next one
            os.replace(staging, self.parse_cache)
        dir_fd = os.open(self.published.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return self.published
