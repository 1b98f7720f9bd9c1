"""Where one build's time goes: every Dagster step's start and duration, from the run's own events.

    python bench/steps.py SEEDS WAREHOUSE                  # an ordinary (incremental) build
    python bench/steps.py SEEDS WAREHOUSE --full           # a full rebuild
    python bench/steps.py SEEDS WAREHOUSE --change-one-percent   # rewrite 1% of the seeds first
    python bench/steps.py SEEDS WAREHOUSE --profile build.html   # and a pyinstrument profile

The build runs in this process, as `seedhouse build` runs it (`pipeline.build.run_build`), with an
ephemeral Dagster instance whose event log is read afterwards. Times are wall clock: the GE process
and the parse workers are not profiled, only waited for. `bench/run.py` gives the figures to
compare; this script says which step to look at.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

# what each step is, by its key (the tables, their checks and the publish are one step)
KINDS = {"staging__parsed_seeds": "ingest", "published_warehouse": "tables, checks, publish", "report": "report"}


def kind_of(step_key: str) -> str:
    return KINDS[step_key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seeds", type=Path)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--full", action="store_true", help="a full rebuild (seedhouse build --full)")
    parser.add_argument("--change-one-percent", action="store_true", help="rewrite every 100th seed's title first")
    parser.add_argument("--profile", type=Path, metavar="HTML", help="write a pyinstrument profile of the build")
    args = parser.parse_args()

    from dagster import DagsterInstance

    from pipeline.build import run_build

    if args.change_one_percent:
        from run import change_one_percent  # bench/run.py, beside this script

        print(f"rewrote {len(change_one_percent(args.seeds))} seed files")
    profiler = None
    if args.profile:
        from pyinstrument import Profiler  # pip install pyinstrument

        profiler = Profiler(interval=0.002)
        profiler.start()
    instance = DagsterInstance.ephemeral()
    called = time.time()
    report = run_build(args.seeds, args.warehouse, full=args.full, instance=instance)
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(profiler.output_html())
    print(f"build {report.seconds:.2f} s: success {report.success}, parsed {report.parsed}, reused {report.reused}")
    for error in report.errors:
        print(f"  error: {error}")
    if report.up_to_date:
        print("nothing changed: no run was started")
        return

    run = instance.get_run_stats(report.run_id)  # Dagster's own figures, from the run's events
    run_seconds = run.end_time - run.start_time
    print(f"run started {run.start_time - called:.2f} s after the build was called and took {run_seconds:.2f} s\n")
    print(f"{'step':<52} {'starts at':>9} {'seconds':>8}")
    by_kind = dict.fromkeys(KINDS.values(), 0.0)
    for step in sorted(instance.get_run_step_stats(report.run_id), key=lambda step: step.start_time):
        seconds = step.end_time - step.start_time
        print(f"{step.step_key:<52} {step.start_time - run.start_time:>9.2f} {seconds:>8.2f}")
        by_kind[kind_of(step.step_key)] += seconds
    between = run_seconds - sum(by_kind.values())
    print("\n" + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in by_kind.items()), end="")
    print(f"; outside any step (Dagster) {between:.2f} s")


if __name__ == "__main__":  # the parse workers and the GE process import this module again
    main()
