"""Freshness: how long a new seed file takes to become visible to an analyst, with `seedhouse watch`
running.

    python bench/freshness.py                      # 100,000 seeds, 5 new files
    python bench/freshness.py --sizes 10000 100000 --repeat 10

For each size: generates the seeds (kept in --workdir between runs), starts `seedhouse watch` on
them and waits for its first publish, then, one at a time, writes a new seed file and polls the
published warehouse through a read-only connection (as an analyst's client would) until the new
article is there. The latency is from the file's write to the first poll that sees the article;
the median of --repeat files is compared with the target (3 s at 100,000 seeds). The watcher's
own line for each publish says how much of it was the build.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
SEEDHOUSE = [sys.executable, "-m", "pipeline.cli"]
TARGETS = {100_000: 3.0, 1_000_000: 30.0}

SEED = """---
title: "Freshness probe {n}"
excerpt: "A seed written while seedhouse watch runs."
publishedDateTime: 2024-05-01T10:00:00Z
webUrl: "https://www.exampletimes.com/news/freshness-probe-{n}"
type: article
provider:
  name: Example Times
  domain: exampletimes.com
---
"""


def visible(warehouse: Path, title: str) -> bool:
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute("select count(*) from core.articles where title = ?", [title]).fetchone()[0] == 1
    except duckdb.Error:
        return False  # replaced under the poll: look again


def wait_for_line(watch: subprocess.Popen, text: str) -> str:
    for line in watch.stdout:
        if text in line:
            return line.rstrip()
    raise RuntimeError(f"seedhouse watch ended before printing {text!r}")


def freshness(workdir: Path, n: int, repeat: int) -> dict:
    seeds = workdir / f"seeds-{n}"
    if not seeds.exists():
        subprocess.run([*SEEDHOUSE, "generate", str(n), str(seeds)], check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
    probes = seeds / "freshness-probes"
    probes.mkdir(exist_ok=True)
    for old in probes.iterdir():
        old.unlink()
    warehouse = workdir / f"wh-{n}" / "seedhouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    watch = subprocess.Popen(
        [*SEEDHOUSE, "watch", "--seeds", str(seeds), "--warehouse", str(warehouse), "--allow-shrink"],
        stdout=subprocess.PIPE, text=True, cwd=PROJECT, start_new_session=True,
    )
    latencies, lines = [], []
    try:
        wait_for_line(watch, "watching")
        for k in range(repeat):
            title = f"Freshness probe {k}"
            written = time.time()
            (probes / f"probe-{k}.md").write_text(SEED.format(n=k))
            while not visible(warehouse, title):
                time.sleep(0.05)
            latencies.append(time.time() - written)
            lines.append(wait_for_line(watch, "published"))
            print(f"{n:>9,} seeds: probe {k}: visible after {latencies[-1]:.2f} s   ({lines[-1]})")
    finally:
        watch.send_signal(signal.SIGTERM)  # ends the watch after the build in hand
        watch.wait(timeout=300)
    median = statistics.median(latencies)
    target = TARGETS.get(n)
    verdict = "" if target is None else f"; target <= {target:g} s: {'holds' if median <= target else 'missed'}"
    print(f"{n:>9,} seeds: median freshness {median:.2f} s over {repeat} new files{verdict}")
    return {"seeds": n, "latencies_s": [round(x, 2) for x in latencies], "median_s": round(median, 2),
            "target_s": target, "watch_lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seedhouse-bench-freshness"))
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures = [freshness(args.workdir, n, args.repeat) for n in args.sizes]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
