"""Ingest: discover seed files, parse what changed into staging, and build the lookup maps.

Per-row Python stops at the parse. URL canonicalisation and registered domains are computed once
per *distinct* value and joined back in SQL. The SQL steps live in `warehouse/staging/` (and
`warehouse/quality/build_info.sql`), beside the models that read what they write; the Python
steps (canonicalising the URLs SQL cannot, registered domains) stay here.

Incremental builds: the staging file of the last published build is kept as a parse cache
(`.seedhouse/parsed.duckdb`). A file whose path, size and modification time match its cached row
is not read again; new and changed files are parsed; files no longer found drop out. The cache
is ignored when the parser, its limits or the seeds root changed (a fingerprint says so), or when
a full rebuild is asked for. Staging then holds exactly the rows a full parse would produce, so
every table downstream is the same as after a full rebuild. What a model memoised per item
(`staging.memo_*`, e.g. the terms each text mentions) travels in the same file, and is dropped
when the definitions changed (`drop_memos`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import __version__, catalog
from pipeline.parse import Limits, discover, parse_batches
from pipeline.parse.schemas import DOMAIN_MAP, PARSED_SEEDS, URL_MAP
from pipeline.paths import EXPECTATIONS_DIR, PROJECT_ROOT, SQL_DIR
from pipeline.urls import canonicalise_many, registered_domain
from pipeline.warehouse import (
    MEMO_PREFIX,
    attach,
    is_seedhouse_warehouse,
    load_arrow,
    memory_limit,
    quote_ident,
    quote_literal,
    run_sql,
    scalar,
)

# The parse only streams record batches into staging: DuckDB's page cache is not worth the memory
# then, and the memory is better left to the parse workers (docs/performance.md has the peaks).
INGEST_DUCKDB_MEMORY = "256MB"


def _digest(parts: list[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()[:32]


def parser_sources() -> list[Path]:
    """The source files whose code decides a parsed row or a URL map: every module of the parse
    package, found by listing its folder (a module added to it is never left out), the URL
    canonicalisation, this module, the SQL macros and the staging SQL the maps are built with (the
    URL map is cached with the parse)."""
    code = PROJECT_ROOT / "pipeline"
    return (
        sorted((code / "parse").glob("*.py"))
        + [code / "urls.py", code / "ingest.py", SQL_DIR / "macros.sql"]
        + sorted((SQL_DIR / "staging").glob("*.sql"))
    )


def parser_fingerprint(seeds_root: Path, limits: Limits) -> str:
    """Changes whenever a cached parse or URL map could differ from a fresh one."""
    # each file's path is hashed with its content: renaming or moving a module counts as a change
    sources = [(path.relative_to(PROJECT_ROOT).as_posix().encode(), path.read_bytes()) for path in parser_sources()]
    # rapidfuzz splits texts into words for story evidence (pipeline/parse/texts.py): its Unicode
    # tables decide what a word is
    libraries = ("pyyaml", "rapidyaml", "python-frontmatter", "url-normalize", "tldextract", "rapidfuzz")
    return _digest(
        [part for source in sources for part in source]
        + [f"{name}=={version(name)}".encode() for name in libraries]
        + [repr(limits).encode(), str(seeds_root).encode()]
    )


def definitions_fingerprint(expectations_dir: Path = EXPECTATIONS_DIR) -> str:
    """Changes whenever the tables or checks built from the same staging could differ."""
    # the SQL, the suites, the catalog's YAML (the COMMENTs) and the code that reads it
    files = sorted(SQL_DIR.rglob("*.sql")) + sorted(expectations_dir.glob("*.json")) + list(catalog.FILES)
    files.append(PROJECT_ROOT / "pipeline" / "catalog.py")
    files += [PROJECT_ROOT / "pipeline" / "terms.py", SQL_DIR / "terms.yml"]
    return _digest([f.name.encode() + f.read_bytes() for f in files] + [__version__.encode()])


def manifest_fingerprint(seeds_root: Path) -> str:
    """A digest of every file's path, size and modification time: equal when nothing changed."""
    manifest = discover(seeds_root)
    hasher = hashlib.sha256()
    for column in manifest.columns:
        for chunk in column.chunks:
            for buffer in chunk.buffers():
                if buffer is not None:
                    hasher.update(buffer)
    return f"{manifest.num_rows}:{hasher.hexdigest()[:32]}"


class SeedsRootError(FileNotFoundError):
    """The seeds root is missing, not a folder, or holds no entry at all."""


def check_seeds_root(root: Path) -> Path:
    """`root`, resolved, when it is a folder holding at least one seed entry (what `discover`
    would list); else `SeedsRootError`."""
    path = root.resolve()
    if not path.is_dir():
        raise SeedsRootError(
            f"the seeds root {path} does not exist or is not a directory: nothing was built, and nothing was published"
        )
    if not _holds_an_entry(path):
        raise SeedsRootError(
            f"the seeds root {path} holds no seed files (an unmounted share?): nothing was built, and "
            "nothing was published"
        )
    return path


def _holds_an_entry(root: Path) -> bool:
    """Whether `discover(root)` would list anything, stopping at the first entry found."""
    pending = [root]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        return True
                    if not is_dir:
                        return True
                    if not entry.name.startswith("."):
                        pending.append(Path(entry.path))
        except OSError:
            return True  # an unreadable folder is listed as an entry of its own
    return False


@dataclass(frozen=True)
class IngestSummary:
    files_found: int
    files_parsed: int
    files_reused: int
    files_dropped: int
    parse_errors: dict[str, int] = field(default_factory=dict)
    distinct_urls: int = 0
    distinct_providers: int = 0
    warnings: tuple[str, ...] = ()


class CacheDamagedError(Exception):
    """The parse cache cannot be read; it has been moved aside."""


def discard_cache(cache_path: Path, why: str) -> str:
    """Move a parse cache that cannot be read aside (`<name>.damaged`, replacing an older one) so
    the build goes on as a full parse, and return the one-line warning that says so."""
    damaged = cache_path.with_name(cache_path.name + ".damaged")
    if damaged.is_dir():
        shutil.rmtree(damaged)
    else:
        damaged.unlink(missing_ok=True)
    os.replace(cache_path, damaged)
    return f"the parse cache {cache_path} could not be read ({why}); moved it to {damaged.name} and parsed every file"


def _attach_cache(con: duckdb.DuckDBPyConnection, cache_path: Path | None, fingerprint: str) -> dict | None:
    """Attach the parse cache as `cache` when it exists and was made by this same parser. A cache
    that cannot be read (truncated, empty, a folder, another schema) raises `CacheDamagedError`."""
    if cache_path is None or not (cache_path.exists() or cache_path.is_symlink()):
        return None
    try:
        if not cache_path.is_file():
            raise duckdb.IOException("not a file")
        con.execute(f"attach {quote_literal(str(cache_path))} as cache (read_only)")
    except duckdb.Error as exc:
        raise CacheDamagedError(_first_line(exc)) from None
    try:
        # A cut file still opens when the cut falls after its catalog (a small cache): the blocks
        # its catalog counts must all be there, or a later read fails mid-build
        [(block_size, blocks)] = con.execute(
            "select block_size, total_blocks from pragma_database_size() where database_name = 'cache'"
        ).fetchall()
        if cache_path.stat().st_size < block_size * blocks:
            raise duckdb.IOException(f"it is shorter than the {blocks} blocks of {block_size} bytes it counts")
        cursor = con.execute("select * from cache.cache_info")
        rows, columns = cursor.fetchall(), [d[0] for d in cursor.description]
        con.execute("select source_path, size_bytes, modified_at, content_sha256 from cache.parsed_seeds limit 0")
        if rows and rows[0][columns.index("parser_fingerprint")] == fingerprint:
            # the same parser wrote it: its table must have exactly the columns a parse gives
            cached = [d[0] for d in con.execute("select * from cache.parsed_seeds limit 0").description]
            if cached != PARSED_SEEDS.names:
                raise duckdb.CatalogException("its parsed_seeds columns differ from this parser's")
    except (duckdb.Error, ValueError) as exc:
        con.execute("detach cache")
        raise CacheDamagedError(_first_line(exc)) from None
    info = dict(zip(columns, rows[0], strict=True)) if rows else None
    if info is None or info["parser_fingerprint"] != fingerprint:
        con.execute("detach cache")
        return None
    return info


def drop_memos(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the models' memos (`staging.memo_*`, see `pipeline.warehouse.MEMO_PREFIX`) from the
    staging copied from the cache: they were computed under other definitions (SQL, macros,
    terms, suites: any change counts), so a model computes every item afresh this build."""
    schema, prefix = MEMO_PREFIX.split(".")
    names = [
        name for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'staging' and schema_name = 'main' "
            "and starts_with(table_name, ?) order by table_name", [prefix]
        ).fetchall()
    ]
    for name in names:
        con.execute(f"drop table {schema}.{quote_ident(name)}")
    return names


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def _content_changed(root: Path, con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Paths of `table`'s rows (source_path, content_sha256) whose file's bytes no longer hash to
    the recorded digest: a change that kept the file's size and modification time."""
    changed = []
    for rel, digest in con.execute(f"select source_path, content_sha256 from {table} order by source_path").fetchall():
        try:
            with open(os.path.join(root, rel), "rb") as handle:
                now = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            now = None
        if now != digest:
            changed.append(rel)
    return changed


# A cached row (`cached`) is still good when the manifest has its file with the same path, size
# and modification time.
_STILL_GOOD = """
    exists (
        select 1 from _manifest as found
        where found.source_path = cached.source_path
          and found.size_bytes = cached.size_bytes
          and found.modified_at = cached.modified_at
    )
"""


def is_current(
    seeds_root: Path,
    cache_path: Path,
    published_run_id: str | None,
    *,
    limits: Limits,
    definitions: str,
    manifest: pa.Table | None = None,
    verify: bool = False,
) -> bool:
    """True when the published warehouse was built from exactly these files, with this parser and
    these table and check definitions: a rebuild would change nothing. Reads no seed file, only
    their statuses (or takes `manifest`, `discover(seeds_root)` read by the caller)."""
    if published_run_id is None:
        return False
    with duckdb.connect() as con:
        con.register("_manifest", manifest if manifest is not None else discover(seeds_root))
        try:
            cache = _attach_cache(con, cache_path, parser_fingerprint(seeds_root, limits))
        except CacheDamagedError:
            return False  # the build's ingest discards it and says so
        if cache is None or cache["run_id"] != published_run_id or cache["definitions_fingerprint"] != definitions:
            return False
        reusable = scalar(con, f"select count(*) from cache.parsed_seeds as cached where {_STILL_GOOD}")
        same_files = reusable == scalar(con, "select count(*) from _manifest") == scalar(
            con, "select count(*) from cache.parsed_seeds"
        )
        return same_files and not (verify and _content_changed(seeds_root, con, "cache.parsed_seeds"))


def ingest(
    con: duckdb.DuckDBPyConnection,
    seeds_root: Path,
    *,
    run_id: str,
    limits: Limits = Limits(),
    cache_path: Path | None = None,
    definitions: str = "",
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    verify: bool = False,
    manifest: pa.Table | None = None,
    history_from: Path | None = None,
    observed_at: datetime | None = None,
    snapshot=None,
) -> IngestSummary:
    """Fill `staging.*` and `quality.build_info` for a build; `cache_path=None` parses everything.
    With `verify`, cached files whose bytes changed although their size and modification time
    did not are parsed again (every file is hashed). `manifest` is `discover(seeds_root)` when the
    caller has read it already (`seedhouse build` does, to tell whether anything changed: reading
    every file's status again costs about a second at 100,000 files). A seeds root with no file
    raises `SeedsRootError`: an empty warehouse is never built. `history_from` is the published
    warehouse, whose article history this build carries on (`staging.previous_history`);
    `observed_at` dates this build's versions (default: the build's start). `snapshot`, a committed
    staging snapshot (`pipeline.shards.Snapshot`), gives the parsed rows instead of `seeds_root`:
    the sharded parse already read every file, so this build parses none and uses no cache."""
    started_at = datetime.now(timezone.utc)
    if snapshot is not None:
        cache_path, manifest = None, snapshot.manifest
    fingerprint = parser_fingerprint(seeds_root, limits)
    warnings = []
    try:
        cache = _attach_cache(con, cache_path, fingerprint)
    except CacheDamagedError as exc:
        warnings.append(discard_cache(cache_path, str(exc)))
        cache = None
    # Only a cache needs each file's size and modification time up front; without one the parse
    # records them as it reads each file, sparing a status call per file.
    if manifest is None:
        manifest = discover(seeds_root, with_status=cache is not None)
    if manifest.num_rows == 0:
        raise SeedsRootError(
            f"the seeds root {seeds_root} holds no seed files (an unmounted share?): nothing was built, "
            "and nothing was published"
        )
    con.register("_manifest", manifest)
    if cache is not None:
        dropped = scalar(con, "select count(*) from cache.parsed_seeds anti join _manifest using (source_path)")
        # Start from a copy of the cache file and delete what changed: copying the file costs
        # far less than re-inserting every unchanged (nested) row.
        staging_path = Path(scalar(con, "select path from duckdb_databases() where database_name = 'staging'"))
        con.execute("detach cache")
        con.execute("detach staging")
        shutil.copyfile(cache_path, staging_path)
        attach(con, staging_path, "staging")
        if cache["definitions_fingerprint"] != definitions:
            drop_memos(con)
        con.execute(f"delete from staging.parsed_seeds as cached where not {_STILL_GOOD}")
        if verify:
            changed = _content_changed(seeds_root, con, "staging.parsed_seeds")
            con.execute("delete from staging.parsed_seeds where list_contains(?, source_path)", [changed])
        to_parse = (
            con.sql(
                "select source_path from _manifest anti join staging.parsed_seeds using (source_path) "
                "order by source_path"
            )
            .to_arrow_table()
            .column("source_path")
        )
    else:
        load_arrow(con, "staging.parsed_seeds", PARSED_SEEDS.empty_table())
        to_parse = manifest.column("source_path")
        dropped = 0
    reused = manifest.num_rows - len(to_parse)

    if on_start:
        on_start(len(to_parse))
    if snapshot is not None:
        reader = snapshot.reader()
    else:
        reader = pa.RecordBatchReader.from_batches(
            PARSED_SEEDS, parse_batches(seeds_root, to_parse, limits=limits, on_progress=on_progress)
        )
    con.register("_parsed", reader)
    with memory_limit(con, INGEST_DUCKDB_MEMORY):
        con.execute("insert into staging.parsed_seeds select * from _parsed")
    con.unregister("_parsed")
    con.unregister("_manifest")

    n_urls = _build_url_map(con, cached=cache is not None)
    carry_history(con, history_from)
    run_sql(con, "staging", "declared_domains")
    providers = [row[0] for row in run_sql(con, "staging", "domain_map").fetchall()]
    load_arrow(
        con,
        "staging.domain_map",
        pa.table(
            {"provider_id": providers, "registered_domain": [registered_domain(p) for p in providers]},
            schema=DOMAIN_MAP,
        ),
    )
    run_sql(
        con,
        "staging",
        "cache_info",
        {"run_id": run_id, "parser_fingerprint": fingerprint, "definitions_fingerprint": definitions},
    )

    from pipeline.storage import described  # storage imports this module

    files_found = manifest.num_rows
    errors = dict(
        con.execute(
            "select error_kind, count(*) from staging.parsed_seeds where error_kind is not null "
            "group by error_kind order by error_kind"
        ).fetchall()
    )
    run_sql(
        con,
        "quality",
        "build_info",
        {
            "run_id": run_id,
            "started_at": started_at,
            "seeds_root": snapshot.seeds if snapshot is not None else described(seeds_root),
            "files_found": files_found,
            "files_parsed": len(to_parse),
            "files_reused": reused,
            "seedhouse_version": __version__,
            "observed_at": observed_at or started_at,
        },
    )
    return IngestSummary(files_found, len(to_parse), reused, dropped, errors, n_urls, len(providers), tuple(warnings))


# core.article_history's columns, as the published warehouse holds them and the next build reads them
HISTORY_COLUMNS = (
    "article_id varchar, version integer, valid_from timestamptz, valid_to timestamptz, title varchar, "
    "excerpt varchar, heat bigint, quality bigint, published_at timestamptz, source_path varchar"
)


def carry_history(con: duckdb.DuckDBPyConnection, published: Path | None) -> int:
    """`staging.previous_history`: the versions core.article_history of the published warehouse
    holds (none for a first build, or a warehouse from before history was kept), which the build
    carries on. A published warehouse whose history cannot be read stops the build: publishing
    without it would lose every version it kept."""
    names = ", ".join(column.split()[0] for column in HISTORY_COLUMNS.split(", "))
    con.execute(f"create or replace table staging.previous_history ({HISTORY_COLUMNS})")
    # a file --force is about to replace holds no history: nothing to carry on
    if published is None or not published.exists() or not is_seedhouse_warehouse(published):
        return 0
    try:
        con.execute(f"attach {quote_literal(str(published))} as previous (read_only)")
    except duckdb.Error as exc:
        raise HistoryError(f"cannot read the published warehouse {published} to carry its article history on: {_first_line(exc)}") from None
    try:
        found = scalar(
            con,
            "select count(*) from duckdb_tables() where database_name = 'previous' "
            "and schema_name = 'core' and table_name = 'article_history'",
        )
        if found:
            con.execute(f"insert into staging.previous_history select {names} from previous.core.article_history")
    finally:
        con.execute("detach previous")
    return scalar(con, "select count(*) from staging.previous_history")


class HistoryError(RuntimeError):
    """The published warehouse's article history could not be read: the build stops."""


def _build_url_map(con: duckdb.DuckDBPyConnection, *, cached: bool) -> int:
    """`staging.url_map` for every distinct URL: cached forms are reused, simple URLs are
    canonicalised in SQL (warehouse/macros.sql), the rest with url-normalize in Python."""
    run_sql(con, "staging", "urls")
    if cached:  # staging is a copy of the cache: keep the canonical forms still in use
        con.execute("delete from staging.url_map where raw_url not in (select url from _urls)")
    else:
        load_arrow(con, "staging.url_map", URL_MAP.empty_table())
    con.execute(
        "create or replace temp table _new_urls as "
        "select url from _urls anti join staging.url_map on staging.url_map.raw_url = _urls.url"
    )
    run_sql(con, "staging", "url_map")
    rest = [
        row[0]
        for row in con.execute(
            "select url from _new_urls where not coalesce(is_simple_url(url), false) order by url"
        ).fetchall()
    ]
    canonical, hosts = canonicalise_many(rest)
    python_urls = {"raw_url": rest, "canonical_url": canonical, "host": hosts, "url_key": [None] * len(rest)}
    con.register("_python_urls", pa.table(python_urls, schema=URL_MAP))
    con.execute(
        "insert into staging.url_map select raw_url, canonical_url, host, url_key(canonical_url) from _python_urls"
    )
    con.unregister("_python_urls")
    return scalar(con, "select count(*) from _urls")
