"""Seed files -> raw Arrow record batches (one row per file, always).

Reading and parsing is the only per-file Python work in a build, so it is kept to this: decode,
split the front matter with python-frontmatter, load the YAML without typing it, and pick the
known keys into flat columns. Everything a file can get wrong becomes an `error_kind` on its row,
never an exception out of this module: the ledger (`core.seed_files`) must account for every file.

Error kinds (the documented set; see README "What happens to a bad file"):

    unreadable                 the file could not be read (permissions, vanished mid-build), is
                               not a regular file (a named pipe, device or socket: never opened),
                               is a symbolic link that loops, or has a name that is not valid
                               UTF-8 (never opened); also a folder that could not be listed or
                               whose name is not valid UTF-8 (one row for the folder, whose
                               `source_path` ends with `/`)
    outside_root               a symbolic link pointing outside the seeds root (not followed)
    too_large                  over `Limits.max_file_bytes`
    limit_exceeded             the front matter is over another limit (value length, list
                               length, topics, related items, nesting depth, values after YAML
                               alias expansion)
    binary                     contains NUL bytes
    encoding                   not valid UTF-8
    no_front_matter            does not start with a `---` line
    unterminated_front_matter  no closing `---` line
    yaml_error                 the front matter is not valid YAML
    not_a_mapping              the front matter is a list or a scalar, not `key: value` pairs
    invalid_field              a known field has the wrong shape (e.g. a list for `title`)
    missing_field              (set in SQL) no title, or no webUrl/originalUrl
    invalid_url                (set in SQL) the URL is not http(s)
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import islice
from pathlib import Path
from typing import Any

import frontmatter
import pyarrow as pa
import yaml

from pipeline.parse import yaml_fast
from pipeline.parse.schemas import MANIFEST, PARSED_SEEDS
from pipeline.workers import worker_pool

# Scalars stay strings exactly as written: YAML 1.1 typing would turn a topic `No` into False and
# `10:00` into 600. Known fields are typed explicitly later, in SQL. Both loaders give the same
# result (PyYAML's base loader, or rapidyaml reproducing it; see pipeline/parse/yaml_fast.py).
LOADERS = {"pyyaml": yaml_fast.load_pyyaml, "fast": yaml_fast.load}

KNOWN_KEYS = frozenset(
    {
        "title",
        "excerpt",
        "publishedDateTime",
        "webUrl",
        "originalUrl",
        "type",
        "category",
        "quality",
        "heat",
        "published",
        "provider",
        "topics",
        "images",
        "related",
        "secured",
    }
)

BOM = "\ufeff"


class SeedError(Exception):
    """A file that cannot become an article; `kind` is one of the documented error kinds."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Limits:
    """Input limits; a file over one is quarantined with the limit named.

    The defaults are far above anything a real seed holds (the largest real front matter has a
    few hundred values) and far below what would hurt a build.
    """

    max_file_bytes: int = 5_000_000
    max_value_chars: int = 100_000
    max_list_items: int = 1_000
    max_depth: int = 20
    # counted with repeats, so an alias "bomb" (a few lines that expand to billions) stops here
    max_values: int = 20_000
    # What one seed may add to the tables downstream: every topic is a series of the zero-filled
    # analytics.topic_attention and pairs with each other topic of the seed in
    # analytics.topic_pairs (100 topics: at most 4,950 pairs), every related item is a link and a
    # story member. The real seeds list at most 5 topics and 18 related items (everyday-ai; the
    # sample seeds: 5 and 5), so these leave twenty and ten times that. Under max_list_items
    # alone (1,000), ten seeds of 1,000 topics made 23 million topic_attention rows.
    max_topics: int = 100
    max_related: int = 200

    def check(self, data: Any) -> None:
        """Walk the loaded front matter once, within budget; raise on the first limit crossed."""
        stack: list[tuple[Any, int]] = [(data, 1)]
        seen = 0
        while stack:
            value, depth = stack.pop()
            seen += 1
            if seen > self.max_values:
                raise SeedError(
                    "limit_exceeded",
                    f"the front matter holds more than {self.max_values} values (max_values); "
                    "YAML aliases that repeat large blocks count every time they are used",
                )
            if depth > self.max_depth:
                raise SeedError("limit_exceeded", f"the front matter nests deeper than {self.max_depth} levels (max_depth)")
            if isinstance(value, str):
                if len(value) > self.max_value_chars:
                    raise SeedError(
                        "limit_exceeded",
                        f"a value of {len(value)} characters is over {self.max_value_chars} (max_value_chars)",
                    )
            elif isinstance(value, dict):
                stack.extend((v, depth + 1) for v in value.values())
            elif isinstance(value, list):
                if len(value) > self.max_list_items:
                    raise SeedError(
                        "limit_exceeded",
                        f"a list of {len(value)} items is over {self.max_list_items} (max_list_items)",
                    )
                stack.extend((v, depth + 1) for v in value)


def _unterminated() -> SeedError:
    return SeedError(
        "unterminated_front_matter", "the front matter opened with '---' on line 1 is never closed by a '---' line"
    )


class SeedFrontMatter(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler, made strict.

    The stock handler answers a missing closing `---` or a non-mapping front matter with empty
    metadata and no error, which would lose files silently; this one raises instead.
    """

    def split(self, text: str) -> tuple[str, str]:
        """As the stock `FM_BOUNDARY.split(text, 2)`, without running its multi-line pattern at
        every position of the front matter: only a line that starts with '-' can close it (a test
        holds the two equal)."""
        opening = self.FM_BOUNDARY.match(text)
        if opening is None:  # not at the very start: the stock way
            parts = self.FM_BOUNDARY.split(text, 2)
            if len(parts) < 3:
                raise _unterminated()
            return parts[1], parts[2]
        at = opening.end()
        while (at := text.find("\n-", at)) != -1:
            at += 1
            closing = self.FM_BOUNDARY.match(text, at)
            if closing is not None:
                return text[opening.end() : closing.start()], text[closing.end() :]
        raise _unterminated()

    def __init__(self, limits: Limits | None = None, loader: str = "pyyaml"):
        super().__init__()
        self.limits = limits or Limits()
        self.loader = LOADERS[loader]

    def load(self, fm: str, **kwargs: object) -> Any:
        try:
            data = self.loader(fm)
        except yaml.MarkedYAMLError as exc:
            # the front matter text starts with the rest of the opening '---' line, so a mark's
            # 0-based line is the file's 1-based line minus one
            mark = exc.problem_mark or exc.context_mark
            message = f"invalid YAML: {exc.problem or exc}"
            if exc.context and exc.context_mark:
                message += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
            raise SeedError("yaml_error", message, mark.line + 1 if mark else None) from None
        except yaml.reader.ReaderError as exc:  # a control character: PyYAML gives an offset
            line = fm[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
            raise SeedError(
                "yaml_error", f"invalid YAML: control character {chr(exc.character)!r} is not allowed", line
            ) from None
        except yaml.YAMLError as exc:
            raise SeedError("yaml_error", f"invalid YAML: {exc}") from None
        except RecursionError:
            raise SeedError("limit_exceeded", "the front matter nests too deeply to read (max_depth)") from None
        if not isinstance(data, dict):
            kind = "empty" if data is None else type(data).__name__
            raise SeedError(
                "not_a_mapping",
                f"the front matter is {_describe(kind)}, expected 'key: value' pairs",
            )
        # Without aliases no value is longer than the text itself, so the walk is needed only for
        # aliases or a front matter that large; known lists are measured as they are flattened.
        if "*" in fm or len(fm) > self.limits.max_value_chars:
            self.limits.check(data)
        return data


@lru_cache(maxsize=8)
def _handler(limits: Limits, loader: str) -> SeedFrontMatter:
    return SeedFrontMatter(limits, loader)


def _describe(kind: str) -> str:
    return {"list": "a list", "str": "a single scalar", "empty": "empty"}.get(kind, kind)


def _text(value: Any, field: str) -> str | None:
    """A scalar field as text; lists and mappings are an error, not a silent str()."""
    if value is None or isinstance(value, str):
        return value
    raise SeedError("invalid_field", f"'{field}' should be a single value, got a {_shape(value)}")


def _shape(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"


def _as_list(value: Any, field: str, limits: Limits, most: tuple[int, str] | None = None) -> list[Any]:
    """A scalar (or a lone mapping) where a list is expected is a one-item list. A list over
    `max_list_items`, or over `most` (a limit of this field's own and its name), is an error."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        return [value]
    for limit, name in [(limits.max_list_items, "max_list_items")] + ([most] if most else []):
        if len(value) > limit:
            raise SeedError("limit_exceeded", f"'{field}' has {len(value)} items, over {limit} ({name})")
    return value


def _provider(value: Any, field: str) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, str):  # `provider: Nature`
        return value, None
    if isinstance(value, dict):
        return _text(value.get("name"), f"{field}.name"), _text(value.get("domain"), f"{field}.domain")
    raise SeedError("invalid_field", f"'{field}' should be a mapping with name and domain, got a list")


def _topics(value: Any, limits: Limits) -> list[str]:
    topics = []
    for item in _as_list(value, "topics", limits, (limits.max_topics, "max_topics")):
        if not isinstance(item, str):
            raise SeedError("invalid_field", f"'topics' items should be text, got a {_shape(item)}")
        topics.append(item)
    return topics


def _images(value: Any, limits: Limits, field: str = "images") -> list[dict[str, str | None]]:
    images = []
    for item in _as_list(value, field, limits):
        if isinstance(item, str):  # a bare URL
            item = {"url": item}
        if not isinstance(item, dict):
            raise SeedError("invalid_field", f"'{field}' items should be mappings, got a {_shape(item)}")
        images.append(
            {
                "url": _text(item.get("url"), f"{field}.url"),
                "width": _text(item.get("width"), f"{field}.width"),
                "height": _text(item.get("height"), f"{field}.height"),
                "title": _text(item.get("title"), f"{field}.title"),
            }
        )
    return images


def _related(value: Any, limits: Limits) -> list[dict[str, str | None]]:
    related = []
    for item in _as_list(value, "related", limits, (limits.max_related, "max_related")):
        if not isinstance(item, dict):
            raise SeedError("invalid_field", f"'related' items should be mappings, got a {_shape(item)}")
        name, domain = _provider(item.get("provider"), "related.provider")
        related.append(
            {
                "title": _text(item.get("title"), "related.title"),
                "excerpt": _text(item.get("excerpt"), "related.excerpt"),
                "published": _text(item.get("publishedDateTime"), "related.publishedDateTime"),
                "web_url": _text(item.get("webUrl") or item.get("originalUrl"), "related.webUrl"),
                "type": _text(item.get("type"), "related.type"),
                "provider_name": name,
                "provider_domain": domain,
                "quality": _text(item.get("quality"), "related.quality"),
            }
        )
    return related


def front_matter_fields(meta: dict[str, Any], limits: Limits = Limits()) -> dict[str, Any]:
    """The raw columns of one parsed front matter (see `PARSED_SEEDS`)."""
    provider_name, provider_domain = _provider(meta.get("provider"), "provider")
    extra = {str(k): v for k, v in meta.items() if k not in KNOWN_KEYS}
    return {
        "title": _text(meta.get("title"), "title"),
        "excerpt": _text(meta.get("excerpt"), "excerpt"),
        "published": _text(meta.get("publishedDateTime"), "publishedDateTime"),
        "web_url": _text(meta.get("webUrl"), "webUrl"),
        "original_url": _text(meta.get("originalUrl"), "originalUrl"),
        "type": _text(meta.get("type"), "type"),
        "category": _text(meta.get("category"), "category"),
        "quality": _text(meta.get("quality"), "quality"),
        "heat": _text(meta.get("heat"), "heat"),
        "is_published": _text(meta.get("published"), "published"),
        "provider_name": provider_name,
        "provider_domain": provider_domain,
        "secured": _text(meta.get("secured"), "secured"),
        "topics": _topics(meta.get("topics"), limits),
        "images": _images(meta.get("images"), limits),
        "related": _related(meta.get("related"), limits),
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
    }


def parse_text(data: bytes, limits: Limits = Limits(), loader: str = "pyyaml") -> dict[str, Any]:
    """Decode and parse one file's bytes into raw columns; raises SeedError."""
    if b"\x00" in data:
        raise SeedError("binary", "the file contains NUL bytes: it looks binary, not a text seed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SeedError(
            "encoding",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            line,
        ) from None
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    handler = _handler(limits, loader)
    if not handler.detect(text):
        raise SeedError("no_front_matter", "the file does not start with a '---' front matter line", 1)
    meta, body = frontmatter.parse(text, handler=handler)
    row = front_matter_fields(meta, limits)
    row["body_chars"] = len(body)
    return row


# `Schema.names` builds a new list on every call: 4 us a file, more than hashing it
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


# A name that is not valid UTF-8 fits no Arrow or DuckDB string: `discover` shows it with the bad
# bytes as `\xe9` escapes, and `parse_file` knows it again by an escape in a name that is not there.
_ESCAPE = re.compile(r"\\x[89a-f][0-9a-f]")
_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")

_BAD_NAME = {
    False: "the file name is not valid UTF-8 (shown escaped); rename it to read it",
    True: "the folder name is not valid UTF-8 (shown escaped); rename it to read its files",
}


def _is_utf8(name: str) -> bool:
    """False for a name from the OS that is not valid UTF-8 (its bad bytes are surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    """`text` from the OS (a name, a link's target) as valid UTF-8: bad bytes as `\\xe9` escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unescaped(full: str) -> bytes:
    """The real path of `full`, whose last name `discover` showed escaped."""
    parent, _, name = full.rpartition("/")
    return os.fsencode(parent) + b"/" + _ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), name.encode())


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


def _shown_names(
    directory: str, escaped: list[tuple[bytes, os.DirEntry[str], bool]]
) -> list[tuple[str, os.DirEntry[str], bool]]:
    """The shown names of a folder's entries whose names are not valid UTF-8, each told apart
    from every other name there, the same whatever order the folder lists them in."""
    shown: list[tuple[str, os.DirEntry[str], bool]] = []
    taken: set[str] = set()
    for _, entry, is_dir in sorted(escaped, key=lambda item: item[0]):
        base = name = _shown(entry.name)
        copy = 1
        # parse_file tells an escaped name by its not being there
        while name in taken or os.path.lexists(os.path.join(directory, name)):
            copy += 1
            name = f"{base} ({copy})"
        taken.add(name)
        shown.append((name, entry, is_dir))
    return shown


# Read-ahead needs Linux's non-blocking read (to tell a cached file from one on disk) and fadvise.
_CAN_READ_AHEAD = hasattr(os, "preadv") and hasattr(os, "RWF_NOWAIT") and hasattr(os, "posix_fadvise")
_PROBES = 4


def _open_regular(path: str) -> int | None:
    """A descriptor of the regular file at `path`, not through a link; None for anything else."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None


def _on_disk(path: str) -> bool:
    """True when reading the file's first byte would wait for the disk (it is not in the page
    cache); False when it is cached, or when that cannot be told. Saying True, it has made the
    kernel start reading the file."""
    fd = _open_regular(path)
    if fd is None:
        return False
    try:
        os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
        return False
    except BlockingIOError:
        return True
    except OSError:  # a file system without non-blocking buffered reads
        return False
    finally:
        os.close(fd)


def read_ahead(root: Path, paths: Sequence[str]) -> bool:
    """Ask the kernel to read a chunk's files into the page cache all at once, when they are not
    there already; returns whether it asked.

    Read one after another, files that are not cached cost a disk round trip each (20,000 seeds
    paged out: 1.3 s instead of 0.12 s with them cached); asked for together, the reads overlap
    (0.3 s). Asking costs about 4.5 us a file, so a few files spread over the chunk are probed
    first and a cached chunk is left alone. Only regular files are opened, never through a link.
    """
    if not _CAN_READ_AHEAD or not paths:
        return False
    step = max(1, len(paths) // _PROBES)
    if not any(_on_disk(os.path.join(root, rel)) for rel in paths[::step][:_PROBES]):
        return False
    for rel in paths:
        fd = _open_regular(os.path.join(root, rel))
        if fd is None:
            continue  # parse_file says what is wrong with it
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)
    return True


def parse_rows(root: Path, paths: list[str], limits: Limits = Limits(), loader: str = "pyyaml") -> pa.RecordBatch:
    """A record batch of `PARSED_SEEDS`, one row per path, in the order given."""
    read_ahead(root, paths)
    rows = [parse_file(root, rel, limits, loader) for rel in paths]
    return pa.RecordBatch.from_pylist(rows, schema=PARSED_SEEDS)


# Below this many files a process pool costs more (start-up, imports) than it saves.
PARALLEL_MIN_FILES = 4_000


def parse_batches(
    root: Path,
    paths: Sequence[str] | pa.ChunkedArray,
    *,
    limits: Limits = Limits(),
    workers: int | None = None,
    batch_size: int = 1_000,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Record batches of `PARSED_SEEDS` for `paths`, in order, parsed on `workers` processes.

    At most two batches per worker are in flight, so memory stays bounded however many files
    there are; the caller streams the batches into DuckDB as they come. Bulk parses in the workers
    use the fast loader; a small parse runs in this process with PyYAML (same results).
    """
    workers = workers or os.cpu_count() or 1
    # an Arrow column of a million paths costs a fraction of a list of Python strings: chunks
    # become lists only as they are handed out
    chunks = (
        paths[i : i + batch_size].to_pylist() if isinstance(paths, pa.ChunkedArray) else list(paths[i : i + batch_size])
        for i in range(0, len(paths), batch_size)
    )
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for chunk in chunks:
            batch = parse_rows(root, chunk, limits)
            if on_progress:
                on_progress(batch.num_rows)
            yield batch
        return
    # quiet: PyYAML parses what rapidyaml rejects, and any real error travels back as a ledger row
    with worker_pool(workers, quiet=True) as pool:
        in_flight: deque[Future[pa.RecordBatch]] = deque(
            pool.submit(parse_rows, root, chunk, limits, "fast") for chunk in islice(chunks, 2 * workers)
        )
        while in_flight:
            batch = in_flight.popleft().result()
            for chunk in islice(chunks, 1):
                in_flight.append(pool.submit(parse_rows, root, chunk, limits, "fast"))
            if on_progress:
                on_progress(batch.num_rows)
            yield batch
