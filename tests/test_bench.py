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


def test_the_marginal_cost_splits_into_the_parse_and_the_rest_beside_the_targets_budget():
    # naive 4,000 files/s; seedhouse 10,000 of which its parse alone 25,000: 100 us = 40 + 60,
    # and 10x the naive marginal is 40,000 files/s, 25 us a file for everything
    assert bench_run.cost_per_file(4_000.0, 10_000.0, 25_000.0) == {
        "seedhouse_parse_only_marginal_files_per_s": 25_000,
        "seedhouse_marginal_us_per_file": 100.0,
        "parse_marginal_us_per_file": 40.0,
        "rest_marginal_us_per_file": 60.0,
        "marginal_target_allows_us_per_file": 25.0,
    }


def test_a_cost_per_file_the_run_could_not_measure_stays_unknown():
    assert bench_run.cost_per_file(None, 10_000.0, None) == {
        "seedhouse_parse_only_marginal_files_per_s": None,
        "seedhouse_marginal_us_per_file": 100.0,
        "parse_marginal_us_per_file": None,
        "rest_marginal_us_per_file": None,
        "marginal_target_allows_us_per_file": None,
    }


def test_targets_no_build_with_checks_could_meet_are_named_with_the_figures_that_rule_them_out():
    # naive 29.63 s: a full build within 5x must take <= 5.93 s, and a 1% rebuild within a quarter
    # of that <= 1.48 s, under the 3.95 s GE's import took; the 5.66 s cold start still fits
    assert bench_run.out_of_reach(29.63, 5.66, 3.95) == [
        "end to end >= 5x together with 1% <= 25%: the rebuild would have to take <= 1.48 s (a twentieth of "
        "the naive baseline), less than importing Great Expectations (3.95 s), which its checks need"
    ]
    # a slower cold start rules out the end-to-end target by itself
    assert bench_run.out_of_reach(29.63, 6.0, 3.95)[0] == (
        "end to end >= 5x: a full build would have to take <= 5.93 s (the naive baseline took 29.63 s), "
        "but a 10-file build took 6.00 s"
    )
    # a naive baseline twenty times slower than GE's import rules nothing out
    assert bench_run.out_of_reach(80.0, 5.66, 3.95) == []


def test_a_ratio_beyond_the_cold_start_sets_each_ones_start_up_aside():
    # 40 s against 100 s is 0.4 in all; beyond cold starts of 10 s and 20 s, 30 against 80
    assert bench_run.beyond_cold_start(40.0, 100.0, 10.0, 20.0) == 0.375
    # nothing beyond the cold start on either side: no ratio to give
    assert bench_run.beyond_cold_start(10.0, 100.0, 10.0, 20.0) is None
    assert bench_run.beyond_cold_start(40.0, 15.0, 10.0, 20.0) is None


def test_the_replay_changes_one_percent_a_third_each_way_and_never_writes_into_a_shared_file(tmp_path):
    seeds, new = tmp_path / "seeds", tmp_path / "new"
    for k in range(900):
        (seeds / f"{k // 100}").mkdir(parents=True, exist_ok=True)
        (seeds / f"{k // 100}" / f"{k:03}.md").write_text(f'---\ntitle: "Item {k}"\nheat: {k}\n---\n')
    (new / "sub").mkdir(parents=True)
    for k in range(3):
        (new / "sub" / f"n{k}.md").write_text(f'---\ntitle: "New {k}"\n---\n')
    copy = bench_run.hard_linked_copy(seeds, tmp_path / "copy")

    assert bench_run.change_for_replay(copy, new) == {"modified": 3, "deleted": 3, "added": 3}
    assert (copy / "0" / "000.md").read_text() == '---\ntitle: "Updated: Item 0"\nheat: 500\n---\n'
    assert not (copy / "1" / "100.md").exists() and (copy / "replay-added" / "sub" / "n2.md").exists()
    assert sum(1 for p in copy.rglob("*.md")) == 900
    # the original seeds, hard-linked into the copy, are as they were
    assert (seeds / "0" / "000.md").read_text() == '---\ntitle: "Item 0"\nheat: 0\n---\n'
    assert (seeds / "1" / "100.md").exists()


def test_the_incremental_targets_are_judged_at_their_bounds_from_one_runs_figures():
    report = {
        "summary": {"marginal_ratio_vs_naive": 5.0, "cold_start_over_ge_import": 1.51, "cold_start_s": 6.04,
                    "import_great_expectations_s": 4.0},
        "replay": {"incremental_over_full_beyond_cold_start": 0.15, "incremental_s": 10.0, "full_s": 40.0, "cold_start_s": 5.0},
        "freshness": [{"seeds": 100_000, "median_s": 3.01, "latencies_s": [3.0, 3.01, 3.02]}],
        "dlt": {"seedhouse_over_dlt_beyond_cold_start_10000": 0.5, "seedhouse_over_dlt_beyond_cold_start_100000": 0.04},
    }
    lines = bench_run.incremental_targets(report)
    assert [holds for _, _, holds in lines] == [True, None, False, None, True, False, False, None]
    assert [figure for _, figure, _ in lines] == [
        "0.150 (replay: 10.00 s against 40.00 s, cold start 5.00 s)",
        "measured outside this script",
        "3.01 s over 3 new files",
        "not run",
        "5.00x",
        "25.00x",
        "1.51x (6.04 s against 4.00 s)",
        "measured outside this script (README, Performance)",
    ]
    assert "(100,000 seeds)" in lines[5][0]


def test_incremental_targets_a_run_did_not_measure_are_neither_held_nor_missed():
    assert [holds for _, _, holds in bench_run.incremental_targets({})] == [None] * 8
