"""Many files at once: `parse_rows` makes one record batch in this process, `parse_batches` streams
them, over a pool of worker processes for a large parse.

The pool's workers are spawned: they receive `parse_rows` by its module path
(`pipeline.parse.batches.parse_rows`), so it stays a function at this module's top level.
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from itertools import islice
from pathlib import Path

import pyarrow as pa

from pipeline.parse.files import parse_file
from pipeline.parse.limits import Limits
from pipeline.parse.page_cache import read_ahead
from pipeline.parse.schemas import PARSED_SEEDS
from pipeline.workers import worker_pool


def parse_rows(root: Path, paths: list[str], limits: Limits = Limits(), loader: str = "pyyaml") -> pa.RecordBatch:
    """A record batch of `PARSED_SEEDS`, one row per path, in the order given."""
    read_ahead(root, paths)
    # A parse allocates millions of short-lived containers (rows, lists, the texts' terms) and no
    # reference cycles; the cycle collector's passes over them cost about a tenth of the parse.
    # Reference counting still frees everything; the collector runs again after the batch.
    collecting = gc.isenabled()
    gc.disable()
    try:
        rows = [parse_file(root, rel, limits, loader) for rel in paths]
    finally:
        if collecting:
            gc.enable()
    return pa.RecordBatch.from_pylist(rows, schema=PARSED_SEEDS)

# Below this many files a process pool costs more (start-up, imports) than it saves.
PARALLEL_MIN_FILES = 4_000


def parse_batches(
    root: Path,
    paths: Sequence[str] | pa.ChunkedArray,
    *,
    limits: Limits = Limits(),
    workers: int | None = None,
    batch_size: int = 1_000,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Record batches of `PARSED_SEEDS` for `paths`, in order, parsed on `workers` processes.

    At most two batches per worker are in flight, so memory stays bounded however many files
    there are; the caller streams the batches into DuckDB as they come. Bulk parses in the workers
    use the fast loader; a small parse runs in this process with PyYAML (same results).
    """
    workers = workers or os.cpu_count() or 1
    # an Arrow column of a million paths costs a fraction of a list of Python strings: chunks
    # become lists only as they are handed out
    chunks = (
        paths[i : i + batch_size].to_pylist() if isinstance(paths, pa.ChunkedArray) else list(paths[i : i + batch_size])
        for i in range(0, len(paths), batch_size)
    )
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for chunk in chunks:
            batch = parse_rows(root, chunk, limits)
            if on_progress:
                on_progress(batch.num_rows)
            yield batch
        return
    # quiet: PyYAML parses what rapidyaml rejects, and any real error travels back as a ledger row
    with worker_pool(workers, quiet=True) as pool:
        in_flight: deque[Future[pa.RecordBatch]] = deque(
            pool.submit(parse_rows, root, chunk, limits, "fast") for chunk in islice(chunks, 2 * workers)
        )
        while in_flight:
            batch = in_flight.popleft().result()
            for chunk in islice(chunks, 1):
                in_flight.append(pool.submit(parse_rows, root, chunk, limits, "fast"))
            if on_progress:
                on_progress(batch.num_rows)
            yield batch
