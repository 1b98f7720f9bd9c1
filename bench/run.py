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

Three more groups of steps follow (`--steps` chooses the groups; all four run by default):

* replay: the replay test (tests/test_incremental_replay.py) at scale. At the larger size, 1% of
  the files change (a third modified in heat and title, a third deleted, a third new), then one
  warehouse is built incrementally and another in full (`--full`), both having seen the same
  builds; every table and view of the two must be equal (pipeline/compare.py, as in the test).
  Prints the incremental build's time over the full build's, beyond a 10-file cold start. With
  --repeat, each build starts again from the warehouse folder the first build left.
* freshness: bench/freshness.py at the larger size, 10 new files (`--freshness-repeat`): the
  median time from a file's write to its article being visible through a read-only connection,
  with `seedhouse watch` running. `--freshness-million` adds 1,000,000 seeds (generating them
  takes a while; a watch start there is a full build of the million).
* dlt: the peer (bench/peer_dlt.py, in its own virtual environment) loading the same seeds into
  DuckDB at two sizes (`--dlt-sizes`, 10,000 and 100,000), beside seedhouse's full build of them:
  their time ratio, and the same beyond each one's 10-file cold start.

    python bench/run.py --steps replay freshness dlt    # the three without the baseline steps

Last, the targets of incremental builds and of `seedhouse watch` are printed, each with the
figure of this run that judges it (or "not run" when its group was left out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
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


def generate(n: int, directory: Path, seed: int | None = None) -> Path:
    if not directory.exists():
        options = [] if seed is None else ["--seed", str(seed)]
        subprocess.run([*SEEDHOUSE, "generate", str(n), str(directory), *options], check=True, stdout=subprocess.DEVNULL)
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


def incremental_targets(report: dict) -> list[tuple[str, str, bool | None]]:
    """The targets of incremental builds and of `seedhouse watch` (docs/incremental.md), each
    with this run's figure and whether it holds (None: this run did not measure it). Ratios are of
    the same run; the million-seed lines need --freshness-million, or are measured outside."""
    summary, replay, dlt = report.get("summary") or {}, report.get("replay") or {}, report.get("dlt") or {}
    fresh = {entry["seeds"]: entry for entry in report.get("freshness") or []}
    lines: list[tuple[str, str, bool | None]] = []

    beyond = replay.get("incremental_over_full_beyond_cold_start")
    lines.append((
        "1% changed, 100,000 seeds: rebuild beyond the cold start <= 0.15 of the full build beyond it",
        "not run" if beyond is None else f"{beyond:.3f} (replay: {replay['incremental_s']:.2f} s against {replay['full_s']:.2f} s, "
        f"cold start {replay['cold_start_s']:.2f} s)",
        None if beyond is None else beyond <= 0.15,
    ))
    lines.append(("1% changed, 1,000,000 seeds: <= 0.15 of the full build", "measured outside this script", None))
    for n, target in ((100_000, 3), (1_000_000, 30)):
        entry = fresh.get(n)
        lines.append((
            f"seedhouse watch, {n:,} seeds: a new seed visible <= {target} s (median)",
            "not run" if entry is None else f"{entry['median_s']:.2f} s over {len(entry['latencies_s'])} new files",
            None if entry is None else entry["median_s"] <= target,
        ))
    marginal = summary.get("marginal_ratio_vs_naive")
    lines.append(("full build marginal throughput >= 5x the naive script's",
                  "not run" if marginal is None else f"{marginal:.2f}x", None if marginal is None else marginal >= 5))
    ours_over_dlt = {k: v for k, v in dlt.items() if k.startswith("seedhouse_over_dlt_beyond_cold_start_") and v}
    if ours_over_dlt:
        n = max(int(k.rsplit("_", 1)[1]) for k in ours_over_dlt)
        times = 1 / ours_over_dlt[f"seedhouse_over_dlt_beyond_cold_start_{n}"]
        lines.append((f"full build >= 30x dlt's throughput beyond the cold starts ({n:,} seeds)", f"{times:.2f}x", times >= 30))
    else:
        lines.append(("full build >= 30x dlt's throughput beyond the cold starts", "not run", None))
    cold = summary.get("cold_start_over_ge_import")
    lines.append(("cold start (a 10-file full build) <= 1.5x importing Great Expectations",
                  "not run" if cold is None else f"{cold:.2f}x ({summary['cold_start_s']:.2f} s against "
                  f"{summary['import_great_expectations_s']:.2f} s)", None if cold is None else cold <= 1.5))
    lines.append(("1,000,000 seeds: peak memory <= 1.5 GB", "measured outside this script (README, Performance)", None))
    return lines


def beyond_cold_start(seconds: float, other: float, cold: float, other_cold: float) -> float | None:
    """`seconds` over `other`, each less its own 10-file cold start: how two builds compare on the
    work that grows with the seeds, start-up (imports, Great Expectations, Dagster) set aside.
    None when either took no longer than its cold start (nothing left to compare)."""
    a, b = seconds - cold, other - other_cold
    return round(a / b, 3) if a > 0 and b > 0 else None


HEAT = re.compile(r"^heat: (\d+)$", re.M)


def change_for_replay(root: Path, new_files: Path) -> dict[str, int]:
    """Change 1% of the files of `root`, a third each way, as the replay test does: every 300th file
    (by path) gets a new heat and title, every 300th from the 100th is deleted, and the files of
    `new_files` (generated with another seed) are added under `replay-added/`. A changed file is
    written anew, never in place, so a hard-linked copy leaves the files it shares untouched."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    counts = {"modified": 0, "deleted": 0, "added": 0}
    for path in files[::300]:
        text = path.read_text()
        path.unlink()
        path.write_text(HEAT.sub(lambda m: f"heat: {int(m.group(1)) + 500}", text, count=1).replace('title: "', 'title: "Updated: ', 1))
        counts["modified"] += 1
    for path in files[100::300]:
        path.unlink()
        counts["deleted"] += 1
    for path in sorted(p for p in new_files.rglob("*") if p.is_file()):
        target = root / "replay-added" / path.relative_to(new_files)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        counts["added"] += 1
    return counts


def hard_linked_copy(source: Path, target: Path) -> Path:
    """A copy of the seeds folder `source` made of hard links (seconds for 100,000 files, and no
    space): for a step that adds, replaces or deletes files but never writes into one."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=os.link)
    return target


GROUPS = ("baseline", "replay", "freshness", "dlt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[50_000, 100_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seedhouse-bench"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    parser.add_argument("--keep", action="store_true", help="keep generated seeds between runs")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="run each timed step N times and keep the fastest"
    )
    parser.add_argument("--steps", nargs="+", choices=GROUPS, default=list(GROUPS), help="the groups of steps to run")
    parser.add_argument("--freshness-repeat", type=int, default=10, metavar="N", help="new files timed by freshness")
    parser.add_argument("--freshness-million", action="store_true", help="freshness at 1,000,000 seeds as well")
    parser.add_argument("--dlt-sizes", type=int, nargs=2, default=[10_000, 100_000], metavar=("SMALL", "LARGE"))
    args = parser.parse_args()

    small, large = sorted(args.sizes)
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    seeds = {n: generate(n, work / f"seeds-{n}") for n in (10, large, *([small] if "baseline" in args.steps else []))}
    results: dict[str, dict] = {}
    report: dict[str, object] = {}
    failed = False

    def warm(root: Path) -> None:
        """Read every seed of `root` once, untimed, right before a step reads them: where the
        kernel pages idle memory out (DAMON, see the README), files untouched for a minute are
        read from disk again, and each step would otherwise start from a different cache."""
        subprocess.run([PYTHON, "-c", READ_ONLY, str(root)], check=True)

    def step(
        name: str,
        cmd: list[str],
        seeds_root: Path | None,
        *,
        before: Callable[[], None] = lambda: None,
        repeat: int | None = None,
        step_env: dict[str, str] | None = None,
    ) -> dict[str, float]:
        runs = []
        for _ in range(repeat or args.repeat):
            before()  # untimed preparation of each run
            if seeds_root is not None:
                warm(seeds_root)
            # the machine is shared: what else ran says how far to trust the seconds
            load = os.getloadavg()[0]
            runs.append({**measure(cmd, step_env or env), "load_1min_before": round(load, 2)})
        result = min(runs, key=lambda r: r["seconds"])  # the least disturbed run
        result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        results[name] = result
        print(f"{name:<28} {result['seconds']:>9.2f} s   peak {result['peak_rss_mb']:>7.0f} MiB   "
              f"load {result['load_1min_before']:.1f}", flush=True)
        return result

    def full_build(n: int, root: Path) -> None:
        warehouse = work / f"wh-{n}" / "seedhouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        build = [*SEEDHOUSE, "build", "--full", "--seeds", str(root), "--warehouse", str(warehouse)]
        step(f"seedhouse_full_{n}", build, root)

    def cold_start() -> float:
        """The 10-file full build: a build's fixed cost, which the ratios beyond a cold start set aside."""
        if "seedhouse_cold_10" not in results:
            cold_wh = work / "wh-10" / "seedhouse.duckdb"
            shutil.rmtree(cold_wh.parent, ignore_errors=True)
            cold = [*SEEDHOUSE, "build", "--full", "--seeds", str(seeds[10]), "--warehouse", str(cold_wh)]
            step("seedhouse_cold_10", cold, seeds[10])
        return results["seedhouse_cold_10"]["seconds"]

    if "baseline" in args.steps:
        report.update(baseline(args, work, env, seeds, results, step, full_build, cold_start))
    if "replay" in args.steps:
        report["replay"] = replay(large, work, env, seeds, results, step, cold_start)
        failed |= bool(report["replay"]["differences"])
    if "freshness" in args.steps:
        report["freshness"] = freshness(([large] + ([1_000_000] if args.freshness_million else [])), work, env, seeds, args)
    if "dlt" in args.steps:
        report["dlt"] = peer_dlt(args.dlt_sizes, work, seeds, results, step, full_build, cold_start)

    report["incremental_targets"] = [
        {"target": name, "figure": figure, "holds": holds} for name, figure, holds in incremental_targets(report)
    ]
    print("\ntargets of incremental builds and the watch (2-core machine, this run):")
    for line in report["incremental_targets"]:
        verdict = "n/a   " if line["holds"] is None else "holds " if line["holds"] else "missed"
        print(f"  {verdict}  {line['target']}: {line['figure']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**report, "steps": results}, indent=2, default=str) + "\n")
    print(f"\nwrote {args.out}")
    if not args.keep:
        for path in [*work.glob("wh-*"), *work.glob("dlt-*"), *work.glob("seeds-*-replay"), work / "freshness"]:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    if failed:
        raise SystemExit("the incremental and the full warehouse differ (see replay above)")


def baseline(args, work, env, seeds, results, step, full_build, cold_start) -> dict:
    """The first steps (see the module's docstring) and their summary and targets."""
    small, large = sorted(args.sizes)
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
        full_build(n, seeds[n])
    # the same full build with its seeds paged out first (every other step reads them cached)
    evicted_wh = work / f"wh-{large}-evicted" / "seedhouse.duckdb"
    evicted_build = [*SEEDHOUSE, "build", "--full", "--seeds", str(seeds[large]), "--warehouse", str(evicted_wh)]
    step(f"seedhouse_full_paged_out_{large}", evicted_build, None, before=lambda: evict(seeds[large]))
    cold_start()
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
    return {"summary": summary, "targets": targets, "out_of_reach": reasons}


def replay(n: int, work: Path, env: dict[str, str], seeds: dict[int, Path], results: dict, step, cold_start) -> dict:
    """The replay test at `n` seeds: 1% of the files change, one warehouse is built incrementally
    and one in full, and every table and view of the two must be equal."""
    from pipeline.compare import differences

    cold = cold_start()
    root = hard_linked_copy(seeds[n], work / f"seeds-{n}-replay")
    # the added files: generated with another seed, so they are other articles than the corpus's
    new_files = generate(n // 300, work / f"seeds-{n // 300}-other", seed=2)
    warehouses = {kind: work / f"wh-replay-{kind}-{n}" / "seedhouse.duckdb" for kind in ("incremental", "full")}
    # Both warehouses see the same first build, observed at the same time, and the same second one:
    # their article history (which keeps what every build saw) can then agree as well.
    first, second = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
    # Each warehouse's folder (the file, its parse cache and publish record) is kept as the first
    # build left it and put back before every timed build: with --repeat, each run starts alike.
    kept = {kind: warehouse.parent.with_name(warehouse.parent.name + "-first") for kind, warehouse in warehouses.items()}
    for kind, warehouse in warehouses.items():
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        build = [*SEEDHOUSE, "build", "--full", "--seeds", str(root), "--warehouse", str(warehouse), "--as-of", first]
        subprocess.run(build, check=True, stdout=subprocess.DEVNULL, env=env)
        shutil.rmtree(kept[kind], ignore_errors=True)
        shutil.copytree(warehouse.parent, kept[kind])
    changes = change_for_replay(root, new_files)
    builds = {
        "incremental": [*SEEDHOUSE, "build", "--seeds", str(root), "--warehouse", str(warehouses["incremental"])],
        "full": [*SEEDHOUSE, "build", "--full", "--seeds", str(root), "--warehouse", str(warehouses["full"])],
    }
    for kind, build in builds.items():

        def put_back(kind: str = kind) -> None:
            shutil.rmtree(warehouses[kind].parent)
            shutil.copytree(kept[kind], warehouses[kind].parent)

        step(f"seedhouse_replay_{kind}_{n}", [*build, "--as-of", second], root, before=put_back)
    with duckdb_connection(warehouses["incremental"]) as con:
        parsed, reused = con.execute("select files_parsed, files_reused from quality.build_info").fetchone()
        n_relations = con.execute("select count(*) from information_schema.tables").fetchone()[0]
    started = time.perf_counter()
    found = differences(warehouses["incremental"], warehouses["full"])
    compare_s = time.perf_counter() - started
    incremental = results[f"seedhouse_replay_incremental_{n}"]["seconds"]
    full = results[f"seedhouse_replay_full_{n}"]["seconds"]
    figures = {
        "seeds": n,
        "changes": changes,
        "incremental_parsed": parsed,
        "incremental_reused": reused,
        "incremental_s": incremental,
        "full_s": full,
        "cold_start_s": cold,
        "incremental_over_full": round(incremental / full, 3),
        "incremental_over_full_beyond_cold_start": beyond_cold_start(incremental, full, cold, cold),
        "relations_compared": n_relations,
        "compare_s": round(compare_s, 2),
        "differences": found,
    }
    print(f"\nreplay at {n:,} seeds: {changes['modified']} modified, {changes['deleted']} deleted, {changes['added']} added; "
          f"the incremental build parsed {parsed:,} files and reused {reused:,}")
    print(f"  incremental {incremental:.2f} s, full {full:.2f} s: {figures['incremental_over_full']:.3f} of the full build; "
          f"beyond the {cold:.2f} s cold start: {figures['incremental_over_full_beyond_cold_start']}")
    verdict = "equal" if not found else f"DIFFERENT: {found}"
    print(f"  all {n_relations} tables and views compared in {compare_s:.1f} s: {verdict}")
    return figures


def duckdb_connection(path: Path):
    import duckdb

    return duckdb.connect(str(path), read_only=True)


def freshness(sizes: list[int], work: Path, env: dict[str, str], seeds: dict[int, Path], args) -> list[dict]:
    """bench/freshness.py at each size: its lines as it prints them, its figures returned."""
    fresh_work = work / "freshness"
    fresh_work.mkdir(exist_ok=True)
    for n in sizes:
        target = fresh_work / f"seeds-{n}"
        if not target.exists():  # freshness.py adds its probe files there, never into the bench's seeds
            hard_linked_copy(seeds.get(n) or generate(n, work / f"seeds-{n}"), target)
    out = fresh_work / "figures.json"
    print(flush=True)
    subprocess.run(
        [PYTHON, str(Path(__file__).with_name("freshness.py")), "--sizes", *map(str, sizes),
         "--repeat", str(args.freshness_repeat), "--workdir", str(fresh_work), "--json", str(out)],
        check=True, env=env,
    )
    return json.loads(out.read_text())


def peer_dlt(sizes: list[int], work: Path, seeds: dict[int, Path], results: dict, step, full_build, cold_start) -> dict:
    """dlt loading the seeds at each size, and at 10 files for its cold start, beside seedhouse's
    full build of the same seeds."""
    sys.path.insert(0, str(Path(__file__).parent))
    import peer_dlt as dlt

    dlt.python()  # its virtual environment, made before anything is timed
    cold = cold_start()
    figures: dict[str, object] = {}
    for n in (10, *sorted(sizes)):
        root = seeds.get(n) or generate(n, work / f"seeds-{n}")
        db, pipelines = work / f"dlt-{n}.duckdb", work / f"dlt-{n}-pipelines"

        def fresh(db: Path = db, pipelines: Path = pipelines) -> None:  # a cold load: no file, no state
            db.unlink(missing_ok=True)
            shutil.rmtree(pipelines, ignore_errors=True)

        step(f"dlt_{n}", dlt.command(root, db, pipelines), root, before=fresh, step_env=dlt.environment())
        figures[f"dlt_tables_{n}"] = dlt.tables(db)
        if n != 10 and f"seedhouse_full_{n}" not in results:
            full_build(n, root)
    dlt_cold = results["dlt_10"]["seconds"]
    print("\nseedhouse's full build against dlt's load of the same seeds (time ratio: < 1 is seedhouse faster)")
    for n in sorted(sizes):
        ours, theirs = results[f"seedhouse_full_{n}"]["seconds"], results[f"dlt_{n}"]["seconds"]
        figures[f"seedhouse_over_dlt_{n}"] = round(ours / theirs, 3)
        figures[f"seedhouse_over_dlt_beyond_cold_start_{n}"] = beyond_cold_start(ours, theirs, cold, dlt_cold)
        print(f"  {n:>9,} seeds: seedhouse {ours:.2f} s, dlt {theirs:.2f} s: {figures[f'seedhouse_over_dlt_{n}']:.3f}; "
              f"beyond the cold starts (seedhouse {cold:.2f} s, dlt {dlt_cold:.2f} s): "
              f"{figures[f'seedhouse_over_dlt_beyond_cold_start_{n}']}")
        print(f"  {'':>9}  dlt made {len(figures[f'dlt_tables_{n}'])} tables, "
              f"{figures[f'dlt_tables_{n}'].get('seeds', 0):,} rows in `seeds`")
    return figures

if __name__ == "__main__":
    main()
