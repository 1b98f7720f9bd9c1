"""Crash and concurrency safety, with real processes: kill -9 mid-build, a reader holding the
published file open during a build, and two builds at once."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from pipeline import quality
from pipeline.generate import generate
from pipeline.warehouse import Warehouse
from tests.conftest import query

# kill -9 at many moments of real builds: minutes of work, run in CI's second step
pytestmark = pytest.mark.slow


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_build(seeds: Path, warehouse: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "build", "--seeds", str(seeds), "--warehouse", str(warehouse), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crash_seeds")
    generate(6000, root, seed=3)  # large enough that a build takes several seconds
    return root


@pytest.fixture()
def published(seeds, tmp_path) -> Path:
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    first = start_build(seeds, warehouse)
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out
    return warehouse


def seconds_until_published(seeds: Path, published: Path) -> float:
    """Run a full build and return how long it took to replace the published file (publishing
    is an os.replace, so the path gets a new inode)."""
    inode = published.stat().st_ino
    build = start_build(seeds, published, "--full")
    started = time.monotonic()
    publish_at = None
    while build.poll() is None and time.monotonic() - started < 300:
        if publish_at is None and published.stat().st_ino != inode:
            publish_at = time.monotonic() - started
        time.sleep(0.01)
    out, _ = build.communicate(timeout=10)
    assert build.returncode == 0, out
    return publish_at if publish_at is not None else time.monotonic() - started


def test_kill_9_at_any_moment_leaves_the_published_file_as_it_was(seeds, published):
    builds = Warehouse(published).builds_dir
    # kill moments as fractions of one build's time to publish: in ingest (parse workers
    # running), in the table steps, in the checks, and just before the publish itself
    scale = seconds_until_published(seeds, published)
    before = digest(published)
    pending, killed = [0.1, 0.3, 0.5, 0.7, 0.85, 0.95], []
    for _attempt in range(12):  # each moment is retried, earlier, when a build outran it
        if not pending:
            break
        build = start_build(seeds, published, "--full")
        deadline = time.monotonic() + pending[0] * scale
        while time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.02)
        try:
            workers = psutil.Process(build.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            workers = []
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
        killed.append(build.pid)
        # parse workers die with the build instead of lingering
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], pending[0]
        now = digest(published)
        if now == before:
            pending.pop(0)  # killed before its publish: the file is byte for byte as it was
        else:
            # this build was faster than the measured one and published before the kill: then
            # the file is a whole, checked new warehouse; aim the same moment earlier next time
            assert query(published, "select count(*) from core.seed_files") == [(6000,)], pending[0]
            assert query(published, "select count(*) from analytics.stories") != [(0,)], pending[0]
            before = now
            scale *= 0.8
    assert pending == []  # every moment got a kill before the publish
    # the next build cleans up what the killed ones left and succeeds
    after = start_build(seeds, published, "--full")
    out, _ = after.communicate(timeout=300)
    assert after.returncode == 0, out
    assert sorted(builds.iterdir()) == []
    # ... and the GE scratch directories (Arrow files of warehouse columns) the killed ones left
    scratch = Path(tempfile.gettempdir())
    assert [p for pid in killed for p in scratch.glob(f"{quality.SCRATCH_PREFIX}{pid}-*")] == []
    assert query(published, "select count(*) from core.seed_files") == [(6000,)]


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from core.seed_files").fetchall()[0][0], flush=True)
    sys.stdin.readline()  # the build runs now
    print(con.execute("select count(*) from core.seed_files").fetchall()[0][0], flush=True)
    con.close()
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from core.seed_files").fetchall()[0][0], flush=True)
    """
)


def test_a_reader_keeps_its_snapshot_while_a_build_publishes(seeds, published, tmp_path):
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline().strip() == "6000"
    extra = seeds / "zz-extra"
    extra.mkdir(exist_ok=True)
    try:
        (extra / "one.md").write_text("---\ntitle: One more\nwebUrl: https://one.example.com/\n---\n")
        build = start_build(seeds, published)
        out, _ = build.communicate(timeout=300)
        assert build.returncode == 0, out
        assert "published" in out
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "6000"  # the old snapshot, still consistent
        assert reader.stdout.readline().strip() == "6001"  # reconnected: the new warehouse
    finally:
        reader.kill()
        (extra / "one.md").unlink()
        extra.rmdir()


def test_two_builds_at_once_one_fails_at_once_with_a_clear_message(seeds, published):
    before = digest(published)
    first = start_build(seeds, published, "--full")
    # wait until the first build holds the lock (its build files exist), then start the second
    builds = Warehouse(published).builds_dir
    deadline = time.monotonic() + 60
    while not any(builds.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = start_build(seeds, published, "--full")
    out2, _ = second.communicate(timeout=120)
    out1, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out1
    assert second.returncode == 1
    # "at once": refused by the first step before it read a seed, not after a build of its own
    assert "staging__parsed_seeds: another seedhouse build or watch is running against" in out2.replace("\n", "")
    assert "seed files from" not in out2 and "parsed" not in out2.replace("staging__parsed_seeds", "")
    assert digest(published) != before  # the first one published
    assert query(published, "select count(*) from core.seed_files") == [(6000,)]
