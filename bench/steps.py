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


def kind_of(step_key: str) -> str:
    if step_key == "staging__parsed_seeds":
        return "ingest"
    if step_key.endswith("_expectations"):
        return "checks"
    if step_key in ("published_warehouse", "report"):
        return step_key.replace("published_warehouse", "publish")
    return "tables"


def step_times(instance, run_id: str) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """The run's start (epoch seconds), its length, and each step's (start within the run, seconds)."""
    from dagster import DagsterEventType

    started: dict[str, float] = {}
    steps: dict[str, tuple[float, float]] = {}
    run_start = run_end = None
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        if kind == DagsterEventType.RUN_START:
            run_start = entry.timestamp
        elif kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = entry.timestamp
        elif kind == DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            steps[entry.step_key] = (started[entry.step_key], entry.timestamp - started[entry.step_key])
    assert run_start is not None and run_end is not None, "the run has no start or end event"
    return run_start, run_end - run_start, {key: (start - run_start, d) for key, (start, d) in steps.items()}


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

    run_start, run_seconds, steps = step_times(instance, report.run_id)
    print(f"run started {run_start - called:.2f} s after the build was called and took {run_seconds:.2f} s\n")
    print(f"{'step':<52} {'starts at':>9} {'seconds':>8}")
    for key, (start, seconds) in sorted(steps.items(), key=lambda item: item[1][0]):
        print(f"{key:<52} {start:>9.2f} {seconds:>8.2f}")
    by_kind = dict.fromkeys(("ingest", "tables", "checks", "publish", "report"), 0.0)
    for key, (_, seconds) in steps.items():
        by_kind[kind_of(key)] += seconds
    between = run_seconds - sum(by_kind.values())
    print("\n" + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in by_kind.items()), end="")
    print(f"; outside any step (Dagster) {between:.2f} s")


if __name__ == "__main__":  # the parse workers and the GE process import this module again
    main()
