"""`seedhouse watch`: one long-lived process that publishes every change to a seeds folder.

A one-shot `seedhouse build` pays, on every call, for what does not change between builds:
importing Dagster and making the definitions, starting Great Expectations in a process of its own
(seconds of imports), and reading the seeds folder to find what changed. The watcher pays them
once. It builds at start (nothing runs when the warehouse is current), then waits on the
operating system's file events (inotify on Linux, through watchfiles) and, once a burst of events
has been quiet for the debounce time, runs the same incremental build `seedhouse build` runs, in
this process, handing it the warm GE process.

Between builds the watcher holds the warehouse's build lock, so a `seedhouse build` or a second
watcher on the same warehouse refuses at once instead of racing it; it lends the lock to its own
builds. A build that fails (a critical expectation, a full disk) leaves the published file as it
was, as always, and the watcher goes on waiting: the next change builds again.

Latency, as reported, runs from the moment the earliest changed file was written (its
modification time, or when the watcher last finished building if that is later, since a copied
file may keep an old time) to the moment the build published.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.build import BuildReport, run_build
from pipeline.warehouse import Warehouse

DEFAULT_DEBOUNCE_MS = 300


class WatchLockedError(RuntimeError):
    """Another build or watcher holds the warehouse's build lock."""


@dataclass
class Publish:
    """What one build of the watcher did, and how long after the change."""

    report: BuildReport
    changes: int  # file events in the burst that started it (0 for the build at start)
    latency_s: float | None  # from the earliest change written to the build's end (None at start)
    stopping: bool = False  # the watch was asked to stop (SIGTERM) and returns after this build


def _landed_at(changes: set[tuple[Any, str]], floor: float, seen: float) -> float:
    """When the earliest change of a burst was made, never before `floor` (the end of the last
    build): a file added or changed was written at its modification time; a removed file has
    none, but removing it set its folder's. With neither (the folder gone too), `seen`, when the
    burst reached the watch, at most the debounce after it."""
    times = []
    for _, name in changes:
        path = Path(name)
        for candidate in (path, path.parent):
            try:
                times.append(candidate.stat().st_mtime)
                break
            except OSError:
                continue
    return max(min(times), floor) if times else seen


class Watcher:
    """Builds `warehouse_path` from `seeds_root` now and after every change, until stopped."""

    def __init__(
        self,
        seeds_root: Path,
        warehouse_path: Path,
        *,
        expectations_dir: Path | None = None,
        resource_config: dict[str, Any] | None = None,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
    ):
        self.seeds_root = Path(seeds_root)
        self.warehouse_path = Path(warehouse_path)
        self.expectations_dir = expectations_dir
        self.resource_config = resource_config or {}
        self.debounce_ms = debounce_ms
        self._lock = Warehouse(warehouse_path, force=bool(self.resource_config.get("force")))

    def _build(self, ge) -> BuildReport:
        # the build takes the lock itself (its own Warehouse); lent for the run, taken back after
        self._lock.release_lock()
        try:
            return run_build(
                self.seeds_root, self.warehouse_path, expectations_dir=self.expectations_dir,
                resource_config=self.resource_config, ge=ge,
            )
        finally:
            self._lock.try_lock()  # if a shell build slipped in, the next change still builds

    def run(self, on_publish: Callable[[Publish], None], stop: threading.Event | None = None,
            on_ready: Callable[[], None] | None = None) -> None:
        """Build now, then on every burst of changes, calling `on_publish` after each build; return
        when `stop` is set, or on SIGTERM or Ctrl-C while waiting. During a build, Dagster treats
        both as an interrupt: the build's file is dropped and the published one stays; after a
        SIGTERM the failed build is reported and the watch returns, a Ctrl-C raises
        KeyboardInterrupt."""
        import logging

        import watchfiles

        from pipeline.quality import new_ge_process

        # the command says it stopped; watchfiles would also log that it caught the Ctrl-C
        logging.getLogger("watchfiles.main").setLevel(logging.ERROR)

        if not self._lock.try_lock():
            raise WatchLockedError(
                f"another seedhouse build or watch holds the lock of {self.warehouse_path} "
                f"({self._lock.state_dir / 'build.lock'}); stop it first"
            )
        # SIGTERM (`kill`, a service manager stopping it) ends the watch between builds: the same
        # clean stop as Ctrl-C there
        stop = stop or threading.Event()
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGTERM) if in_main_thread else None

        # A Dagster run maps SIGTERM to Ctrl-C's handler while it runs, and leaves it so after
        # (dagster._utils.interrupts). So the handler is set again after every build, or SIGTERM
        # would stop the watch as an interrupt, or not at all where Ctrl-C is ignored (nohup, a
        # shell's background job). A SIGTERM during a build interrupts it (its file is dropped,
        # the published one stays); the signal's number still reaches `signals`, the wakeup
        # socket Python writes every handled signal to, and the watch stops after that build.
        signals, wakeup = socket.socketpair()
        for end in (signals, wakeup):
            end.setblocking(False)
        previous_wakeup = signal.set_wakeup_fd(wakeup.fileno(), warn_on_full_buffer=False) if in_main_thread else None

        def listen_for_sigterm() -> None:
            if in_main_thread:
                signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def build() -> BuildReport:
            _drain(signals)
            report = self._build(ge)
            listen_for_sigterm()
            if signal.SIGTERM in _drain(signals):
                stop.set()
            return report

        listen_for_sigterm()
        ge = new_ge_process()
        try:
            floor, started = time.time(), False
            for changes in watchfiles.watch(
                self.seeds_root, debounce=self.debounce_ms, step=50, stop_event=stop, raise_interrupt=False,
                # every file is a seed or a ledger entry: nothing in the folder is noise to skip
                watch_filter=None,
                # an empty batch each second: the first says the folder is watched, which the
                # generator has no other way to tell
                yield_on_timeout=True, rust_timeout=1000,
            ):
                if not started:
                    # watched from here on: the build at start reads the folder as it is now, and
                    # whatever changes from now on is seen, even during that build
                    started = True
                    report = build()
                    on_publish(Publish(report, 0, None, stopping=stop.is_set()))
                    floor = time.time()
                    if on_ready is not None:
                        on_ready()
                    continue
                if not changes:
                    continue
                landed = _landed_at(changes, floor, time.time())
                report = build()
                floor = time.time()
                on_publish(Publish(report, len(changes), floor - landed, stopping=stop.is_set()))
                if stop.is_set():
                    break
        finally:
            ge.close()
            self._lock.release_lock()
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)
                signal.set_wakeup_fd(previous_wakeup)
            signals.close()
            wakeup.close()


def _drain(signals: socket.socket) -> bytes:
    """The signal numbers written to the wakeup socket since it was last read."""
    received = b""
    while True:
        try:
            chunk = signals.recv(4096)
        except BlockingIOError:
            return received
        if not chunk:
            return received
        received += chunk
