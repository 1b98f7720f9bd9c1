"""Benchmark seedhouse against a read-only floor and a naive baseline, in one run.

    python bench/run.py                       # sizes 50,000 and 100,000 (a few minutes)
    python bench/run.py --sizes 5000 10000    # quick look
    python bench/run.py --repeat 2            # each timed step twice, the faster kept

Every figure comes from a fresh process timed from outside (wall clock), with the peak resident
memory of its whole process tree sampled every 50 ms, and every run starts with its seeds just
read (untimed), so that all steps start from the same page cache. Because the machine is shared
and noisy, compare the ratios printed at the end (measured in the same run), not the absolute
seconds.

Steps: generate seeds; (1) read every file only: the floor; (2) the naive baseline, a plain loop of
`frontmatter.load` into a pandas DataFrame and `CREATE TABLE AS` in DuckDB; (3) `seedhouse build
--full` at both sizes, so the marginal cost per file separates from the fixed start-up cost, and
seedhouse's parse alone at both sizes, which splits that cost into the parse's and the rest's
(the tables, checks and publish);
(4) a 10-file build (the cold start), and the larger full build once more with its seeds paged
out of the page cache first; (5) a rebuild with nothing changed; (6) a rebuild with 1%
of the files changed. Results go to stdout and to a JSON file, with the targets that no build
running Great Expectations could meet on the run's own figures. First of all, importing Great
Expectations is timed alone: it is the floor of a cold start, and says how fast the machine is
that day (it took 3.3 s on a quick day and 6 s on a slow one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import psutil

PYTHON = sys.executable
SEEDHOUSE = [PYTHON, "-m", "pipeline.cli"]

NAIVE = textwrap.dedent(
    """
    import sys, os, frontmatter, pandas as pd, duckdb
    root, db = sys.argv[1], sys.argv[2]
    rows = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            post = frontmatter.load(os.path.join(dirpath, name))
            m = post.metadata
            provider = m.get("provider") or {}
            rows.append({
                "title": m.get("title"), "excerpt": m.get("excerpt"),
                "published": str(m.get("publishedDateTime")), "url": m.get("webUrl"),
                "quality": m.get("quality"), "heat": m.get("heat"),
                "provider_name": provider.get("name"), "provider_domain": provider.get("domain"),
                "topics": ",".join(map(str, m.get("topics") or [])),
            })
    df = pd.DataFrame(rows)
    con = duckdb.connect(db)
    con.execute("create or replace table articles as select * from df")
    con.close()
    """
)

# seedhouse's own parse and nothing after it: discovery, then every file read, hashed and parsed
# into Arrow batches on all cores, as a build's ingest does, the batches dropped. Its marginal cost
# per file is the part of a build's that the parser decides; the rest is DuckDB's and GE's.
PARSE_ONLY = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipeline.parse import discover, parse_batches
    root = Path(sys.argv[1])
    paths = discover(root, with_status=False).column("source_path")
    assert sum(batch.num_rows for batch in parse_batches(root, paths)) == len(paths)
    """
)

READ_ONLY = textwrap.dedent(
    """
    import os, sys
    total = 0
    for dirpath, _, names in os.walk(sys.argv[1]):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                total += len(f.read())
    """
)


def evict(root: Path) -> None:
    """Drop every seed of `root` from the page cache, as the kernel does to files idle for a
    minute here (see the README): the state a build meets when its seeds were not just read."""
    for dirpath, _, names in os.walk(root):
        for name in names:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall seconds and peak RSS (MiB, 2**20 bytes, whole process tree; the JSON keys say `mb`) of
    one command; fails loudly."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)  # sampling every 20 ms cost the bench itself ~8% of a core
    seconds = time.perf_counter() - started
    output = proc.stdout.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output}")
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak / 2**20, 1)}


def generate(n: int, directory: Path) -> Path:
    if not directory.exists():
        subprocess.run([*SEEDHOUSE, "generate", str(n), str(directory)], check=True, stdout=subprocess.DEVNULL)
    return directory


def change_one_percent(root: Path) -> dict[Path, str]:
    """Rewrite 1% of the files (every 100th, by path) with a changed title; returns their old text."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    originals = {}
    for path in files[::100]:
        originals[path] = text = path.read_text()
        path.write_text(text.replace('title: "', 'title: "Updated: ', 1))
    return originals


def cost_per_file(
    naive_marginal: float | None, seedhouse_marginal: float | None, parse_marginal: float | None
) -> dict[str, float | None]:
    """The marginal figures as wall microseconds a file: seedhouse's, split into its parse's and
    the rest's (tables, checks, publish), beside what the marginal target allows for all of it."""

    def micros(files_per_s: float | None) -> float | None:
        return None if files_per_s is None else round(1e6 / files_per_s, 1)

    seedhouse, parse = micros(seedhouse_marginal), micros(parse_marginal)
    return {
        "seedhouse_parse_only_marginal_files_per_s": None if parse_marginal is None else round(parse_marginal),
        "seedhouse_marginal_us_per_file": seedhouse,
        "parse_marginal_us_per_file": parse,
        "rest_marginal_us_per_file": None if None in (seedhouse, parse) else round(seedhouse - parse, 1),
        "marginal_target_allows_us_per_file": None if naive_marginal is None else round(1e6 / (10 * naive_marginal), 1),
    }


def check_targets(summary: dict) -> dict[str, bool | None]:
    """The project's speed targets (README, Performance), each holding or not; None when the run
    cannot tell. Peak memory at a million files is measured outside this script (it takes
    several minutes)."""
    marginal = summary["marginal_ratio_vs_naive"]
    return {
        "marginal throughput >= 10x the naive baseline's": None if marginal is None else marginal >= 10,
        "end-to-end at the larger size >= 5x the naive baseline": summary["end_to_end_ratio_vs_naive"] >= 5,
        "cold start (10-file full build) <= 6 s": summary["cold_start_s"] <= 6,
        "no-change rebuild <= cold start + 1 s": summary["nochange_rebuild_s"] <= summary["cold_start_s"] + 1,
        "1%-changed rebuild <= 25% of the full build": summary["one_percent_share_of_full"] <= 0.25,
    }


def out_of_reach(naive_s: float, cold_start_s: float, import_ge_s: float) -> list[str]:
    """Targets that no build running Great Expectations could meet on this run's own figures, each
    with the reason: a full build cannot take less than a 10-file one, and a rebuild that checks
    what changed cannot take less than importing GE. `naive_s` is the naive baseline at the
    larger size."""
    reasons = []
    if cold_start_s >= naive_s / 5:
        reasons.append(
            f"end to end >= 5x: a full build would have to take <= {naive_s / 5:.2f} s "
            f"(the naive baseline took {naive_s:.2f} s), but a 10-file build took {cold_start_s:.2f} s"
        )
    if import_ge_s >= naive_s / 20:
        reasons.append(
            f"end to end >= 5x together with 1% <= 25%: the rebuild would have to take <= {naive_s / 20:.2f} s "
            f"(a twentieth of the naive baseline), less than importing Great Expectations ({import_ge_s:.2f} s), "
            "which its checks need"
        )
    return reasons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[50_000, 100_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seedhouse-bench"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    parser.add_argument("--keep", action="store_true", help="keep generated seeds between runs")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="run each timed step N times and keep the fastest"
    )
    args = parser.parse_args()

    small, large = sorted(args.sizes)
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    seeds = {n: generate(n, work / f"seeds-{n}") for n in (10, small, large)}
    results: dict[str, dict] = {}

    def warm(root: Path) -> None:
        """Read every seed of `root` once, untimed, right before a step reads them: where the
        kernel pages idle memory out (DAMON, see the README), files untouched for a minute are
        read from disk again, and each step would otherwise start from a different cache."""
        subprocess.run([PYTHON, "-c", READ_ONLY, str(root)], check=True)

    def step(
        name: str, cmd: list[str], seeds_root: Path | None, *, before: Callable[[], None] = lambda: None
    ) -> dict[str, float]:
        runs = []
        for _ in range(args.repeat):
            before()  # untimed preparation of each run
            if seeds_root is not None:
                warm(seeds_root)
            runs.append(measure(cmd, env))
        result = min(runs, key=lambda r: r["seconds"])  # the least disturbed run
        result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        results[name] = result
        print(f"{name:<28} {result['seconds']:>9.2f} s   peak {result['peak_rss_mb']:>7.0f} MiB", flush=True)
        return result

    # How fast the machine is today, for the one target in seconds: a cold start cannot be
    # shorter than importing Great Expectations (its checks need it), whatever seedhouse does.
    step("import_great_expectations", [PYTHON, "-c", "import great_expectations"], None)
    for n in (small, large):
        step(f"floor_read_{n}", [PYTHON, "-c", READ_ONLY, str(seeds[n])], seeds[n])
    for n in (small, large):
        step(f"naive_{n}", [PYTHON, "-c", NAIVE, str(seeds[n]), str(work / f"naive-{n}.duckdb")], seeds[n])
    for n in (small, large):
        step(f"seedhouse_parse_only_{n}", [PYTHON, "-c", PARSE_ONLY, str(seeds[n])], seeds[n])
    for n in (small, large):
        warehouse = work / f"wh-{n}" / "seedhouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        build = [*SEEDHOUSE, "build", "--full", "--seeds", str(seeds[n]), "--warehouse", str(warehouse)]
        step(f"seedhouse_full_{n}", build, seeds[n])
    # the same full build with its seeds paged out first (every other step reads them cached)
    evicted_wh = work / f"wh-{large}-evicted" / "seedhouse.duckdb"
    evicted_build = [*SEEDHOUSE, "build", "--full", "--seeds", str(seeds[large]), "--warehouse", str(evicted_wh)]
    step(f"seedhouse_full_paged_out_{large}", evicted_build, None, before=lambda: evict(seeds[large]))
    cold_wh = work / "wh-10" / "seedhouse.duckdb"
    shutil.rmtree(cold_wh.parent, ignore_errors=True)
    step("seedhouse_cold_10", [*SEEDHOUSE, "build", "--full", "--seeds", str(seeds[10]), "--warehouse", str(cold_wh)], seeds[10])
    large_wh = work / f"wh-{large}" / "seedhouse.duckdb"
    nochange = [*SEEDHOUSE, "build", "--seeds", str(seeds[large]), "--warehouse", str(large_wh)]
    step(f"seedhouse_nochange_{large}", nochange, seeds[large])
    changed_root = work / f"seeds-{large}-changed"
    shutil.rmtree(changed_root, ignore_errors=True)
    shutil.copytree(seeds[large], changed_root)
    # The changed copy is a new seeds root. Before each timed rebuild: undo the previous change,
    # bring the warehouse up to date with the unchanged seeds, then change 1% of the files.
    changed_wh = work / f"wh-{large}-changed" / "seedhouse.duckdb"
    shutil.rmtree(changed_wh.parent, ignore_errors=True)
    rebuild_changed = [*SEEDHOUSE, "build", "--seeds", str(changed_root), "--warehouse", str(changed_wh)]
    changed: dict[Path, str] = {}

    def change_again() -> None:
        for path, text in changed.items():
            path.write_text(text)
        subprocess.run(rebuild_changed, check=True, stdout=subprocess.DEVNULL, env=env)
        changed.clear()
        changed.update(change_one_percent(changed_root))

    step(f"seedhouse_1pct_{large}", rebuild_changed, changed_root, before=change_again)
    n_changed = len(changed)

    def rate(name: str, n: int) -> float:
        return n / results[name]["seconds"]

    def marginal(prefix: str) -> float | None:
        """Files a second between the two sizes; None when the larger size was not slower (sizes
        so close that noise hides the cost per file)."""
        extra = results[f"{prefix}_{large}"]["seconds"] - results[f"{prefix}_{small}"]["seconds"]
        return (large - small) / extra if extra > 0 else None

    naive_marginal, seedhouse_marginal = marginal("naive"), marginal("seedhouse_full")
    parse_marginal = marginal("seedhouse_parse_only")

    full_large = results[f"seedhouse_full_{large}"]["seconds"]
    summary = {
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "sizes": [small, large],
        "files_changed": n_changed,
        "floor_files_per_s": round(rate(f"floor_read_{large}", large)),
        "naive_files_per_s": round(rate(f"naive_{large}", large)),
        "seedhouse_files_per_s": round(rate(f"seedhouse_full_{large}", large)),
        "naive_marginal_files_per_s": None if naive_marginal is None else round(naive_marginal),
        "seedhouse_marginal_files_per_s": None if seedhouse_marginal is None else round(seedhouse_marginal),
        "marginal_ratio_vs_naive": (
            None if None in (naive_marginal, seedhouse_marginal) else round(seedhouse_marginal / naive_marginal, 2)
        ),
        **cost_per_file(naive_marginal, seedhouse_marginal, parse_marginal),
        "end_to_end_ratio_vs_naive": round(results[f"naive_{large}"]["seconds"] / full_large, 2),
        "ratio_to_floor": round(rate(f"seedhouse_full_{large}", large) / rate(f"floor_read_{large}", large), 3),
        "full_build_paged_out_s": results[f"seedhouse_full_paged_out_{large}"]["seconds"],
        "paged_out_over_cached": round(results[f"seedhouse_full_paged_out_{large}"]["seconds"] / full_large, 2),
        "cold_start_s": results["seedhouse_cold_10"]["seconds"],
        "import_great_expectations_s": results["import_great_expectations"]["seconds"],
        "cold_start_over_ge_import": round(
            results["seedhouse_cold_10"]["seconds"] / results["import_great_expectations"]["seconds"], 2
        ),
        "nochange_rebuild_s": results[f"seedhouse_nochange_{large}"]["seconds"],
        "one_percent_rebuild_s": results[f"seedhouse_1pct_{large}"]["seconds"],
        "one_percent_share_of_full": round(results[f"seedhouse_1pct_{large}"]["seconds"] / full_large, 3),
        "peak_rss_mb_full_large": results[f"seedhouse_full_{large}"]["peak_rss_mb"],
    }
    print()
    for key, value in summary.items():
        print(f"{key:<34} {value}")
    targets = check_targets(summary)
    print("\ntargets (2-core machine):")
    for name, holds in targets.items():
        print(f"  {'n/a   ' if holds is None else 'holds ' if holds else 'missed'}  {name}")
    reasons = out_of_reach(
        results[f"naive_{large}"]["seconds"], summary["cold_start_s"], summary["import_great_expectations_s"]
    )
    if reasons:
        print("out of reach for any build that runs Great Expectations, on this run's figures:")
        for reason in reasons:
            print(f"  - {reason}")
    if summary["marginal_ratio_vs_naive"] is None:
        print(f"  (the larger size was not slower than the smaller one: --sizes {small} {large} are too close "
              "to separate the cost per file from noise; use larger sizes)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "targets": targets, "out_of_reach": reasons, "steps": results}, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    if not args.keep:
        for path in work.glob("wh-*"):
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
