"""Great Expectations suites, run against warehouse tables.

One suite per table lives in `expectations/<schema>.<table>.json`, in GE 1.x's own suite JSON:
GE tooling can read and edit it. Each expectation's `severity` is GE's own field: `critical`
expectations block publishing, `warning` ones are reported only. Two seedhouse conventions ride in
the suite's `meta`:

- `primary_key`: the columns that name a row; failing rows are reported by these ids.
- `parameters`: name -> SQL. Each query runs against the warehouse before validation and fills GE's
  `{"$PARAMETER": name}` placeholders. A query that starts with `select distinct` gives a list of
  its rows' first values, however many rows it has (the ids a foreign key must be in; possibly one,
  or none); any other query gives the first value of its first row (a row count), or null when it
  has no rows.

GE validates a pandas frame of only the columns the suite names (not the wide text columns), so
memory stays proportional to what is checked. A large table (over `LARGE_TABLE_ROWS`) is validated
one column group at a time, each group fetched on its own: GE's pandas engine copies its whole
frame for most expectations, so a frame of every checked column of a million rows costs gigabytes,
while one group costs what its few columns do. Both ways run the same expectations on the same
values, and a test holds their outcomes equal.

Where GE runs: a build starts a process of its own for it (`GEProcess`), which imports GE (seconds)
while the build does other work; the build process reads each frame out of DuckDB into an Arrow
file, and gets Outcomes back. A table's suite is handed over (`submit`) as soon as the table is
built, and answered while the build goes on; its check step collects the answers. Without a GE
process (`seedhouse check`, tests) GE runs in the calling process, imported lazily.

The modules, by role:

- `suites`: where suites live, check names, column groups, parameters, GE's suite object;
- `outcomes`: `Outcome` and how GE's results become Outcomes;
- `frames`: columns out of DuckDB as Arrow tables, Arrow files and pandas frames;
- `validation`: plans, GE's context, validating here or handing parts to the GE process;
- `ge_process`: the GE process itself and its scratch directories (it imports no other module
  of this package: what it runs first is given to it, see `new_ge_process` below);
- `audit`: `quality.check_results` (every outcome, in the file a build wrote) and the publish
  gate, a query over it;
- `data_docs`: GE's HTML Data Docs;
- `outputs`: outcomes as one JSON document, JUnit XML for CI and a self-contained HTML page.

The names below are re-exported for callers. A test that changes one (`monkeypatch.setattr`) must
change it in the module that defines it: the modules read their own names, not these. A build's
GE process belongs to its run's session (`pipeline.session`), not to this package.
"""

from __future__ import annotations

import os

# Great Expectations reports usage over the network unless told not to, and this machine has none:
# set once here, before any module of the package imports GE or spawns its process (which
# inherits the environment).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from pipeline.quality import audit
from pipeline.quality.audit import AuditFailedError, blocking
from pipeline.quality.data_docs import DataDocs
from pipeline.quality.frames import fetch, fetch_to_file, frame_of, table_frame
from pipeline.quality.ge_process import SCRATCH_PREFIX, GEProcess, remove_orphaned_scratch
from pipeline.quality.outcomes import CRITICAL, SAMPLE_SIZE, WARNING, Outcome
from pipeline.quality.suites import (
    CHECK_NAME_META,
    check_name,
    column_groups,
    expectations,
    expects,
    ge_suite,
    load_suite,
    meaning,
    parameter_tables,
    suite_path,
)
from pipeline.quality.validation import (
    LARGE_TABLE_ROWS,
    VALIDATION_DUCKDB_MEMORY,
    Validation,
    is_large,
    part_outcomes,
    plan_for,
    submit,
    validate,
    validate_with_result,
    warm_up,
)


def new_ge_process() -> GEProcess:
    """A Great Expectations process for one build, importing GE as soon as it starts."""
    return GEProcess(warm_up)


__all__ = [
    "CHECK_NAME_META",
    "CRITICAL",
    "LARGE_TABLE_ROWS",
    "SAMPLE_SIZE",
    "SCRATCH_PREFIX",
    "VALIDATION_DUCKDB_MEMORY",
    "WARNING",
    "AuditFailedError",
    "DataDocs",
    "GEProcess",
    "Outcome",
    "Validation",
    "audit",
    "blocking",
    "check_name",
    "column_groups",
    "expectations",
    "expects",
    "fetch",
    "fetch_to_file",
    "frame_of",
    "ge_suite",
    "is_large",
    "load_suite",
    "meaning",
    "parameter_tables",
    "part_outcomes",
    "plan_for",
    "remove_orphaned_scratch",
    "submit",
    "suite_path",
    "table_frame",
    "new_ge_process",
    "validate",
    "validate_with_result",
    "warm_up",
]
