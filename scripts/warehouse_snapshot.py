"""Print a digest of every table and every check outcome of a warehouse built from SEEDS, as JSON.

Two snapshots that are equal mean two versions of seedhouse built the same warehouse: the same rows
in every table and the same outcome of every expectation. Used to show that a change of structure
changed no result:

    python scripts/warehouse_snapshot.py ../shared/corpora/everyday-ai > before.json
    ... change the code ...
    python scripts/warehouse_snapshot.py ../shared/corpora/everyday-ai > after.json
    diff before.json after.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import duckdb


def table_digests(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, dict]:
    digests = {}
    for name in names:
        rows = con.execute(
            f"select count(*), coalesce(md5(string_agg(md5(t::varchar), '' order by md5(t::varchar))), '') "
            f"from {name} as t"
        ).fetchall()[0]
        digests[name] = {"rows": rows[0], "md5": rows[1]}
    return digests


def main() -> None:
    from pipeline import quality
    from pipeline.build import run_build
    from pipeline.catalog import TABLES
    from pipeline.warehouse import connect

    seeds = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seedhouse.duckdb"
        report = run_build(seeds, path)
        if not report.published:
            raise SystemExit(f"not published: {report.errors}")
        names = [t.name for t in TABLES]
        with connect(path, read_only=True) as con:
            tables = table_digests(con, names)
            checks = [
                [o.table, o.check_name, o.severity, o.success, o.unexpected_count, json.dumps(o.observed_value, default=str)]
                for name in names
                for o in quality.validate(con, name)
            ]
    json.dump({"tables": tables, "n_tables": len(tables), "n_checks": len(checks), "checks": checks}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
