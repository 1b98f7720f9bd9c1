"""The seed files themselves: `discover` lists every entry below the root, `parse_file` turns one
into a row.

Whatever the entry is (a seed, a file too large or not UTF-8, a named pipe, a link that loops or
leaves the root, a folder that could not be listed, a name that is not valid UTF-8), `parse_file`
gives it exactly one row of `PARSED_SEEDS`: a `SeedError` or a read error becomes the row's error
columns. Special files and escaped names are never opened.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.parse.errors import SeedError
from pipeline.parse.front_matter import parse_text
from pipeline.parse.limits import Limits
from pipeline.parse.names import _ESCAPE, _is_utf8, _shown, _shown_names, _unescaped
from pipeline.parse.schemas import MANIFEST, PARSED_SEEDS

# `Schema.names` builds a new list on every call, which costs more per file than hashing it
_COLUMNS = tuple(PARSED_SEEDS.names)


def _empty_row(source_path: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_COLUMNS)
    row["source_path"] = source_path
    return row


def _read_bytes(path: str) -> bytes:
    """The file's bytes, by plain system calls: half the cost of open().read() for a small file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _special_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for is_kind, name in kinds if is_kind(mode)), "a special file")


_BAD_NAME = {
    False: "the file name is not valid UTF-8 (shown escaped); rename it to read it",
    True: "the folder name is not valid UTF-8 (shown escaped); rename it to read its files",
}


def _set_status(row: dict[str, Any], status: os.stat_result) -> None:
    row["size_bytes"] = status.st_size
    row["modified_at"] = status.st_mtime_ns // 1000  # microseconds, as discover() records it


def _bad_name(real: bytes, row: dict[str, Any], *, folder: bool) -> SeedError:
    """The error of an entry whose name is not valid UTF-8: never opened, but its status is read
    as `discover` read it, so that the next build reuses the row while the entry is unchanged."""
    try:
        _set_status(row, os.lstat(real) if folder else os.stat(real))
    except OSError:
        pass
    return SeedError("unreadable", _BAD_NAME[folder])


def _folder_error(full: str, row: dict[str, Any]) -> SeedError:
    """The error of a folder `discover` could not list; it is listed again to say why."""
    path = full.rstrip("/")
    try:
        _set_status(row, os.lstat(path))
        with os.scandir(path):
            pass
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and _ESCAPE.search(path.rpartition("/")[2]):
            return _bad_name(_unescaped(path), row, folder=True)
        reason = _shown(exc.strerror or str(exc))
        return SeedError("unreadable", f"cannot list the folder: {reason}; its files were not read")
    # its permissions changed, or the error passed: the sensor sees its files, the next build reads them
    return SeedError(
        "unreadable",
        "the folder could not be listed when the seeds were found, but can be now; the next build reads its files",
    )


def parse_file(root: Path, rel: str, limits: Limits = Limits(), loader: str = "pyyaml") -> dict[str, Any]:
    """One row of `PARSED_SEEDS` for the entry `rel` that `discover(root)` listed, whatever it is.

    A `rel` ending with `/` is a folder that could not be listed, and a name shown escaped is one
    that is not valid UTF-8 (see `discover`): neither is opened as a file."""
    row = _empty_row(rel)
    full = os.path.join(root, rel)
    try:
        if not _is_utf8(rel):  # a name straight from the OS, not from discover()
            row["source_path"] = _shown(rel)
            raise _bad_name(os.fsencode(full.rstrip("/")), row, folder=rel.endswith("/"))
        if rel.endswith("/"):
            raise _folder_error(full, row)
        try:
            status = os.lstat(full)
        except FileNotFoundError:
            # a name with an escape that is not there is one discover() showed escaped (it made
            # sure that no real name is the same); the real file is not opened
            if not _ESCAPE.search(rel.rpartition("/")[2]):
                raise
            raise _bad_name(_unescaped(full), row, folder=False) from None
        if stat.S_ISLNK(status.st_mode):
            target = _shown(os.readlink(full))
            # realpath, unlike Path.resolve(), does not raise on a link that loops
            real, top = os.path.realpath(full), os.path.realpath(root)
            if os.path.commonpath([real, top]) != top:
                raise SeedError("outside_root", f"a symbolic link to {target}, outside the seeds root")
            try:
                status = os.stat(full)
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                raise SeedError(
                    "unreadable", f"a symbolic link to {target} that loops ({exc.strerror}); a seed must be a file"
                ) from None
        if not stat.S_ISREG(status.st_mode):
            # opening a named pipe waits for a writer, and a device can be read forever
            raise SeedError("unreadable", f"not a regular file but {_special_kind(status.st_mode)}; a seed must be a file")
        _set_status(row, status)
        if status.st_size > limits.max_file_bytes:
            raise SeedError(
                "too_large",
                f"{status.st_size} bytes is over the limit of {limits.max_file_bytes} bytes (max_file_bytes)",
            )
        try:
            data = _read_bytes(full)
        except OSError as exc:
            raise SeedError("unreadable", f"cannot read the file: {_shown(exc.strerror or str(exc))}") from None
        row["content_sha256"] = hashlib.sha256(data).hexdigest()
        row.update(parse_text(data, limits, loader))
    except SeedError as exc:
        row["error_kind"], row["error_message"], row["error_line"] = exc.kind, exc.message, exc.line
    except OSError as exc:
        reason = _shown(exc.strerror or str(exc))
        row["error_kind"], row["error_message"] = "unreadable", f"cannot read the file: {reason}"
    return row


def discover(root: Path, *, with_status: bool = True) -> pa.Table:
    """Every file below `root`: `MANIFEST` rows sorted by path (POSIX, relative to `root`).

    Hidden directories (`.git`, `.seedhouse`, editor caches) are not descended into; hidden files
    are seeds like any other. Symbolic links to directories are not followed. A file whose
    status cannot be read (a dangling or looping link) is listed without size, and quarantined
    later. Without `with_status` no entry's status is read: sizes and times are NULL.

    Nothing below the root stops the listing; an odd entry is one row, quarantined by `parse_file`:

    - A folder that cannot be listed (no permission, a path over PATH_MAX, an error midway) is
      one row for the folder, its path with a trailing `/` (`news/locked/`), and none of its files.
    - A name that is not valid UTF-8 fits no Arrow string: it is shown with its bad bytes escaped
      (`caf\\xe9.md`, UTF-8 with backslash escapes), and the file is not read. Such a folder is
      one row too (`caf\\xe9/`), not descended into: every path below it would be escaped, and
      its files cannot be read under their shown names anyway. A shown name that another entry of
      the folder already has (a file can be named `caf\\xe9.md`) gets a suffix (`caf\\xe9.md (2)`),
      so that no path is listed twice.

    The root itself must be listable: an error listing it is raised.
    """
    paths: list[str] = []
    sizes: list[int | None] = []
    mtimes: list[int | None] = []

    def add(path: str, status: Callable[[], os.stat_result]) -> None:
        size = mtime = None
        if with_status:
            try:
                found = status()
                size, mtime = found.st_size, found.st_mtime_ns // 1000
            except OSError:
                pass
        paths.append(path)
        sizes.append(size)
        mtimes.append(mtime)

    pending = [(os.fspath(root), "")]
    while pending:
        directory, prefix = pending.pop()
        # a folder that fails midway gives back what it had added: it is then one row
        listed, queued = len(paths), len(pending)
        escaped: list[tuple[bytes, os.DirEntry[str], bool]] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                        linked_dir = not is_dir and entry.is_symlink() and os.path.isdir(entry.path)
                    except OSError:  # a type only a status call tells, and the status failed
                        is_dir = linked_dir = False
                    if linked_dir or (is_dir and name.startswith(".")):
                        continue
                    if not _is_utf8(name):
                        escaped.append((os.fsencode(name), entry, is_dir))
                    elif is_dir:
                        pending.append((entry.path, f"{prefix}{name}/"))
                    else:
                        size = mtime = None
                        if with_status:
                            try:
                                status = entry.stat()
                                size, mtime = status.st_size, status.st_mtime_ns // 1000
                            except OSError:
                                pass
                        paths.append(prefix + name)
                        sizes.append(size)
                        mtimes.append(mtime)
        except OSError:
            if not prefix:
                raise
            del paths[listed:], sizes[listed:], mtimes[listed:], pending[queued:]
            add(prefix, partial(os.lstat, directory))
            continue
        for name, entry, is_dir in _shown_names(directory, escaped):
            add(f"{prefix}{name}/" if is_dir else prefix + name, partial(entry.stat, follow_symlinks=not is_dir))
    table = pa.table({"source_path": paths, "size_bytes": sizes, "modified_at": mtimes}, schema=MANIFEST)
    return table.sort_by("source_path")
