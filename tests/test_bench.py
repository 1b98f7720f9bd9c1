"""bench/run.py's verdicts: each target holds, is missed, or cannot be told from the run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("bench_run", Path(__file__).parents[1] / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench_run)

SUMMARY = {
    "marginal_ratio_vs_naive": 10.0,
    "end_to_end_ratio_vs_naive": 4.99,
    "cold_start_s": 6.0,
    "nochange_rebuild_s": 7.01,
    "one_percent_share_of_full": 0.25,
}


def test_each_target_is_judged_at_its_bound():
    assert list(bench_run.check_targets(SUMMARY).values()) == [True, False, True, False, True]


def test_a_marginal_the_run_could_not_measure_is_neither_held_nor_missed():
    # sizes so close that the larger build was not slower: no slope, no ratio
    verdicts = bench_run.check_targets({**SUMMARY, "marginal_ratio_vs_naive": None})
    assert list(verdicts.values()) == [None, False, True, False, True]
