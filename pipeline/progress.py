"""Progress of the parse, for whoever is watching.

The CLI installs a reporter (a progress bar) around an in-process run; under the Dagster UI none is
installed and the ingest asset logs its progress instead. A plain module-level slot rather than
anything cleverer: in-process runs execute in the calling thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Reporter(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


_current: Reporter | None = None


def current() -> Reporter | None:
    return _current


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
