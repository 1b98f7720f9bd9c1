"""Where seeds and staging live: a local folder, or any fsspec URL (`s3://bucket/prefix`).

A local folder keeps the fast path it always had (`pipeline.parse.discover` and plain system
calls); only a URL goes through fsspec. The S3 endpoint and credentials come from the standard AWS
environment (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`),
never from seedhouse's own options, so no secret is ever on a command line or in run config.

An object store has no modification time of its own that tells a change: S3's `LastModified`
counts whole seconds, and two writes of the same size within a second look alike. An object's
*status* here is its size and a modification time made of `LastModified`'s seconds plus six
digits taken from its ETag: a new ETag gives a new time, so the parse cache's rule (same path,
size and time: reuse the row) holds for objects exactly as it does for files.

Every failure to reach the store (no such bucket, no credentials, an endpoint that does not
answer) is a `StorageError` whose message is one line for the operator.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.ingest import SeedsRootError
from pipeline.parse import discover
from pipeline.parse.schemas import MANIFEST


class StorageError(SeedsRootError):
    """A seeds or staging URL cannot be read or written: the message says why, in one line."""


def is_url(location: str | Path) -> bool:
    """Whether `location` names a store fsspec reaches (`s3://…`, `memory://…`), not a local
    folder: a plain path and a `file://` URL are folders."""
    text = str(location)
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isidentifier() and scheme != "file"


def local_path(location: str | Path) -> Path:
    """The folder a local location names (a path, or a `file://` URL)."""
    text = str(location)
    return Path(text.removeprefix("file://")) if text.startswith("file://") else Path(text)


def filesystem(url: str):
    """(fsspec filesystem, path inside it) for `url`. S3 clients fail fast on an endpoint that
    does not answer (a few seconds, not botocore's minutes of retries)."""
    import fsspec

    options = {}
    if url.startswith(("s3://", "s3a://")):
        options = {
            "config_kwargs": {"connect_timeout": 5, "read_timeout": 60, "retries": {"max_attempts": 2}},
        }
    try:
        return fsspec.core.url_to_fs(url, **options)
    except Exception as exc:  # an unknown protocol, a package that is not installed
        raise StorageError(f"cannot open {url}: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def explain(url: str, exc: BaseException) -> StorageError:
    """One line saying what went wrong reaching `url`, in the operator's terms."""
    name = type(exc).__name__
    text = str(exc)
    if isinstance(exc, FileNotFoundError) or "NoSuchBucket" in text:
        return StorageError(f"{url} does not exist (no such bucket or prefix)")
    if "NoCredentials" in name or "credentials" in text.lower():
        return StorageError(
            f"no credentials to read {url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
        )
    if isinstance(exc, PermissionError) or "AccessDenied" in text or "Forbidden" in text:
        return StorageError(f"access to {url} was refused ({first_line(exc)}): check the credentials' permissions")
    if "connect" in text.lower() or "Endpoint" in name or isinstance(exc, (ConnectionError, TimeoutError)):
        endpoint = os.environ.get("AWS_ENDPOINT_URL", "the default AWS endpoint")
        return StorageError(f"cannot reach {endpoint} to read {url} ({first_line(exc)}): check AWS_ENDPOINT_URL")
    return StorageError(f"cannot read {url}: {first_line(exc)}")


def object_time(last_modified: datetime | float | None, etag: str | None) -> int | None:
    """The microseconds since the epoch that stand for an object's version (see the module's
    docstring): `LastModified`'s whole seconds plus six digits of the ETag's hash."""
    if last_modified is None:
        return None
    seconds = int(last_modified.timestamp() if isinstance(last_modified, datetime) else last_modified)
    digits = int(hashlib.sha256((etag or "").encode()).hexdigest()[:8], 16) % 1_000_000
    return seconds * 1_000_000 + digits


def _hidden(rel: str) -> bool:
    # as `discover` does: hidden folders are not descended into, hidden files are seeds
    return any(part.startswith(".") for part in rel.split("/")[:-1])


def list_seeds(location: str | Path) -> pa.Table:
    """Every seed under `location`, as `MANIFEST` rows sorted by path relative to it: `discover`
    for a folder, a listing of the objects under the prefix for a URL. A missing, empty or
    unreachable root is a `SeedsRootError` (a `StorageError` for a URL)."""
    if not is_url(location):
        from pipeline.ingest import check_seeds_root

        return discover(check_seeds_root(local_path(location)))
    url = str(location).rstrip("/")
    fs, root = filesystem(url)
    try:
        found = fs.find(root, detail=True)
    except Exception as exc:
        raise explain(url, exc) from None
    paths, sizes, times = [], [], []
    prefix = root.rstrip("/") + "/"
    for path, info in sorted(found.items()):
        rel = path[len(prefix):] if path.startswith(prefix) else None
        if not rel or info.get("type") == "directory" or rel.endswith("/") or _hidden(rel):
            continue
        when = info.get("LastModified") or info.get("mtime") or info.get("created")
        paths.append(rel)
        sizes.append(int(info["size"]))
        times.append(object_time(when, info.get("ETag") or info.get("etag")))
    if not paths:
        raise StorageError(
            f"the seeds root {url} holds no seed files (a wrong prefix?): nothing was built, and nothing "
            "was published"
        )
    return pa.table({"source_path": paths, "size_bytes": sizes, "modified_at": times}, schema=MANIFEST)


def fetch(url: str, manifest: pa.Table, folder: Path) -> None:
    """Download the objects `manifest` lists from under `url` into `folder` (the same relative
    paths), each file's modification time set to the object's (see `object_time`), so that a
    parse of `folder` records the object's status. fsspec downloads them concurrently."""
    if manifest.num_rows == 0:
        return
    fs, root = filesystem(url.rstrip("/"))
    rels = manifest.column("source_path").to_pylist()
    targets = [folder / rel for rel in rels]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fs.get([f"{root.rstrip('/')}/{rel}" for rel in rels], [str(t) for t in targets])
    except Exception as exc:
        raise explain(url, exc) from None
    for target, when in zip(targets, manifest.column("modified_at").cast(pa.int64()).to_pylist(), strict=True):
        if when is not None:
            os.utime(target, ns=(when * 1000, when * 1000))


class Mirror:
    """A local copy of the seeds under a URL, kept in the warehouse's state folder, that
    `seedhouse build --seeds s3://…` parses: each sync downloads only the objects whose size or
    ETag changed and removes the files whose objects are gone. The build then runs exactly as for
    a folder (the same parse cache, the same incremental rule), and the ledger's `source_path` is
    the key under the prefix."""

    def __init__(self, url: str, state_dir: Path):
        self.url = url.rstrip("/")
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:16]
        self.home = state_dir / "remote-seeds" / digest
        self.folder = self.home / "files"  # the seeds root the build parses
        self.index = self.home / "index.parquet"  # the status of each file the folder holds
        self.source = self.home / "url"  # the URL it mirrors, for `described`

    def sync(self) -> Path:
        """Bring the folder up to date with the objects under the URL; return the folder."""
        import pyarrow.parquet as pq

        listed = list_seeds(self.url)
        held = pq.read_table(self.index) if self.index.exists() else MANIFEST.empty_table()
        known, now = _statuses(held), _statuses(listed)
        stale = [rel for rel, status in known.items() if now.get(rel) != status]
        wanted = [rel for rel, status in now.items() if known.get(rel) != status or not (self.folder / rel).is_file()]
        # the index forgets what is about to change first: a download cut short is fetched again
        self.folder.mkdir(parents=True, exist_ok=True)
        self.source.write_text(self.url + "\n")
        self._write_index(held.filter(pc.invert(_among(held, stale + wanted))))
        for rel in stale:
            (self.folder / rel).unlink(missing_ok=True)
        fetch(self.url, listed.filter(_among(listed, wanted)), self.folder)
        self._remove_empty_folders()
        self._write_index(listed)
        return self.folder

    def _write_index(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        temporary = self.index.with_suffix(".tmp")
        pq.write_table(table, temporary)
        os.replace(temporary, self.index)

    def _remove_empty_folders(self) -> None:
        for directory, subdirs, files in os.walk(self.folder, topdown=False):
            if directory != str(self.folder) and not subdirs and not files:
                shutil.rmtree(directory, ignore_errors=True)


def _statuses(manifest: pa.Table) -> dict[str, tuple[int, int]]:
    """path -> (size, time) of each row of a `MANIFEST` table."""
    columns = [manifest.column(name).cast(pa.int64()).to_pylist() for name in ("size_bytes", "modified_at")]
    return dict(zip(manifest.column("source_path").to_pylist(), zip(*columns, strict=True), strict=True))


def _among(manifest: pa.Table, paths: list[str]) -> pa.ChunkedArray:
    """A mask of the rows of `manifest` whose path is one of `paths`."""
    return pc.is_in(manifest.column("source_path"), pa.array(paths, pa.string()))


def described(root: Path | str) -> str:
    """How a build names its seeds root (`quality.build_info.seeds_root`): the URL a mirror folder
    holds the objects of, else the folder itself."""
    source = Path(root).parent / "url"
    if Path(root).name == "files" and source.parent.parent.name == "remote-seeds" and source.is_file():
        return source.read_text().strip()
    return str(root)


def seeds_folder(location: str | Path, state_dir: Path) -> Path:
    """The local folder a build parses for `location`: the folder itself, or the synced mirror
    of a URL."""
    if not is_url(location):
        return local_path(location)
    return Mirror(str(location), state_dir).sync()
