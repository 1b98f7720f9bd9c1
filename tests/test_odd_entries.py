"""Odd directory entries under the seeds root: each gets its ledger row, none fails the build.

Symbolic links that loop, names that are not valid UTF-8, folders that cannot be listed (no
permission, a path over PATH_MAX): discovery lists each as one entry, the parse quarantines it
without opening it, the sensor still ticks and the build still publishes.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from dagster import RunRequest, build_sensor_context

import pipeline.parse.batches
import pipeline.parse.files
from assets.ingest.sensors import seeds_changed
from pipeline.build import run_build
from pipeline.ingest import manifest_fingerprint
from pipeline.parse import PARSED_SEEDS, discover, page_cache, parse_batches, parse_file, read_ahead
from pipeline.resources import SeedhouseResource
from tests.conftest import PROJECT, query

# every test builds or scans real odd folders (a user who cannot list one, paths past PATH_MAX)
pytestmark = pytest.mark.slow

PATH_MAX = os.pathconf("/", "PC_PATH_MAX")

LOOP = "a symbolic link to {} that loops (Too many levels of symbolic links); a seed must be a file"
BAD_FILE_NAME = "the file name is not valid UTF-8 (shown escaped); rename it to read it"
BAD_FOLDER_NAME = "the folder name is not valid UTF-8 (shown escaped); rename it to read its files"
TOO_LONG_FOLDER = "cannot list the folder: File name too long; its files were not read"
TOO_LONG_FILE = "cannot read the file: File name too long"
LOCKED_FOLDER = "cannot list the folder: Permission denied; its files were not read"


def article(n: int) -> bytes:
    return f"---\ntitle: Article {n}\nwebUrl: https://odd.example.com/{n}\n---\n".encode()


def touch(path: bytes, data: bytes) -> None:
    """A file under a name that may not be valid UTF-8."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def make_loops(root: Path) -> None:
    (root / "loop-a.md").symlink_to("loop-b.md")
    (root / "loop-b.md").symlink_to("loop-a.md")
    (root / "self.md").symlink_to("self.md")


def make_bad_names(root: Path) -> None:
    """A file and a folder whose names are Latin-1, each holding a good article."""
    base = os.fsencode(root)
    touch(base + b"/caf\xe9.md", article(1))
    os.mkdir(base + b"/r\xe9sum\xe9s")
    touch(base + b"/r\xe9sum\xe9s/inside.md", article(2))


def make_deep(root: Path) -> tuple[str, str]:
    """Folders nested under `root/deep` until a path is over PATH_MAX, made relative to open
    descriptors (such a path cannot be named whole). Returns, relative to `root`, the first folder
    whose path is too long (it holds a file) and a file whose path is too long, in the deepest
    folder that can still be listed."""
    deep = root / "deep"
    deep.mkdir()
    names: list[str] = []
    while len(os.fsencode(deep)) + sum(len(name) + 1 for name in names) < PATH_MAX:
        names.append(f"{len(names):02d}" + "n" * 248)
    long_file = "f" * 255
    fd = os.open(deep, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, name in enumerate(names, 1):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
            if depth == len(names) - 1:
                os.close(os.open(long_file, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
        os.close(os.open("beyond.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    prefix = "deep/" + "".join(f"{name}/" for name in names[:-1])
    return f"{prefix}{names[-1]}/", prefix + long_file


def rows_of(root: Path) -> dict[str, dict]:
    return {rel: parse_file(root, rel) for rel in discover(root).column("source_path").to_pylist()}


def outcome(row: dict) -> tuple:
    return row["error_kind"], row["error_message"], row["size_bytes"], row["content_sha256"], row["title"]


def test_symlink_loops_are_listed_and_quarantined(tmp_path):
    make_loops(tmp_path)
    manifest = discover(tmp_path)
    assert manifest.column("source_path").to_pylist() == ["loop-a.md", "loop-b.md", "self.md"]
    assert manifest.column("size_bytes").to_pylist() == [None, None, None]
    assert {rel: outcome(row) for rel, row in rows_of(tmp_path).items()} == {
        "loop-a.md": ("unreadable", LOOP.format("loop-b.md"), None, None, None),
        "loop-b.md": ("unreadable", LOOP.format("loop-a.md"), None, None, None),
        "self.md": ("unreadable", LOOP.format("self.md"), None, None, None),
    }


def test_a_name_that_is_not_utf8_is_shown_escaped_and_never_opened(tmp_path, monkeypatch):
    make_bad_names(tmp_path)
    (tmp_path / "fine.md").write_bytes(article(3))
    manifest = discover(tmp_path)
    folder = os.lstat(os.fsencode(tmp_path) + b"/r\xe9sum\xe9s")
    # the folder is one row; the file inside it is not listed
    assert manifest.column("source_path").to_pylist() == ["caf\\xe9.md", "fine.md", "r\\xe9sum\\xe9s/"]
    assert manifest.column("size_bytes").to_pylist() == [len(article(1)), len(article(3)), folder.st_size]

    def no_read(path):
        raise AssertionError(f"{path} was opened")

    monkeypatch.setattr(pipeline.parse.files, "_read_bytes", no_read)
    rows = {rel: parse_file(tmp_path, rel) for rel in ["caf\\xe9.md", "r\\xe9sum\\xe9s/"]}
    assert {rel: outcome(row) for rel, row in rows.items()} == {
        "caf\\xe9.md": ("unreadable", BAD_FILE_NAME, len(article(1)), None, None),
        "r\\xe9sum\\xe9s/": ("unreadable", BAD_FOLDER_NAME, folder.st_size, None, None),
    }
    # the same status discovery read: an unchanged entry's row is reused by the next build
    modified = manifest.column("modified_at").cast(pa.int64()).to_pylist()
    assert [rows["caf\\xe9.md"]["modified_at"], rows["r\\xe9sum\\xe9s/"]["modified_at"]] == [modified[0], modified[2]]
    # a name straight from the OS (surrogate-escaped by Python) gives the same row
    raw = parse_file(tmp_path, os.fsdecode(b"caf\xe9.md"))
    assert (raw["source_path"], *outcome(raw)) == ("caf\\xe9.md", *outcome(rows["caf\\xe9.md"]))
    assert pa.RecordBatch.from_pylist([raw, *rows.values()], schema=PARSED_SEEDS).num_rows == 3


def test_names_that_show_alike_are_told_apart_whatever_the_listing_order(tmp_path):
    base = os.fsencode(tmp_path)
    (tmp_path / "caf\\xe9.md").write_bytes(article(4))  # a valid name, with a backslash in it
    touch(base + b"/caf\xe9.md", article(5))
    # two invalid names that show alike: a literal `\xe9` before or after the bad byte
    touch(base + b"/a\\xe9\xe9.md", b"")
    touch(base + b"/a\xe9\\xe9.md", b"")
    rows = rows_of(tmp_path)
    assert list(rows) == ["a\\xe9\\xe9.md", "a\\xe9\\xe9.md (2)", "caf\\xe9.md", "caf\\xe9.md (2)"]
    assert [(row["error_kind"], row["error_message"]) for row in rows.values()] == [
        ("unreadable", BAD_FILE_NAME),
        ("unreadable", BAD_FILE_NAME),
        (None, None),
        ("unreadable", BAD_FILE_NAME),
    ]
    assert rows["caf\\xe9.md"]["title"] == "Article 4"


@pytest.fixture
def deep_tree(tmp_path):
    too_long_folder, too_long_file = make_deep(tmp_path)
    (tmp_path / "top.md").write_bytes(article(6))
    yield tmp_path, too_long_folder, too_long_file
    shutil.rmtree(tmp_path / "deep")  # walks by descriptors, so it reaches past PATH_MAX


def test_a_folder_past_path_max_is_one_row_and_a_file_past_it_is_unreadable(deep_tree):
    root, too_long_folder, too_long_file = deep_tree
    assert len(os.fsencode(root / too_long_folder.rstrip("/"))) >= PATH_MAX
    assert len(os.fsencode(root / too_long_file)) >= PATH_MAX
    rows = rows_of(root)
    assert sorted(rows) == sorted([too_long_folder, too_long_file, "top.md"])
    assert outcome(rows[too_long_folder]) == ("unreadable", TOO_LONG_FOLDER, None, None, None)
    assert outcome(rows[too_long_file]) == ("unreadable", TOO_LONG_FILE, None, None, None)
    assert rows["top.md"]["error_kind"] is None


def test_read_ahead_and_the_parse_workers_pass_odd_entries_by(deep_tree, monkeypatch):
    root, _, _ = deep_tree
    make_loops(root)
    make_bad_names(root)
    paths = discover(root).column("source_path").to_pylist()
    assert len(paths) == 8
    assert read_ahead(root, paths) in (True, False)
    assert [page_cache._on_disk(os.path.join(root, rel)) for rel in paths] == [False] * len(paths)
    in_process = [parse_file(root, rel) for rel in paths]
    monkeypatch.setattr(pipeline.parse.batches, "PARALLEL_MIN_FILES", 1)  # spawn the worker processes anyway
    batches = list(parse_batches(root, paths, workers=2, batch_size=3))
    assert len(batches) == 3
    in_workers = [row for batch in batches for row in batch.to_pylist()]
    assert [(r["source_path"], r["error_kind"], r["error_message"]) for r in in_workers] == [
        (r["source_path"], r["error_kind"], r["error_message"]) for r in in_process
    ]


def test_the_sensor_ticks_with_odd_entries(deep_tree):
    root, _, _ = deep_tree
    make_loops(root)
    make_bad_names(root)
    fingerprint = manifest_fingerprint(root)
    assert fingerprint.startswith("8:") and manifest_fingerprint(root) == fingerprint
    resources = {"seedhouse": SeedhouseResource(seeds_root=str(root))}
    with build_sensor_context(cursor=None, resources=resources) as context:
        request = seeds_changed(context)
    assert isinstance(request, RunRequest) and fingerprint in request.run_key


# Run as `nobody` when this is root (root lists a folder whatever its mode). The interpreter lives
# under /root, which `nobody` cannot enter: it starts as root, imports and warms up everything the
# run needs (pyarrow imports some modules on first use), then drops to `nobody`.
AS_ANOTHER_USER = """
import json, os, sys, tempfile
from pathlib import Path
import pyarrow as pa
from pipeline.ingest import manifest_fingerprint
from pipeline.parse import discover, parse_file, read_ahead

with tempfile.TemporaryDirectory() as warm:
    Path(warm, "warm.md").write_bytes(b"---\\n")
    for rel in discover(Path(warm)).column("source_path").to_pylist():
        parse_file(Path(warm), rel)
    manifest_fingerprint(Path(warm))
if os.geteuid() == 0:
    uid, gid = int(sys.argv[2]), int(sys.argv[3])
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
root = Path(sys.argv[1])
manifest = discover(root)
paths = manifest.column("source_path").to_pylist()
read_ahead(root, paths)
rows = [parse_file(root, rel) for rel in paths]
print(json.dumps({
    "manifest": [paths, manifest.column("size_bytes").to_pylist(),
                 manifest.column("modified_at").cast(pa.int64()).to_pylist()],
    "rows": [[r["source_path"], r["error_kind"], r["error_message"], r["size_bytes"], r["modified_at"]] for r in rows],
    "fingerprint": manifest_fingerprint(root),
}))
"""


def test_a_folder_that_cannot_be_listed_is_one_row_and_the_rest_is_listed():
    as_root = os.geteuid() == 0
    if as_root:
        try:
            user = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("no user 'nobody' to list the folder as (root lists a folder whatever its mode)")
    else:
        user = pwd.getpwuid(os.geteuid())
    # not under pytest's tmp_path: its parent folder is readable by its owner only
    with tempfile.TemporaryDirectory(prefix="seedhouse-odd-") as top:
        root = Path(top)
        root.chmod(0o755)
        (root / "open").mkdir()
        (root / "open" / "inside.md").write_bytes(article(7))
        (root / "locked").mkdir()
        (root / "locked" / "secret.md").write_bytes(article(8))
        (root / "locked").chmod(0o000)
        try:
            locked = os.lstat(root / "locked")
            result = subprocess.run(
                [sys.executable, "-c", AS_ANOTHER_USER, str(root), str(user.pw_uid), str(user.pw_gid)],
                cwd=PROJECT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
            seen = json.loads(result.stdout)
            modified = locked.st_mtime_ns // 1000
            inside = os.stat(root / "open" / "inside.md")
            assert seen["manifest"] == [
                ["locked/", "open/inside.md"],
                [locked.st_size, inside.st_size],
                [modified, inside.st_mtime_ns // 1000],
            ]
            assert seen["rows"] == [
                ["locked/", "unreadable", LOCKED_FOLDER, locked.st_size, modified],
                ["open/inside.md", None, None, inside.st_size, inside.st_mtime_ns // 1000],
            ]
            assert seen["fingerprint"].startswith("2:")
            if as_root:
                # root can list it by the time it is parsed: the row still stands, and says so
                row = parse_file(root, "locked/")
                assert (row["error_kind"], row["error_message"], row["size_bytes"]) == (
                    "unreadable",
                    "the folder could not be listed when the seeds were found, but can be now; "
                    "the next build reads its files",
                    locked.st_size,
                )
        finally:
            (root / "locked").chmod(0o755)


# end to end: one seeds folder holding every odd entry, built twice (the second build reuses the
# parse of the first)

@pytest.fixture(scope="module")
def odd_build(tmp_path_factory, warm_ge):
    root = tmp_path_factory.mktemp("odd_seeds")
    for n in range(3):
        (root / f"good-{n}.md").write_bytes(article(10 + n))
    make_loops(root)
    make_bad_names(root)
    (root / "clash").mkdir()
    (root / "clash" / "caf\\xe9.md").write_bytes(article(20))
    touch(os.fsencode(root) + b"/clash/caf\xe9.md", article(21))
    too_long_folder, too_long_file = make_deep(root)
    found = discover(root).num_rows
    warehouse = tmp_path_factory.mktemp("odd_wh") / "seedhouse.duckdb"
    first = run_build(root, warehouse, ge=warm_ge)
    first_ledger = query(warehouse, "select * from core.seed_files order by source_path")
    second = run_build(root, warehouse, ge=warm_ge)
    yield first, second, first_ledger, warehouse, found, too_long_folder, too_long_file
    shutil.rmtree(root / "deep")


def test_the_build_publishes_with_every_odd_entry_in_the_ledger(odd_build):
    first, second, _, warehouse, found, too_long_folder, too_long_file = odd_build
    for report in (first, second):
        assert (report.success, report.published, report.errors, report.blocking_failures) == (True, True, [], [])
    assert found == 12
    assert query(warehouse, "select count(*), count(distinct source_path) from core.seed_files") == [(found, found)]
    rows = query(warehouse, "select source_path, status, error_kind, error_message from core.seed_files order by 1")
    assert rows == sorted(
        [
            ("caf\\xe9.md", "quarantined", "unreadable", BAD_FILE_NAME),
            ("clash/caf\\xe9.md", "loaded", None, None),
            ("clash/caf\\xe9.md (2)", "quarantined", "unreadable", BAD_FILE_NAME),
            (too_long_folder, "quarantined", "unreadable", TOO_LONG_FOLDER),
            (too_long_file, "quarantined", "unreadable", TOO_LONG_FILE),
            ("good-0.md", "loaded", None, None),
            ("good-1.md", "loaded", None, None),
            ("good-2.md", "loaded", None, None),
            ("loop-a.md", "quarantined", "unreadable", LOOP.format("loop-b.md")),
            ("loop-b.md", "quarantined", "unreadable", LOOP.format("loop-a.md")),
            ("r\\xe9sum\\xe9s/", "quarantined", "unreadable", BAD_FOLDER_NAME),
            ("self.md", "quarantined", "unreadable", LOOP.format("self.md")),
        ]
    )
    assert query(warehouse, "select size_bytes from core.seed_files where source_path = 'caf\\xe9.md'") == [
        (len(article(1)),)
    ]


def test_a_second_build_reuses_what_it_can_and_keeps_the_same_ledger(odd_build):
    first, second, first_ledger, warehouse, *_ = odd_build
    assert query(warehouse, "select * from core.seed_files order by source_path") == first_ledger
    # parsed again: the entries without a status (the loops, the paths past PATH_MAX), and the
    # escaped name with a suffix (its status cannot be read under its shown name)
    assert (second.parsed, second.reused) == (6, 6)
