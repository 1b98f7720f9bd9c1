"""Scale-out: the sharded parse with 1 and 2 concurrent shard runs, the cost of one Dagster run,
and the warehouse build from Parquet staging against a plain build of the same files.

    python bench/scaleout.py                       # 100,000 seeds, 8 shards (about 10 minutes)
    python bench/scaleout.py --seeds 20000 --bits 2

For a size: generates the seeds (kept in --workdir between runs), then in one run

1. parses every shard into a local staging folder with one shard process at a time, then with two
   at once (each shard run parses on one core, as one run of the queue with a one-core pod would):
   the speed-up is the ratio of the two wall times;
2. times one real Dagster run of an unchanged shard (`dagster job execute` of parse_shards: a
   fresh process importing the code location, listing the seeds, reusing every row, writing a
   version) and, in this process, the same shard's work alone: the difference is the per-run
   overhead the queue adds to every shard;
3. commits, then builds the warehouse from the committed snapshot (`--from-staging`) and, for
   comparison, builds it from the folder with a full parse (`seedhouse build --full`).

It prints ratios measured in this same run, and writes them to bench/results/scaleout-<n>.json.
At 1,000,000 seeds the same script runs with `--seeds 1000000 --bits 5` (add `--skip
one-at-a-time run-overhead` to time only the build stage): its largest process peaked at 1.7 GB
and the seeds, staging and two warehouses take about 10 GB of disk. The parse stages scale with
the number of shard processes, the build stage does not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pipeline.shards import commit, parse_shard  # noqa: E402


def _one_shard(args: tuple[str, str, int, int, str]) -> int:
    seeds, staging, bits, shard, version = args
    return parse_shard(seeds, staging, bits=bits, shard=shard, version=version, workers=1).files_parsed


def parse_all(seeds: Path, staging: Path, bits: int, concurrent: int, tag: str) -> float:
    """Wall seconds to parse every shard with `concurrent` shard processes at a time."""
    shutil.rmtree(staging, ignore_errors=True)
    jobs = [(str(seeds), str(staging), bits, shard, f"{tag}{shard}") for shard in range(2**bits)]
    started = time.perf_counter()
    with ProcessPoolExecutor(concurrent) as pool:
        parsed = sum(pool.map(_one_shard, jobs))
    seconds = time.perf_counter() - started
    print(f"  {concurrent} shard run(s) at a time: {parsed} files in {seconds:.1f} s ({parsed / seconds:,.0f} files/s)")
    return seconds


def run_overhead(seeds: Path, staging: Path, warehouse: Path, bits: int, home: Path) -> tuple[float, float]:
    """(seconds of one real Dagster run of an unchanged shard, seconds of the same work in-process)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "DAGSTER_HOME": str(home), "SEEDHOUSE_SEEDS": str(seeds), "SEEDHOUSE_STAGING": str(staging),
        "SEEDHOUSE_WAREHOUSE": str(warehouse), "SEEDHOUSE_SHARD_BITS": str(bits), "GX_ANALYTICS_ENABLED": "false",
    }
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "job", "execute", "-m", "pipeline.definitions", "-j", "parse_shards",
         "--tags", json.dumps({"dagster/partition": "0"})],
        cwd=PROJECT, env=env, check=True, capture_output=True,
    )
    as_run = time.perf_counter() - started
    started = time.perf_counter()
    parse_shard(seeds, staging, bits=bits, shard=0, version="in-process", workers=1)
    alone = time.perf_counter() - started
    return as_run, alone


def build(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("seedhouse")), "build", *args], capture_output=True, text=True)
    if done.returncode != 0:
        # a failed build is a finding, not a figure: say what it printed
        sys.exit(f"seedhouse build {' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=100_000)
    parser.add_argument("--bits", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench" / "results" / "work")
    parser.add_argument("--skip", nargs="+", default=[], choices=["one-at-a-time", "run-overhead"],
                        help="leave out the parse with one shard run at a time (the speed-up) or the Dagster "
                             "run's overhead, when a smaller size has measured them and this one is for the build")
    args = parser.parse_args()

    n, bits = args.seeds, args.bits
    seeds = args.workdir / f"seeds-{n}"
    if not seeds.is_dir():
        from pipeline.generate import generate

        print(f"generating {n} seeds under {seeds}")
        generate(n, seeds)
    work = args.workdir / f"scaleout-{n}"
    shutil.rmtree(work, ignore_errors=True)
    staging, warehouse = work / "staging", work / "wh" / "seedhouse.duckdb"

    print(f"{n} seeds, {2**bits} shards, {os.cpu_count()} cores")
    one = None if "one-at-a-time" in args.skip else parse_all(seeds, staging, bits, 1, "one")
    two = parse_all(seeds, staging, bits, 2, "two")
    commit(seeds, staging, bits=bits)
    as_run = alone = None
    if "run-overhead" not in args.skip:
        as_run, alone = run_overhead(seeds, staging, warehouse, bits, work / "dagster_home")
        print(f"  one Dagster run of an unchanged shard: {as_run:.1f} s, of which the shard's own work {alone:.1f} s")

    from_staging = build("--from-staging", str(staging), "--warehouse", str(warehouse))
    plain = build("--seeds", str(seeds), "--warehouse", str(work / "plain" / "seedhouse.duckdb"), "--full")
    print(f"  warehouse build from the committed snapshot: {from_staging:.1f} s; plain full build: {plain:.1f} s")

    results = {
        "seeds": n, "shards": 2**bits, "cores": os.cpu_count(),
        "parse_2_concurrent_s": round(two, 2), "build_from_staging_s": round(from_staging, 2),
        "plain_full_build_s": round(plain, 2), "build_from_staging_over_plain": round(from_staging / plain, 2),
    }
    if one is not None:
        results |= {"parse_1_concurrent_s": round(one, 2), "speed_up_2_over_1": round(one / two, 2),
                    "parse_files_per_s_1": round(n / one)}
    if as_run is not None:
        results |= {"run_seconds": round(as_run, 2), "shard_work_seconds": round(alone, 2),
                    "per_run_overhead_s": round(as_run - alone, 2)}
    print(json.dumps(results, indent=1))
    out = PROJECT / "bench" / "results" / f"scaleout-{n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
