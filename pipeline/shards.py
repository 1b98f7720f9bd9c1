"""The sharded parse: hash shards of the seeds, one immutable Parquet version per shard run, and a
commit that makes a set of versions current at once.

Layout of a staging location (a folder, or any fsspec URL such as `s3://bucket/staging`):

    shard=K/v=<run id>/part.parquet   the parsed rows of shard K's files (`PARSED_SEEDS`)
    shard=K/v=<run id>/done.json      written after the Parquet: the version is complete
    snapshots/<number>.json           a commit: the version of every shard (the pointer)

A shard is the top `bits` bits of sha256(source_path), so doubling the number of shards (one
more bit) splits each shard in two and never moves a file to an unrelated shard. Versions are
never overwritten: a shard run killed midway leaves a version without `done.json`, which no
commit picks. A commit writes the next pointer number with a create-only write (S3's
`If-None-Match: *`, a hard link on a local disk): of two commits racing for the same number one is
refused, and the current snapshot is always the highest number written, whole. A backfill that
has not finished every shard cannot be committed, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import storage
from pipeline.ingest import parser_fingerprint
from pipeline.parse import Limits, parse_batches
from pipeline.parse.schemas import PARSED_SEEDS
from pipeline.storage import StorageError

SNAPSHOTS = "snapshots"


def shard_of(source_path: str, bits: int) -> int:
    """The shard of a seed: the top `bits` bits of sha256 of its path under the seeds root."""
    if bits == 0:
        return 0
    top = int.from_bytes(hashlib.sha256(source_path.encode()).digest()[:8], "big")
    return top >> (64 - bits)


def shard_keys(bits: int) -> list[str]:
    """The partition keys of `2**bits` shards: "0", "1", …"""
    return [str(shard) for shard in range(2**bits)]


class CommitError(RuntimeError):
    """A commit was refused: a shard has no finished version, or another commit won the race."""


@dataclass(frozen=True)
class ShardResult:
    shard: int
    version: str
    path: str  # relative to the staging location
    files_found: int
    files_parsed: int
    files_reused: int


# -- the staging location ----------------------------------------------------------------------------

class Staging:
    """A staging location and the few operations the sharded parse needs of it."""

    def __init__(self, location: str | Path):
        self.location = str(location).rstrip("/")
        if storage.is_url(self.location):
            self.fs, self.root = storage.filesystem(self.location)
        else:
            from fsspec.implementations.local import LocalFileSystem

            self.fs, self.root = LocalFileSystem(), str(storage.local_path(self.location).resolve())

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def guarded(self, action):
        """`action()`, any failure to reach the store turned into a one-line `StorageError`."""
        try:
            return action()
        except (StorageError, CommitError, FileExistsError):
            raise
        except Exception as exc:
            raise storage.explain(self.location, exc) from None

    def write_bytes(self, rel: str, data: bytes) -> None:
        def write():
            if "file" in self.fs.protocol:
                Path(self.path(rel)).parent.mkdir(parents=True, exist_ok=True)
            self.fs.pipe_file(self.path(rel), data)

        self.guarded(write)

    def create_bytes(self, rel: str, data: bytes) -> None:
        """Write `rel` only if no object has that name yet; `FileExistsError` otherwise."""
        def create():
            if "file" in self.fs.protocol:
                # a whole temporary file linked to the name: the name appears complete, or not at all
                target = Path(self.path(rel))
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
                    handle.write(data)
                try:
                    os.link(handle.name, target)
                finally:
                    os.unlink(handle.name)
            else:
                self.fs.pipe_file(self.path(rel), data, mode="create")

        self.guarded(create)

    def read_bytes(self, rel: str) -> bytes:
        return self.guarded(lambda: self.fs.cat_file(self.path(rel)))

    def list(self, rel: str) -> list[str]:
        """Names directly under `rel` (empty when there is nothing there)."""
        def listing():
            try:
                return sorted(entry.rstrip("/").rsplit("/", 1)[-1] for entry in self.fs.ls(self.path(rel), detail=False))
            except FileNotFoundError:
                return []

        self.fs.invalidate_cache()
        return self.guarded(listing)

    def write_table(self, rel: str, table: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        self.write_bytes(rel, sink.getvalue().to_pybytes())

    def read_table(self, rel: str) -> pa.Table:
        return pq.read_table(pa.BufferReader(self.read_bytes(rel)))

    # -- snapshots ------------------------------------------------------------------------------------
    def current(self) -> dict | None:
        """The committed snapshot (the pointer with the highest number), or None before the first."""
        numbers = [int(name.removesuffix(".json")) for name in self.list(SNAPSHOTS) if name.endswith(".json")]
        if not numbers:
            return None
        return json.loads(self.read_bytes(f"{SNAPSHOTS}/{max(numbers):010d}.json"))

    def finished_versions(self, shard: int) -> list[dict]:
        """Every complete version of `shard` (its done record), oldest first."""
        done = []
        for name in self.list(f"shard={shard}"):
            if name.startswith("v="):
                try:
                    done.append(json.loads(self.read_bytes(f"shard={shard}/{name}/done.json")))
                except (StorageError, FileNotFoundError, ValueError):
                    continue  # a run killed before (or while) writing its record: never picked
        return sorted(done, key=lambda record: record["finished_at"])


# -- one shard run -----------------------------------------------------------------------------------

def parse_shard(
    seeds: str | Path, staging: str | Path, *, bits: int, shard: int, version: str, limits: Limits = Limits(),
    workers: int | None = None,
) -> ShardResult:
    """Parse shard `shard` of the seeds under `seeds` into a new version `version` at `staging`.
    Files whose path, size and time equal a row of the committed snapshot's version of this shard
    are reused from it (the same rule as the parse cache); the others are read (downloaded first
    from a URL) and parsed by the project's parser."""
    store = Staging(staging)
    listed = storage.list_seeds(seeds)
    in_shard = pa.array([shard_of(path, bits) == shard for path in listed.column("source_path").to_pylist()], pa.bool_())
    mine = listed.filter(in_shard)
    fingerprint = shard_fingerprint(seeds, limits)
    reused = _reusable(store, mine, shard=shard, bits=bits, fingerprint=fingerprint)
    kept_paths = reused.column("source_path") if reused is not None else pa.array([], pa.string())
    to_parse = mine.filter(pc.invert(pc.is_in(mine.column("source_path"), kept_paths)))
    parsed = _parse(seeds, to_parse, limits, workers)
    parts = [reused, parsed] if reused is not None else [parsed]
    rows = pa.concat_tables(parts).sort_by("source_path")
    rel = f"shard={shard}/v={version}"
    store.write_table(f"{rel}/part.parquet", rows)
    record = {
        "shard": shard, "bits": bits, "version": version, "path": f"{rel}/part.parquet", "seeds": str(seeds),
        "parser_fingerprint": fingerprint, "finished_at": datetime.now(timezone.utc).isoformat(),
        "files_found": mine.num_rows, "files_parsed": to_parse.num_rows, "files_reused": mine.num_rows - to_parse.num_rows,
    }
    # written last: only now is the version complete, and a commit may pick it
    store.write_bytes(f"{rel}/done.json", json.dumps(record, indent=1).encode())
    return ShardResult(shard, version, record["path"], mine.num_rows, to_parse.num_rows, record["files_reused"])


def shard_fingerprint(seeds: str | Path, limits: Limits) -> str:
    """The parser's fingerprint for a seeds location (`pipeline.ingest.parser_fingerprint`): a
    version made by another parser, or of other seeds, is never reused."""
    return parser_fingerprint(Path(str(seeds)), limits)


def _reusable(store: Staging, mine: pa.Table, *, shard: int, bits: int, fingerprint: str) -> pa.Table | None:
    """The committed rows of this shard whose file is unchanged, or None when there are none to reuse."""
    snapshot = store.current()
    if snapshot is None or snapshot["bits"] != bits or snapshot["parser_fingerprint"] != fingerprint:
        return None
    previous = store.read_table(snapshot["shards"][str(shard)]["path"])
    status = mine.select(["source_path", "size_bytes", "modified_at"])
    keys = previous.select(["source_path", "size_bytes", "modified_at"]).append_column("_row", pa.array(range(previous.num_rows)))
    same = keys.join(status, ["source_path", "size_bytes", "modified_at"], join_type="inner")
    return previous.take(same.column("_row")).cast(PARSED_SEEDS)


def _parse(seeds: str | Path, manifest: pa.Table, limits: Limits, workers: int | None) -> pa.Table:
    paths = manifest.column("source_path")
    if manifest.num_rows == 0:
        return PARSED_SEEDS.empty_table()
    if not storage.is_url(seeds):
        root = storage.local_path(seeds).resolve()
        return pa.Table.from_batches(list(parse_batches(root, paths, limits=limits, workers=workers)), PARSED_SEEDS)
    with tempfile.TemporaryDirectory(prefix="seedhouse-shard-") as folder:
        storage.fetch(str(seeds), manifest, Path(folder))
        return pa.Table.from_batches(list(parse_batches(Path(folder), paths, limits=limits, workers=workers)), PARSED_SEEDS)


# -- the commit --------------------------------------------------------------------------------------

def commit(seeds: str | Path, staging: str | Path, *, bits: int, limits: Limits = Limits()) -> dict:
    """Make the newest finished version of every shard current, in one pointer written last.
    Refused (`CommitError`) when a shard has no finished version of these seeds with this parser,
    or when another commit wrote the next pointer first; the current snapshot is then unchanged."""
    store = Staging(staging)
    fingerprint = shard_fingerprint(seeds, limits)
    before = store.current()
    shards, missing = {}, []
    for shard in range(2**bits):
        versions = [
            v for v in store.finished_versions(shard)
            if v["bits"] == bits and v["parser_fingerprint"] == fingerprint and v["seeds"] == str(seeds)
        ]
        if versions:
            newest = versions[-1]
            shards[str(shard)] = {key: newest[key] for key in ("version", "path", "files_found", "files_parsed", "files_reused")}
        else:
            missing.append(str(shard))
    if missing:
        raise CommitError(
            f"shards {', '.join(missing)} of {2**bits} have no finished parse of {seeds}: run them (the backfill "
            "is not complete); nothing was committed"
        )
    number = (before["number"] + 1) if before else 1
    pointer = {
        "number": number, "bits": bits, "seeds": str(seeds), "parser_fingerprint": fingerprint,
        "committed_at": datetime.now(timezone.utc).isoformat(), "commit_id": uuid.uuid4().hex, "shards": shards,
    }
    write_pointer(store, pointer)
    return pointer


def write_pointer(store: Staging, pointer: dict) -> None:
    """Write `pointer` as snapshot `pointer["number"]`, only if no commit wrote that number
    first (`CommitError` then, and the snapshot that won is left as it was)."""
    number = pointer["number"]
    try:
        store.create_bytes(f"{SNAPSHOTS}/{number:010d}.json", json.dumps(pointer, indent=1).encode())
    except FileExistsError:
        raise CommitError(
            f"another commit wrote snapshot {number} of {store.location} first; nothing was committed (commit "
            "again to include this one's shards)"
        ) from None


# -- reading the committed snapshot ------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The committed snapshot of a staging location: what a warehouse build loads. Its rows are
    read a shard at a time (`reader`), so a build holds one batch of them, not all: at 100,000
    seeds the rows take about 230 MB in memory, at 10 million they would not fit."""

    store: Staging
    pointer: dict

    @property
    def location(self) -> str:
        return self.store.location

    @property
    def seeds(self) -> str:
        return self.pointer["seeds"]

    @property
    def paths(self) -> list[str]:
        entries = sorted(self.pointer["shards"].items(), key=lambda item: int(item[0]))
        return [entry["path"] for _, entry in entries]

    @property
    def manifest(self) -> pa.Table:
        """Every file's path, size and time, from the Parquet files' first three columns alone."""
        columns = ["source_path", "size_bytes", "modified_at"]
        tables = [self._file(rel).read(columns=columns).cast(pa.schema([PARSED_SEEDS.field(c) for c in columns]))
                  for rel in self.paths]
        return pa.concat_tables(tables).sort_by("source_path")

    def reader(self, batch_size: int = 10_000) -> pa.RecordBatchReader:
        """The rows of every shard, shard after shard (each sorted by path), as record batches."""
        def batches():
            for rel in self.paths:
                for batch in self._file(rel).iter_batches(batch_size=batch_size):
                    yield pa.RecordBatch.from_arrays(batch.columns, schema=PARSED_SEEDS)

        return pa.RecordBatchReader.from_batches(PARSED_SEEDS, batches())

    @property
    def rows(self) -> pa.Table:
        """Every row at once, sorted by path (for a look at a small snapshot; builds use `reader`)."""
        return self.reader().read_all().sort_by("source_path")

    def _file(self, rel: str) -> pq.ParquetFile:
        return self.store.guarded(lambda: pq.ParquetFile(self.store.fs.open(self.store.path(rel), "rb")))


class NoSnapshotError(StorageError):
    """The staging location holds no committed snapshot."""


def read_snapshot(staging: str | Path) -> Snapshot:
    store = Staging(staging)
    pointer = store.current()
    if pointer is None:
        raise NoSnapshotError(
            f"{staging} holds no committed staging snapshot: parse the shards and commit them first; nothing was built"
        )
    return Snapshot(store, pointer)
