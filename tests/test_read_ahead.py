"""Seeds that are not in the page cache are asked for all at once, and files that are not regular
files are quarantined instead of read (a named pipe would wait for a writer forever)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.parse import page_cache, parse_rows, read_ahead
from tests.conftest import TINY_SEEDS, write_seeds

SEED = TINY_SEEDS["a.md"]


def evict(paths: list[Path]) -> None:
    """Drop the files' pages from the page cache (written back first, or they would stay)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def on_disk(paths: list[Path]) -> list[bool]:
    """Each file probed once: a probe that finds a file on disk starts reading it, so only the
    first probe of a file tells its state."""
    return [page_cache._on_disk(str(path)) for path in paths]


@pytest.fixture
def seeds(tmp_path) -> tuple[Path, list[str]]:
    if not page_cache._CAN_READ_AHEAD:
        pytest.skip("read-ahead needs Linux's preadv(RWF_NOWAIT) and posix_fadvise")
    names = [f"s{i:03d}.md" for i in range(40)]
    write_seeds(tmp_path, dict.fromkeys([*names, "sentinel.md"], SEED))
    evict([tmp_path / name for name in [*names, "sentinel.md"]])
    if on_disk([tmp_path / "sentinel.md"]) != [True]:
        pytest.skip(f"{tmp_path}'s file system keeps the files in memory (tmpfs?): nothing to read ahead")
    return tmp_path, names


def test_a_chunk_on_disk_is_asked_for_whole_and_lands_in_the_page_cache(seeds):
    root, names = seeds
    files = [root / name for name in names]
    assert read_ahead(root, names) is True
    time.sleep(2)  # reading 40 small files takes milliseconds; the kernel does it in the background
    assert on_disk(files) == [False] * 40
    # cached now: the probes see it, and nothing more is asked
    assert read_ahead(root, names) is False


def test_read_ahead_changes_no_row(seeds):
    root, names = seeds
    parsed_from_disk = parse_rows(root, names).to_pylist()
    parsed_cached = parse_rows(root, names).to_pylist()
    assert parsed_from_disk == parsed_cached
    assert {row["title"] for row in parsed_from_disk} == {"Robots learn to fold laundry"}


def test_special_files_are_quarantined_and_read_ahead_passes_them_by(seeds, tmp_path_factory):
    root, names = seeds
    os.mkfifo(root / "pipe.md")
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_bytes(SEED)
    (root / "link.md").symlink_to(outside)
    chunk = ["link.md", "pipe.md", *names, "vanished.md"]
    signal.alarm(30)  # a regression would block on the pipe: fail instead of hanging the suite
    try:
        assert read_ahead(root, chunk) is True
        rows = parse_rows(root, chunk).to_pylist()
    finally:
        signal.alarm(0)
    assert [(r["source_path"], r["error_kind"]) for r in rows[:2]] == [("link.md", "outside_root"), ("pipe.md", "unreadable")]
    assert rows[1]["error_message"] == "not a regular file but a named pipe (FIFO); a seed must be a file"
    assert rows[1]["size_bytes"] is None
    assert (rows[-1]["error_kind"], rows[-1]["error_message"]) == (
        "unreadable",
        "cannot read the file: No such file or directory",
    )
    assert [r["error_kind"] for r in rows[2:-1]] == [None] * 40
