"""Worker processes that die with the build.

A build killed with SIGKILL must not leave its helper processes (parse workers, the Great
Expectations process) behind: Linux's parent-death signal ends them; elsewhere the pool's own
shutdown is all there is. They are spawned, not forked: the build process runs threads (Dagster),
and a spawned worker is a direct child that the parent-death signal can reach.

The signal is asked for first thing in the worker, from this module (which imports nothing
heavy), and a worker whose parent is already gone by then exits at once: a worker starting just
as its build is killed would otherwise miss the signal and live on.

A worker told to stop exits without Python's interpreter teardown (`exit_without_teardown`): it
holds nothing that needs it, and its build waits for it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def exit_without_teardown(exit_code: Callable[[], int] = lambda: 0) -> None:
    """Once every exit handler has run, leave with `exit_code()` without Python's interpreter
    teardown, which frees every object one by one: about 0.9 s for the GE process and 1 s for a
    build's own process (Dagster, pandas, pyarrow), paid after the work is done. Registered first,
    the handler runs last; streams are flushed, files and connections are closed by then."""

    def leave() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code())

    atexit.register(leave)


def die_with_parent(parent_pid: int) -> None:
    import signal

    exit_without_teardown()  # a worker told to stop holds nothing that needs the teardown
    # Ctrl-C in a terminal reaches the whole process group: the parent decides what it means
    # (`seedhouse watch` stops between builds), and its workers end when it tells them or dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the build died before the signal was asked for
        os._exit(1)


def _quiet_worker(parent_pid: int) -> None:
    die_with_parent(parent_pid)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def worker_pool(workers: int, *, quiet: bool = False) -> ProcessPoolExecutor:
    """A pool of spawned workers that die with this process; `quiet` ones send stderr to
    /dev/null (rapidyaml reports every document it rejects there)."""
    # imported here: it registers multiprocessing's exit handler, which must run before the
    # one `exit_without_teardown` registers
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_quiet_worker if quiet else die_with_parent,
        initargs=(os.getpid(),),
    )
