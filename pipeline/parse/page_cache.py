"""Read-ahead: a chunk's files that are not in the page cache are asked for all at once."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

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
