"""Where an incremental build's time goes, and what maintaining tables by key would save, measured.

    python bench/incremental.py                  # 100,000 seeds (generated once into --workdir)
    python bench/incremental.py --size 20000     # quick look
    python bench/incremental.py --json out.json

One run, on one machine state, of everything docs/incremental.md argues from:

1. **One new file.** A warehouse of --size generated seeds is built, then one new seed file is
   written and an ordinary (incremental) build runs in this process, with each table's build, the
   hand-over of its columns to Great Expectations, and the publish timed; the GE process's CPU
   is read from the operating system: a warm GE process is handed to the build, as `seedhouse
   watch` does, so that its CPU during the build is the validation's alone.
2. **Maintaining the per-article tables by key instead of rebuilding them.** For the five core
   tables whose rows are a function of one article (text features, topics, images, bodies,
   authors), with 100 articles taken as changed: (a) carrying every other article's rows from the
   published file into a fresh build file, as write-audit-publish's new file would need, and
   (b) deleting and re-inserting the changed articles' rows in place in a copy of the published
   file, with the checkpoint that makes the copy publishable, and (c) the same in a file holding
   the same rows without declared keys (DuckDB rewrites every key index of a file at a checkpoint
   that follows any change). Compare with their build times in 1.
3. **Finding the changed rows** of every table against the published file, as an incremental
   validation or an incremental mart would need them: `EXCEPT ALL`, and an anti-join of row hashes.

Times are wall clock and the machine is shared: read each line against the others of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from freshness import SEED  # noqa: E402  (bench/freshness.py, beside this script: one new news item)

SEEDHOUSE = [sys.executable, "-m", "pipeline.cli"]
PER_ARTICLE = ["core.text_features", "core.article_topics", "core.article_images", "core.article_bodies",
               "core.article_authors"]
CHANGED_ARTICLES = 100



def one_new_file(seeds: Path, warehouse: Path) -> dict:
    """Build after one new file, timing each table, GE's hand-over and the publish in this process."""
    import psutil
    from dagster import DagsterInstance

    import assets.ingest.assets as ingest_step
    import assets.publish.assets as publish_step
    import assets.publish.report as report_step
    from pipeline import quality, session
    from pipeline.build import run_build

    times: dict[str, float] = defaultdict(float)

    def timed(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                times[label(args)] += time.perf_counter() - started

        setattr(owner, name, wrapper)
        return original

    originals = [
        (publish_step, "build_table", timed(publish_step, "build_table", lambda a: a[1].name)),
        (session.BuildSession, "table_built", timed(session.BuildSession, "table_built", lambda a: "hand-over to GE")),
        (session.BuildSession, "publish", timed(session.BuildSession, "publish", lambda a: "publish")),
        (ingest_step, "run_ingest", timed(ingest_step, "run_ingest", lambda a: "ingest")),
        # the outcomes of each suite, as the build waits for them from the GE process
        (session.BuildSession, "validate", timed(session.BuildSession, "validate", lambda a: "waiting for GE")),
        (report_step, "write_report", timed(report_step, "write_report", lambda a: "report")),
    ]
    probes = seeds / "probes"
    probes.mkdir(exist_ok=True)
    n = len(list(probes.iterdir()))
    (probes / f"probe-{n}.md").write_text(SEED.format(n=n))
    # a warm GE process, as `seedhouse watch` keeps one: its CPU during the build is validation
    ge = quality.new_ge_process()
    ge_pid = ge.submit(os.getpid).result()
    cpu_before = psutil.Process(ge_pid).cpu_times()
    started = time.perf_counter()
    report = run_build(seeds, warehouse, instance=DagsterInstance.ephemeral(), ge=ge)
    wall = time.perf_counter() - started
    cpu_after = psutil.Process(ge_pid).cpu_times()
    ge.close()
    for owner, name, original in originals:
        setattr(owner, name, original)
    if not report.published:
        raise SystemExit(f"the build after one new file did not publish: {report.errors}")
    tables = {k: v for k, v in times.items() if "." in k}
    return {
        "parsed": report.parsed,
        "build_s": wall,
        "tables_s": sum(tables.values()),
        "core_s": sum(v for k, v in tables.items() if k.startswith("core.")),
        "marts_s": sum(v for k, v in tables.items() if k.startswith("analytics.")),
        "handover_s": times["hand-over to GE"],
        "publish_s": times["publish"],
        "ingest_s": times["ingest"],
        "ge_wait_s": times["waiting for GE"],
        "report_s": times["report"],
        "ge_cpu_s": (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system),
        "per_table_s": dict(sorted(tables.items(), key=lambda item: -item[1])),
    }


def _beside_published(path: Path, published: Path):
    """A connection to `path` with the published file attached read-only as `published`, and
    `_changed`: the same CHANGED_ARTICLES of its articles each time (a fixed sampling seed)."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute(f"attach '{published}' as published (read_only)")
    con.execute(f"create temp table _changed as select article_id from published.core.articles "
                f"using sample {CHANGED_ARTICLES} rows (reservoir, 7)")
    return con


def by_key(published: Path, work: Path) -> dict:
    """The per-article tables maintained by key, three ways, with CHANGED_ARTICLES articles changed."""
    import duckdb

    results = {}
    fresh = work / "carry.duckdb"
    fresh.unlink(missing_ok=True)
    with _beside_published(fresh, published) as con:
        con.execute("create schema core")
        started = time.perf_counter()
        for table in PER_ARTICLE:
            con.execute(f"create table {table} as select * from published.{table} "
                        "where article_id not in (select article_id from _changed)")
        con.execute("checkpoint")
        results["carried_to_fresh_file_s"] = time.perf_counter() - started
    fresh.unlink()
    copy = work / "in-place.duckdb"
    started = time.perf_counter()
    shutil.copyfile(published, copy)
    results["copy_published_s"] = time.perf_counter() - started
    results["in_place"] = _in_place(copy, published)
    # the same, in a file whose tables hold the same rows without declared keys
    bare = work / "without-keys.duckdb"
    bare.unlink(missing_ok=True)
    with duckdb.connect(str(bare)) as con:
        con.execute(f"attach '{published}' as published (read_only)")
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'published'"
        ).fetchall():
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{name} as select * from published.{schema}.{name}")
    results["in_place_without_keys"] = _in_place(bare, published)
    return results


def _in_place(copy: Path, published: Path) -> dict:
    """Delete and re-insert the changed articles' rows of the per-article tables in `copy`, then
    checkpoint it (what publishing it would take); `copy` is removed."""
    results = {}
    with _beside_published(copy, published) as con:
        started = time.perf_counter()
        con.execute("begin")
        for table in reversed(PER_ARTICLE):
            con.execute(f"delete from {table} where article_id in (select article_id from _changed)")
        for table in PER_ARTICLE:
            con.execute(f"insert into {table} select * from published.{table} "
                        "where article_id in (select article_id from _changed)")
        con.execute("commit")
        results["delete_insert_s"] = time.perf_counter() - started
        started = time.perf_counter()
        con.execute("checkpoint")
        results["checkpoint_s"] = time.perf_counter() - started
    copy.unlink()
    return results


def changed_rows(published: Path, work: Path) -> dict:
    """What finding each table's changed rows costs, against a copy of itself (every row unchanged)."""
    import duckdb

    copy = work / "diff.duckdb"
    shutil.copyfile(published, copy)
    results = {"except_all_s": 0.0, "hash_anti_join_s": 0.0}
    with duckdb.connect(str(copy)) as con:
        con.execute(f"attach '{published}' as published (read_only)")
        tables = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name in ('core', 'analytics')"
            ).fetchall()
        ]
        for table in tables:
            started = time.perf_counter()
            con.execute(f"select count(*) from (select * from {table} except all select * from published.{table})").fetchall()
            results["except_all_s"] += time.perf_counter() - started
            started = time.perf_counter()
            con.execute(
                f"select count(*) from (select hash(new) as h from {table} as new) "
                f"anti join (select hash(old) as h from published.{table} as old) using (h)"
            ).fetchall()
            results["hash_anti_join_s"] += time.perf_counter() - started
        results["tables"] = len(tables)
    copy.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seedhouse-bench-incremental"))
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    seeds, warehouse = work / f"seeds-{args.size}", work / f"wh-{args.size}" / "seedhouse.duckdb"
    if not seeds.exists():
        subprocess.run([*SEEDHOUSE, "generate", str(args.size), str(seeds)], check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
    shutil.rmtree(seeds / "probes", ignore_errors=True)
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    subprocess.run([*SEEDHOUSE, "build", "--full", "--seeds", str(seeds), "--warehouse", str(warehouse)],
                   check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)

    figures = {"size": args.size, "one_new_file": one_new_file(seeds, warehouse)}
    figures["by_key"] = by_key(warehouse, work)
    figures["changed_rows"] = changed_rows(warehouse, work)

    one, keyed, diff = figures["one_new_file"], figures["by_key"], figures["changed_rows"]
    per_article = sum(one["per_table_s"].get(t, 0.0) for t in PER_ARTICLE)
    print(f"{args.size:,} seeds, one new file: build {one['build_s']:.2f} s (parsed {one['parsed']})")
    print(f"  tables {one['tables_s']:.2f} s (core {one['core_s']:.2f} s, marts {one['marts_s']:.2f} s), "
          f"hand-over to GE {one['handover_s']:.2f} s, publish {one['publish_s']:.2f} s; "
          f"GE's validation CPU {one['ge_cpu_s']:.2f} s")
    rest = one["build_s"] - sum(one[k] for k in ("tables_s", "handover_s", "publish_s", "ingest_s", "ge_wait_s", "report_s"))
    print(f"  ingest {one['ingest_s']:.2f} s, waiting for GE's outcomes {one['ge_wait_s']:.2f} s, report {one['report_s']:.2f} s, "
          f"the rest (deciding what changed, Dagster's run and its events) {rest:.2f} s")
    for table, seconds in list(one["per_table_s"].items())[:12]:
        print(f"    {table:<36} {seconds:6.2f} s")
    print(f"  the five per-article tables, rebuilt:            {per_article:6.2f} s")
    print(f"    carried to a fresh file ({CHANGED_ARTICLES} articles changed): {keyed['carried_to_fresh_file_s']:6.2f} s")
    print(f"    in place in a copy of the published file (copy {keyed['copy_published_s']:.2f} s):")
    for label, key in (("with its declared keys", "in_place"), ("without declared keys", "in_place_without_keys")):
        print(f"      {label:<24} delete + insert {keyed[key]['delete_insert_s']:.2f} s, "
              f"checkpoint {keyed[key]['checkpoint_s']:.2f} s")
    print(f"  changed rows of all {diff['tables']} tables: except all {diff['except_all_s']:.2f} s, "
          f"hash anti-join {diff['hash_anti_join_s']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":  # the parse workers and the GE process import this module again
    main()
