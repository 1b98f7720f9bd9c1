"""DuckDB I/O and the write-audit-publish file dance.

Every build writes a *new* DuckDB file under `<warehouse dir>/.seedhouse/<warehouse file
name>/builds/<run id>.duckdb`; only when every blocking check has passed, and the build file has
been checkpointed, synced, reopened and counted table by table against what was checked, is it
moved over the published file with one atomic `os.replace`. Analysts therefore only ever open a
complete, checked warehouse, and a reader that holds the old file open keeps its snapshot until it
reconnects. A write that fails on the way (a full disk) stops the publish with its cause, and the
published file stays as it was.

A build holds an exclusive lock (`build.lock` in the same state folder) for its whole run: a
second build against the same warehouse fails at once instead of racing, and the operating system
releases the lock when a build dies, so the next build can clean up what a killed one left
behind. A build also refuses to start while another program has the published file open for
writing (DuckDB's own file lock) or has left a write-ahead log beside it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.catalog import STEP_TABLES, Table
from pipeline.keys import Keys, table_keys
from pipeline.paths import EXPECTATIONS_DIR, SQL_DIR, model_path

# Files written with DuckDB 2.0's default storage cannot be opened by DuckDB 1.5 and older
# (older CLIs, DBeaver drivers); v1.4.0 storage opens in both. Override with `storage_version`.
DEFAULT_STORAGE_VERSION = "v1.4.0"

_IDENTIFIER_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BuildLockedError(RuntimeError):
    """Another build holds the lock for this warehouse."""


class WarehouseBusyError(RuntimeError):
    """Another program holds the published file for writing, or left unsaved changes beside it."""


class NotAWarehouseError(RuntimeError):
    """The published path holds a file that seedhouse did not write (and `--force` was not given)."""


class PublishError(RuntimeError):
    """The build file could not be made safe to publish; the published file was left as it was."""


class TableBuildError(RuntimeError):
    """DuckDB failed to build a table: the message names the table, then DuckDB's first line."""

    def __init__(self, table: str, exc: duckdb.Error):
        lines = [line for line in str(exc).splitlines() if line.strip()]
        super().__init__(f"{table} could not be built: {type(exc).__name__}: {lines[0] if lines else ''}")


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
    from pipeline import network, similarity
    from pipeline.terms import term_spellings
    from pipeline.urls import TRACKING_PARAM_PATTERN

    con.execute("set TimeZone = 'UTC'")
    con.execute(f"create or replace temp macro tracking_param_pattern() as {quote_literal(TRACKING_PARAM_PATTERN)}")
    terms = ", ".join(
        f"{{'term': {quote_literal(t)}, 'spellings': [{', '.join(quote_literal(k) for k in keys)}]}}"
        for t, keys in term_spellings()
    )
    con.execute(f"create or replace temp macro analysis_terms() as [{terms}]::struct(term varchar, spellings varchar[])[]")
    similarity.register(con)
    network.register(con)
    con.execute((SQL_DIR / "macros.sql").read_text())
    return con


# DuckDB would otherwise cache up to 80% of the machine's memory; a build stays within a bounded
# footprint and spills to disk beyond it (see the peak-memory figures in the README).
MEMORY_LIMIT = os.environ.get("SEEDHOUSE_DUCKDB_MEMORY_LIMIT", "512MB")


# Rows per row group in the files a build writes. DuckDB gives its threads a table's scan, and an
# insert's writing, one row group at a time; at its default (122,880 rows) a table of 100,000 rows
# is one row group, so one thread reads it and one thread writes it. Smaller groups let both
# cores work on every large table (the figures are in docs/performance.md). DuckDB 1.4 reads the
# files.
ROW_GROUP_SIZE = 32_768


def attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach the database file `path` (created if missing) as `alias`, for writing, in row groups
    of `ROW_GROUP_SIZE`; a file it creates takes the storage version of `con` (see `connect`)."""
    con.execute(f"attach {quote_literal(str(path))} as {quote_ident(alias)} (row_group_size {ROW_GROUP_SIZE})")


def spill_dir(path: Path) -> Path:
    """Where a writable connection to `path` spills what exceeds its memory limit."""
    return path.with_name(path.name + ".tmp")


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
    # does not repeat (`secured`, excerpts); zstd writes faster and smaller. DuckDB 1.4 reads it.
    config["force_compression"] = "zstd"
    # Spill beside the file being written, where DuckDB puts it for a database it opens itself: an
    # in-memory connection would spill to `.tmp` in whatever folder the command ran from, and a
    # killed build would leave it there. Beside a build file, the next build removes it
    # (`Warehouse.remove_stale_builds`).
    config["temp_directory"] = str(spill_dir(path))
    con = duckdb.connect(config=config)
    attach(con, path, "seedhouse")
    con.execute("use seedhouse")
    return _setup(con)


def connect_for_query(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts' SQL that cannot write anything anywhere: file access
    (ATTACH, COPY ... TO, read_csv, extensions) is off, and locked so that SQL cannot turn it on."""
    con = _setup(duckdb.connect(str(path), read_only=True, config={"memory_limit": MEMORY_LIMIT}))
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


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
    return model_path(table.schema, table.short_name).read_text()


def run_sql(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, parameters: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Run the one statement of `warehouse/<schema>/<name>.sql`, with its `$name` parameters
    from `parameters`, and return the connection (to fetch what it selects). The ingest's SQL
    steps (`warehouse/staging/`, `quality.build_info`) run this way, where they can be read
    beside the models that read them. A step whose table is published (`catalog.STEP_TABLES`)
    gets its COMMENTs from the YAML beside it."""
    sql = model_path(schema, name).read_text()
    if len(con.extract_statements(sql)) != 1:
        # several would run, but only the last one's result and parameters would be seen
        raise ValueError(f"{model_path(schema, name)} must hold exactly one SQL statement")
    result = con.execute(sql, parameters) if parameters else con.execute(sql)
    if f"{schema}.{name}" in STEP_TABLES:  # a CREATE: there is no result to keep for the caller
        comment(con, STEP_TABLES[f"{schema}.{name}"])
    return result


def referenced_tables(sql: str) -> list[str]:
    """The tables a query reads (`core.x`, `staging.y`, `analytics.z`, `quality.w`), in order."""
    code = re.sub(r"--[^\n]*", "", sql)  # a table named in a comment is not read
    found = re.findall(r"\b(staging|core|analytics|quality)\.([a-z_][a-z0-9_]*)\b", code)
    return list(dict.fromkeys(f"{schema}.{name}" for schema, name in found))


# A model may memoise what it computes per item (a text, a URL) in `staging.memo_<what>`: the
# parse cache carries it to the next build, which computes only the items it has not seen. A memo
# belongs to its model, not to the ingest, so it is not one of the model's inputs; the ingest
# drops every memo when the definitions changed (pipeline/ingest.py, `drop_memos`).
MEMO_PREFIX = "staging.memo_"


def model_dependencies(table: Table, expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    """The tables a model's SQL reads, itself and its memos excluded, then the tables its foreign
    keys reference (see `pipeline.keys`): those must exist, with their keys, before it is built."""
    read = [
        name for name in referenced_tables(model_sql(table))
        if name != table.name and not name.startswith(MEMO_PREFIX)
    ]
    return list(dict.fromkeys(read + table_keys(table.name, expectations_dir).references()))


def build_model(con: duckdb.DuckDBPyConnection, table: Table, expectations_dir: Path = EXPECTATIONS_DIR) -> int:
    """Create `table` from its SQL file with the keys its suite in `expectations_dir` guarantees
    (`pipeline.keys`), document it with COMMENT ON, and return its row count.

    A model is one query, optionally preceded by statements that create temporary tables it
    reads (a step too large to hold in memory with the rest); those are dropped afterwards."""
    create_schemas(con, table.schema)
    *steps, query = [statement.query for statement in con.extract_statements(model_sql(table))]
    temporary = [re.search(r"\btemp(?:orary)? table\s+(\w+)", step, re.IGNORECASE) for step in steps]
    try:
        for step in steps:
            con.execute(step)
        if table.view:
            con.execute(f"create or replace view {quote_ident(table.name)} as\n{query}")
        else:
            create_table(con, table.name, query, table_keys(table.name, expectations_dir))
    except duckdb.Error as exc:
        raise TableBuildError(table.name, exc) from exc
    finally:
        for match in temporary:
            if match:
                con.execute(f"drop table if exists {quote_ident(match.group(1))}")
    comment(con, table)
    return row_count(con, table.name)


def create_table(con: duckdb.DuckDBPyConnection, name: str, query: str, keys: Keys) -> None:
    """(Re)create table `name` from `query`, declaring `keys`: the table is created with its NOT
    NULL columns and foreign keys (DuckDB takes those only in CREATE TABLE), filled by the query,
    then given its primary key (built in one pass over the rows: a fraction of the memory that
    keeping it up to date row by row during the insert takes).

    Rows that break a key are not refused here: the table is then built without the keys they
    break, so that the table's checks run and report the rows, with what they mean, and keep the
    build from being published (every key comes from a critical check). A foreign key whose table
    is missing, or is without its key, is left out (a replay builds some core tables only)."""
    quoted = quote_ident(name)
    foreign_keys = [fk for fk in keys.foreign_keys if _is_key(con, fk.table, (fk.key,))]
    if not (keys.primary_key or keys.not_null or foreign_keys):
        con.execute(f"create or replace table {quoted} as\n{query}")
        return
    columns = [(column, kind) for column, kind, *_ in con.execute(f"describe {query}").fetchall()]
    not_null = set(keys.not_null)
    definitions = [f"{_column(column)} {kind}{' not null' if column in not_null else ''}" for column, kind in columns]
    definitions += [
        f"foreign key ({_column(fk.column)}) references {quote_ident(fk.table)} ({_column(fk.key)})"
        for fk in foreign_keys
    ]
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace table {quoted} (\n    " + ",\n    ".join(definitions) + "\n)")
        con.execute(f"insert into {quoted}\n{query}")
        con.execute("commit")
    except duckdb.ConstraintException:
        rollback(con)
        con.execute(f"create or replace table {quoted} as\n{query}")
        return
    except BaseException:
        rollback(con)
        raise
    if keys.primary_key:
        try:
            con.execute(f"alter table {quoted} add primary key ({', '.join(map(_column, keys.primary_key))})")
        except duckdb.ConstraintException:
            pass  # duplicate keys: the table's uniqueness check reports them
    release_index_memory(con)


# DuckDB keeps a key's index (an ART) in memory while its database is attached, outside what it
# can spill to disk, and a build holds its file for the whole run: at a million seeds the keys'
# indexes alone would outgrow the build's memory limit, and the lower limit under which large
# tables are validated. Past this much, the file is checkpointed and attached again, which leaves
# the indexes on disk until a key is next checked (an insert into a table that references it).
INDEX_MEMORY_BYTES = 32 * 2**20


def release_index_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Leave the current database's key indexes on disk when they hold more than
    `INDEX_MEMORY_BYTES` of memory (see there)."""
    held = scalar(con, "select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory() where tag = 'ART_INDEX'")
    if held <= INDEX_MEMORY_BYTES:
        return
    databases = dict(con.execute("select database_name, path from duckdb_databases()").fetchall())
    database = scalar(con, "select current_database()")
    # a file attached to an in-memory database, as `connect` opens a build's (not one opened as
    # the connection's own database, which cannot be detached)
    if database == "memory" or databases.get(database) is None or "memory" not in databases:
        return
    con.execute(f"checkpoint {quote_ident(database)}")
    con.execute("use memory")
    con.execute(f"detach {quote_ident(database)}")
    attach(con, Path(databases[database]), database)
    con.execute(f"use {quote_ident(database)}")


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_key(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> bool:
    """True when `table` exists in the current database with a primary key or unique constraint
    on exactly `columns`: what a foreign key to it needs."""
    schema, name = table.split(".", 1)
    return bool(
        scalar(
            con,
            "select count(*) from duckdb_constraints() where database_name = current_database() "
            "and schema_name = ? and table_name = ? and constraint_type in ('PRIMARY KEY', 'UNIQUE') "
            "and list_sort(constraint_column_names) = list_sort(?::varchar[])",
            [schema, name, list(columns)],
        )
    )


def comment(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """The catalog's descriptions of `table` and its columns, as COMMENT ON statements."""
    comment_on(con, table.name, table.description, table.columns, view=table.view)


def comment_on(
    con: duckdb.DuckDBPyConnection, name: str, description: str, columns: dict[str, str], *, view: bool = False
) -> None:
    """COMMENT ON a table (or view) and its columns, in one transaction (a commit each would cost
    twice as much: hundreds of comments in all)."""
    quoted = quote_ident(name)
    con.execute("begin transaction")
    try:
        con.execute(f"comment on {'view' if view else 'table'} {quoted} is {quote_literal(description)}")
        for column, text in columns.items():
            con.execute(f"comment on column {quoted}.{quote_ident(column)} is {quote_literal(text)}")
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction after a failure, saying nothing if there is none: a write
    that failed on a full disk can end the transaction itself, and an error from the rollback
    would hide the one that says why (no space left on device)."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:
        pass


def ledger_counts(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, int]]:
    """What became of the seed files: counts by status, and quarantined files by reason (most first)."""
    statuses = dict(con.execute("select status, count(*) from core.seed_files group by 1 order by 1").fetchall())
    reasons = dict(
        con.execute(
            "select error_kind, count(*) from core.seed_files where status = 'quarantined' group by 1 order by 2 desc, 1"
        ).fetchall()
    )
    return statuses, reasons


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    schema, table = name.split(".", 1)
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


class Warehouse:
    """The published warehouse file, the build files that may replace it, and its private state.

    Each warehouse keeps its state (build lock, build files, parse cache, publish record) in a
    folder of its own, `.seedhouse/<file name>/` beside it, so two warehouses in one folder share
    nothing.
    """

    def __init__(self, published: Path | str, storage_version: str = DEFAULT_STORAGE_VERSION, *, force: bool = False):
        self.published = Path(published).resolve()
        self.storage_version = storage_version
        self.force = force  # replace a file at `published` that is not a seedhouse warehouse
        self.state_dir = self.published.parent / ".seedhouse" / self.published.name
        self.builds_dir = self.state_dir / "builds"
        self._lock_fd: int | None = None
        self._build: tuple[str, duckdb.DuckDBPyConnection] | None = None
        self.kept_copy: Path | None = None  # where `publish` kept a changed published file

    def build_path(self, run_id: str) -> Path:
        return self.builds_dir / f"{run_id}.duckdb"

    @property
    def parse_cache(self) -> Path:
        """The staging file of the last published build, reused by the next incremental build."""
        return self.state_dir / "parsed.duckdb"

    @property
    def record_path(self) -> Path:
        """What seedhouse published last: run id, size and sha256 of the file (see `publish`)."""
        return self.state_dir / "published.json"

    @property
    def wal(self) -> Path:
        return _wal(self.published)

    def published_run_id(self) -> str | None:
        """The run that built the published file, or None when there is none, when it is
        unreadable, or when it is no longer the file seedhouse published (`intact`): each of
        those calls for a full build. The caller checks for other writers first
        (`check_no_writer`): reading the file while one writes would see its changes."""
        if not self.published.exists():
            return None
        if not self.intact():
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

    # -- the published file ----------------------------------------------------------------------
    def record(self) -> dict | None:
        try:
            return json.loads(self.record_path.read_text())
        except (OSError, ValueError):
            return None

    def intact(self) -> bool:
        """True when the published file is byte for byte the one seedhouse published last. Reads
        the whole file: a damaged block or a change made by another program shows here."""
        record = self.record()
        if record is None or not self.published.is_file():
            return False
        try:
            if self.published.stat().st_size != record.get("size_bytes"):
                return False
            return sha256_file(self.published) == record.get("sha256")
        except OSError:
            return False

    def check_no_writer(self) -> None:
        """Raise `WarehouseBusyError` when another program has the published file open for
        writing, or left a write-ahead log beside it. Its changes are never replayed nor
        discarded by seedhouse: the person who made them decides."""
        if not self.published.exists():
            return
        try:
            # read-only: takes DuckDB's shared lock for a moment, which a writer's lock refuses
            duckdb.connect(str(self.published), read_only=True).close()
        except duckdb.IOException as exc:
            holder = re.search(r"Conflicting lock is held in (.*?)(?:\. See also|$)", str(exc))
            if holder or "lock" in str(exc).lower():
                raise WarehouseBusyError(
                    f"{self.published} is open for writing by another program"
                    + (f" ({holder.group(1)})" if holder else "")
                    + "; close that connection (analysts: open the file read-only) and build again"
                ) from None
        except duckdb.Error:
            pass  # not a readable DuckDB file: `check_replaceable` decides
        if self.wal.exists():
            raise WarehouseBusyError(
                f"{self.wal} holds changes that another program wrote to {self.published} and has not "
                "saved into it (a DuckDB write-ahead log); seedhouse neither replays nor discards them. "
                "Close that program, or open the file once with DuckDB and close it, then build again"
            )

    def check_replaceable(self) -> None:
        """Raise `NotAWarehouseError` when the file at the published path is something other than
        a seedhouse warehouse (a CSV, another database), unless `force` was given."""
        if self.force or not self.published.exists() or self.record() is not None:
            return
        if not is_seedhouse_warehouse(self.published):
            raise NotAWarehouseError(
                f"{self.published} exists and is not a seedhouse warehouse: refusing to replace it "
                "(choose another --warehouse, or pass --force to replace it)"
            )

    # -- locking -------------------------------------------------------------------------------
    def acquire_lock(self, run_id: str) -> None:
        """Take the build lock or fail at once; refuse to start while another program writes to
        the published file; then remove what dead builds left behind. Idempotent: every writing
        step of a run calls it."""
        if self._lock_fd is not None:
            return
        self.check_replaceable()
        self.check_no_writer()
        if not self.try_lock():
            raise BuildLockedError(
                f"another seedhouse build or watch is running against {self.published} "
                f"(lock {self.state_dir / 'build.lock'}): wait for the build to finish, or stop the watch"
            )
        self.remove_stale_builds(keep_run_id=run_id)

    def try_lock(self) -> bool:
        """Take the build lock if it is free; False when another build holds it."""
        if self._lock_fd is not None:
            return True
        self.builds_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    @property
    def holds_lock(self) -> bool:
        return self._lock_fd is not None

    def release_lock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def remove_stale_builds(self, keep_run_id: str | None = None) -> list[Path]:
        """Delete build files of other runs (called with the lock held: none of them is running)."""
        removed = []
        if not self.builds_dir.is_dir():
            return removed
        for path in sorted(self.builds_dir.glob("*.duckdb*")):
            if keep_run_id is None or not path.name.startswith(keep_run_id + "."):
                if path.is_dir():  # DuckDB's spill folder, left by a killed build
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def remove_build(self, run_id: str) -> None:
        """Delete this run's build files (a build that failed on a fault, not on its checks)."""
        self.close_build()
        for path in (self.build_path(run_id), self.staging_path(run_id)):
            path.unlink(missing_ok=True)
            _wal(path).unlink(missing_ok=True)
        shutil.rmtree(spill_dir(self.build_path(run_id)), ignore_errors=True)

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
            _wal(leftover).unlink(missing_ok=True)
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
        """Close the run's connection. Its writes are made durable by `publish`'s checkpoint,
        not here: DuckDB's close() does not report a write that failed (a full disk)."""
        if self._build is not None:
            self._build[1].close()
            self._build = None

    def _checkpoint_build(self, run_id: str) -> None:
        """Fold every write of this run into its files, raising if any write fails."""
        if self._build is not None and self._build[0] == run_id:
            con = self._build[1]
            for (database,) in con.execute(
                "select database_name from duckdb_databases() where not internal and path is not null"
            ).fetchall():
                con.execute(f"checkpoint {quote_ident(database)}")
        self.close_build()
        for path in (self.build_path(run_id), self.staging_path(run_id)):
            if _wal(path).exists():
                # a connection of this run was left unclosed (or its last checkpoint failed): what
                # the log holds never reached the file, so the file is not what was checked
                raise PublishError(f"the build file {path} still has unsaved changes in {_wal(path).name}")

    def verify_build(self, run_id: str, expected_rows: dict[str, int]) -> None:
        """Reopen the checkpointed build file read-only and count every table built by this run
        against what the run built and checked; raise `PublishError` on any difference."""
        path = self.build_path(run_id)
        problems = []
        with duckdb.connect(str(path), read_only=True) as con:
            for name, expected in sorted(expected_rows.items()):
                try:
                    found = row_count(con, name)
                except duckdb.Error as exc:
                    problems.append(f"{name} cannot be read ({type(exc).__name__})")
                    continue
                if found != expected:
                    problems.append(f"{name} holds {found} rows, {expected} were built and checked")
        if problems:
            raise PublishError(f"the build file {path} is not what was checked: " + "; ".join(problems))

    def publish(self, run_id: str, expected_rows: dict[str, int]) -> Path:
        """Replace the published warehouse with this run's build file, atomically, once the build
        file is checkpointed, synced and verified (`expected_rows`: each table this run built,
        with the row count its checks saw). Any fault before the rename raises `PublishError`,
        whose message says what went wrong, and leaves the published file exactly as it was."""
        self.acquire_lock(run_id)
        path = self.build_path(run_id)
        try:
            self._checkpoint_build(run_id)
            if not path.exists():
                raise PublishError(f"nothing to publish: {path} does not exist")
            _fsync(path)
            self.verify_build(run_id, expected_rows)
            new_record = {"run_id": run_id, "size_bytes": path.stat().st_size, "sha256": sha256_file(path)}
            self.check_no_writer()  # a writer may have opened the file while this run built
            kept = self._keep_changed_published()
            _write_atomically(self.record_path, json.dumps(new_record, indent=1) + "\n")
            self.published.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, self.published)
        except (OSError, duckdb.Error) as exc:
            raise PublishError(describe_write_error(exc, path)) from exc
        self.kept_copy = kept
        staging = self.staging_path(run_id)
        try:
            self._replace_parse_cache(staging)
        except (OSError, duckdb.Error):
            # the warehouse is published; without a cache the next build parses everything again
            self.parse_cache.unlink(missing_ok=True)
        _fsync_dir(self.published.parent)
        return self.published

    def _replace_parse_cache(self, staging: Path) -> None:
        if not staging.exists():
            return
        if self.parse_cache.is_dir():  # a damaged cache: see pipeline.ingest.discard_cache
            shutil.rmtree(self.parse_cache)
        _fsync(staging)
        os.replace(staging, self.parse_cache)

    def _keep_changed_published(self) -> Path | None:
        """Before replacing a published file that was changed since seedhouse published it (an
        analyst's table, a repair), keep it under the state folder: nothing is lost unasked."""
        if self.record() is None or not self.published.is_file() or self.intact():
            return None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        kept = self.state_dir / f"changed-{stamp}.duckdb"
        try:
            os.link(self.published, kept)
        except OSError:
            shutil.copyfile(self.published, kept)
        return kept


def left_as_it_was(published: Path | str) -> str:
    """What a build that did not publish did to `published`, said truly: a warehouse there was left
    as it was; where there was none, none was written."""
    path = Path(published)
    return f"{path} was left as it was" if path.exists() else f"no warehouse was written to {path}"


def changed_copy_warning(published: Path, kept: Path | str) -> str:
    return f"{published} had been changed since it was published; the changed file was kept as {kept}"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def is_seedhouse_warehouse(path: Path) -> bool:
    """True for a DuckDB file that a seedhouse build published (it has `quality.build_info`)."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return bool(
                scalar(
                    con,
                    "select count(*) from duckdb_columns() where schema_name = 'quality' "
                    "and table_name = 'build_info' and column_name = 'seedhouse_version'",
                )
            )
    except duckdb.Error:
        return False


def describe_write_error(exc: BaseException, path: Path) -> str:
    """One line for a failed write: the cause first (a full disk, no permission), then the file."""
    if isinstance(exc, PublishError):
        return str(exc)
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left on device" in text:
        return f"no space left on device on {mount_point(path)} (writing {path})"
    if (isinstance(exc, OSError) and exc.errno == errno.EDQUOT) or "Disk quota exceeded" in text:
        return f"disk quota exceeded on {mount_point(path)} (writing {path})"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc} (writing {exc.filename or path})"
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''} (writing {path})"


def mount_point(path: Path) -> Path:
    """The mount point of the file system that holds `path` (named in disk-full messages)."""
    path = path.resolve()
    while not path.exists() or not os.path.ismount(path):
        if path.parent == path:
            break
        path = path.parent
    return path
