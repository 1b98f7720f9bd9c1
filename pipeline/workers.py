"""Worker processes that die with the build.

A build killed with SIGKILL must not leave its helper processes (parse workers, the Great
Expectations process) behind: Linux's parent-death signal ends them; elsewhere the pool's own
shutdown is all there is. They are spawned, not forked: the build process runs threads (Dagster),
and a spawned worker is a direct child that the parent-death signal can reach.

The signal is asked for first thing in the worker, from this module (which imports nothing
heavy), and a worker whose parent is already gone by then exits at once: a worker starting just
as its build is killed would otherwise miss the signal and live on.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def die_with_parent(parent_pid: int) -> None:
    try:
        import ctypes
        import signal

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
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_quiet_worker if quiet else die_with_parent,
        initargs=(os.getpid(),),
    )
