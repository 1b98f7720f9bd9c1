"""Seed files -> raw Arrow record batches (one row per file, always).

Reading and parsing is the only per-file Python work in a build, so it is kept to this: decode,
split the front matter with python-frontmatter, load the YAML without typing it, and pick the
known keys into flat columns. Everything a file can get wrong becomes an `error_kind` on its row,
never an exception out of this package: the ledger (`core.seed_files`) must account for every
file. The documented error kinds are listed in `pipeline.parse.errors`.

One role a module, each importing only the ones listed above it:

    errors        SeedError and the documented error kinds
    limits        Limits, the input limits a seed must keep within
    schemas       the Arrow schemas of what the parse hands to DuckDB
    yaml_fast     the fast YAML loader: rapidyaml giving exactly what PyYAML's base loader gives
    fields        the known front-matter keys flattened into raw columns
    front_matter  one file's bytes -> its columns (the strict YAML handler, parse_text)
    names         names that are not valid UTF-8, shown escaped
    files         discover (every entry below the root) and parse_file (one entry -> one row)
    page_cache    read-ahead of files that are not in the page cache
    batches       parse_rows and parse_batches (many files, on worker processes for many)

Code outside the package imports these names from here. A module-level value that tests replace
(`batches.PARALLEL_MIN_FILES`, `files._read_bytes`) is replaced in the module that defines it: the
package's own modules never read the names re-exported here.
"""

from __future__ import annotations

from pipeline.parse.batches import parse_batches, parse_rows
from pipeline.parse.errors import SeedError
from pipeline.parse.fields import front_matter_fields
from pipeline.parse.files import discover, parse_file
from pipeline.parse.front_matter import SeedFrontMatter, parse_text
from pipeline.parse.limits import Limits
from pipeline.parse.page_cache import read_ahead
from pipeline.parse.schemas import PARSED_SEEDS

__all__ = [
    "PARSED_SEEDS",
    "Limits",
    "SeedError",
    "SeedFrontMatter",
    "discover",
    "front_matter_fields",
    "parse_batches",
    "parse_file",
    "parse_rows",
    "parse_text",
    "read_ahead",
]
