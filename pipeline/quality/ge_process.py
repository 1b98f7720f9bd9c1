"""Great Expectations in a process of its own, and the scratch directories its frames travel in.

This module knows nothing of validation: what the process does first (import GE, make its
context) is handed to `GEProcess` as its `warm_up`, and what it validates as the functions given
to `submit`, which the process imports by their module path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

SCRATCH_PREFIX = "seedhouse-ge-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphaned_scratch(parent: Path) -> list[Path]:
    """Delete the scratch directories (`seedhouse-ge-<pid>-*`) of builds whose process is gone.

    A build killed outright (SIGKILL, the OOM killer) cannot remove its own, and each may hold
    Arrow files of warehouse columns. A live process's directory is kept (also one whose pid was
    reused: it is then removed by a later build)."""
    removed = []
    for path in sorted(parent.glob(f"{SCRATCH_PREFIX}*-*")):
        pid = path.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


class GEProcess:
    """Great Expectations in a process of its own, started when a build starts.

    Importing GE costs about three seconds, more than all the rest of a small build. Started
    first, the process runs `warm_up` (GE's import) on the other core while the build parses
    seeds and builds the first tables; by the first check it is ready. Frames travel to it as
    Arrow files in its `scratch` directory (removed on `close`, or by a later build when this one
    is killed); results come back as Outcomes; nothing of GE is imported in the build process.
    """

    def __init__(self, warm_up: Callable[[], Any] | None = None) -> None:
        from pipeline.workers import worker_pool

        self._pool = worker_pool(1)
        if warm_up is not None:
            self._pool.submit(warm_up)
        remove_orphaned_scratch(Path(tempfile.gettempdir()))
        self._scratch = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        self.scratch = Path(self._scratch.name)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(function, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._scratch.cleanup()
