"""`seedhouse watch` as an operator runs it: a real process on a real folder, changes made to the
folder while it runs, a shell build refused while it holds the lock, a failed build survived, and
Ctrl-C delivered to its whole process group as a terminal does."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.warehouse import Warehouse
from tests.conftest import TINY_SEEDS, query, write_seeds

pytestmark = pytest.mark.slow

NEW_SEED = b"""---
title: "A watched seed lands"
excerpt: "Published by the watcher."
publishedDateTime: 2024-05-01T10:00:00Z
webUrl: "https://www.exampletimes.com/news/watched-seed-lands"
type: article
provider:
  name: Example Times
  domain: exampletimes.com
---
"""


class Lines:
    """The lines a process writes, read on a thread so that waiting for one never blocks."""

    def __init__(self, stream):
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, deadline_s: float = 240) -> str:
        """The next line holding `text` (a deadline only so that a broken build cannot hang CI)."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"the process ended before printing {text!r}; it printed {self.seen}")
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in {deadline_s} s; printed {self.seen}")

    def rest(self) -> list[str]:
        """Every line, once the process has ended."""
        while (line := self._queue.get(timeout=60)) is not None:
            self.seen.append(line)
        return self.seen


def start_watch(seeds: Path, warehouse: Path, cwd: Path, ctrl_c=signal.SIG_DFL) -> subprocess.Popen:
    """`seedhouse watch` as a terminal starts it: a process group of its own, Ctrl-C not ignored
    (a shell's background job, which this test may run in, would hand it on ignored). With
    `ctrl_c=signal.SIG_IGN`, as nohup or a shell's background job starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "watch", "--seeds", str(seeds), "--warehouse", str(warehouse),
         "--debounce", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, ctrl_c),
    )


def stop_with_sigterm(watch: subprocess.Popen) -> int:
    """SIGTERM, and the exit code; a watch still running two minutes later is killed and fails."""
    watch.send_signal(signal.SIGTERM)
    try:
        return watch.wait(timeout=120)
    except subprocess.TimeoutExpired:
        watch.kill()
        watch.wait()
        raise AssertionError("seedhouse watch did not stop on SIGTERM") from None


def test_watch_publishes_each_change_survives_a_failed_build_and_stops_on_ctrl_c(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    watch = start_watch(seeds, warehouse, tmp_path)
    out, err = Lines(watch.stdout), Lines(watch.stderr)
    try:
        assert "(2 articles)" in out.wait_for("published")
        out.wait_for("watching")

        # while it waits, the watcher holds the build lock: a shell build refuses at once
        shell = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "build", "--full", "--seeds", str(seeds), "--warehouse", str(warehouse)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
        assert shell.returncode == 1
        assert "another seedhouse build or watch is running" in shell.stderr

        # a new file is published
        (seeds / "news").mkdir()
        (seeds / "news" / "watched.md").write_bytes(NEW_SEED)
        line = out.wait_for("published")
        assert "file event(s): published" in line and "(3 articles)" in line and "after the change" in line
        assert query(warehouse, "select count(*) from core.articles where title = 'A watched seed lands'") == [(1,)]

        # two of the three articles gone: the shrink guard holds the build back, the published
        # file stays as it was, and the watcher goes on
        before = warehouse.read_bytes()
        held = {name: (seeds / name).read_bytes() for name in ("sub/b.txt", "news/watched.md")}
        for name in held:
            (seeds / name).unlink()
        err.wait_for("not published:")
        assert warehouse.read_bytes() == before
        for name, data in held.items():
            (seeds / name).write_bytes(data)
        assert "(3 articles)" in out.wait_for("published")
    finally:
        os.killpg(watch.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        code = watch.wait(timeout=120)
    assert code == 0
    out.wait_for("stopped")
    assert not any("Traceback" in line for line in err.rest())
    # the lock is free again, and no build file is left behind
    assert Warehouse(warehouse).try_lock()
    assert list(Path(warehouse.parent / ".seedhouse" / warehouse.name / "builds").glob("*.duckdb")) == []


def assert_stopped_cleanly(code: int, out: Lines, err: Lines, warehouse: Path) -> None:
    assert code == 0
    assert out.wait_for("stopped") == "stopped"
    assert not any("Traceback" in line for line in err.rest())
    assert Warehouse(warehouse).try_lock()


@pytest.mark.parametrize("ctrl_c", [signal.SIG_DFL, signal.SIG_IGN], ids=["from a terminal", "where Ctrl-C is ignored"])
def test_watch_stops_cleanly_on_sigterm_after_its_builds(tmp_path, ctrl_c):
    """What `kill` or a service manager sends: the watch ends like Ctrl-C, exit 0, lock released.
    A Dagster run leaves SIGTERM mapped to Ctrl-C's handler, which nohup or a shell's background
    job sets to "ignore": the watch takes SIGTERM back after every build, so that it still stops."""
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    watch = start_watch(seeds, warehouse, tmp_path, ctrl_c=ctrl_c)
    out, err = Lines(watch.stdout), Lines(watch.stderr)
    try:
        out.wait_for("watching")
        (seeds / "news").mkdir()
        (seeds / "news" / "watched.md").write_bytes(NEW_SEED)
        assert "(3 articles)" in out.wait_for("published")
    finally:
        code = stop_with_sigterm(watch)
    assert_stopped_cleanly(code, out, err, warehouse)


def test_sigterm_during_a_build_drops_it_keeps_the_published_file_and_stops_the_watch(tmp_path):
    """Dagster interrupts the build in hand on SIGTERM: its file is dropped, the published one stays
    byte for byte, the failure is reported and the watch stops. The build is made long enough (2,000
    seeds) for the signal, sent 2 s after the change, to land in it."""
    from pipeline.generate import generate

    seeds = tmp_path / "seeds"
    generate(2000, seeds, seed=5)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    watch = start_watch(seeds, warehouse, tmp_path, ctrl_c=signal.SIG_IGN)
    out, err = Lines(watch.stdout), Lines(watch.stderr)
    try:
        out.wait_for("watching", deadline_s=300)
        before = warehouse.read_bytes()
        (seeds / "watched.md").write_bytes(NEW_SEED)
        time.sleep(2)
    finally:
        code = stop_with_sigterm(watch)
    assert err.wait_for("not published:").endswith(f"not published: {warehouse} was left as it was; stopping")
    assert_stopped_cleanly(code, out, err, warehouse)
    assert warehouse.read_bytes() == before
    assert list(Path(warehouse.parent / ".seedhouse" / warehouse.name / "builds").glob("*.duckdb")) == []
