"""Write-audit-publish: a build that fails a critical expectation publishes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterInvalidSubsetError, DagsterRunStatus

from pipeline import quality
from pipeline.build import run_build
from pipeline.catalog import TABLES
from pipeline.definitions import defs
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.quality import validation
from pipeline.warehouse import Warehouse
from tests.conftest import article_key, query

A_URL = "https://www.exampletimes.com/news/one?id=7"  # a.md's canonical URL


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seedhouse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def published(tiny_warehouse, tmp_path) -> Path:
    path = tmp_path / "wh" / "seedhouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(tiny_warehouse, path)
    return path


def write_stricter_suites(folder: Path) -> Path:
    """The project's suites plus one critical expectation the tiny seeds violate (a.md has quality 42)."""
    suites = folder / "suites"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    path = suites / "core.articles.json"
    suite = json.loads(path.read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "quality", "min_value": 0, "max_value": 10},
            "meta": {"meaning": "a stricter house rule"},
            "severity": "critical",
        }
    )
    path.write_text(json.dumps(suite))
    return suites


@pytest.fixture()
def stricter_suites(tmp_path) -> Path:
    return write_stricter_suites(tmp_path)


@pytest.fixture(scope="module")
def held_back(tiny_warehouse, tiny_seeds, tmp_path_factory, warm_ge):
    """One build of the tiny seeds over a copy of the tiny warehouse that the stricter suites hold
    back, recorded in an instance of its own: (the published file, the build's report, the
    instance). The tests that only read what it left share it."""
    folder = tmp_path_factory.mktemp("held_back")
    path = folder / "wh" / "seedhouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(tiny_warehouse, path)
    instance = DagsterInstance.ephemeral()
    report = run_build(tiny_seeds, path, expectations_dir=write_stricter_suites(folder), instance=instance, ge=warm_ge)
    return path, report, instance


def test_a_first_build_held_back_says_no_warehouse_was_written(tiny_seeds, stricter_suites, tmp_path):
    """"Left as it was" is said only of a warehouse that exists."""
    target = tmp_path / "new" / "seedhouse.duckdb"
    result = seedhouse(
        "build", "--seeds", str(tiny_seeds), "--warehouse", str(target), "--expectations", str(stricter_suites)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == f"not published: no warehouse was written to {target}"
    assert not target.exists()


def test_failed_critical_expectation_leaves_the_published_file_untouched(published, tiny_seeds, stricter_suites):
    before = digest(published)
    rows_before = query(published, "select count(*) from core.articles")
    result = seedhouse(
        "build", "--seeds", str(tiny_seeds), "--warehouse", str(published), "--expectations", str(stricter_suites)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "core.articles between__quality_2 (critical): 1 unexpected. a stricter house rule" in result.stdout
    assert "critical expectations failed: core.articles:between__quality_2" in result.stderr
    assert f"not published: {published} was left as it was" in result.stderr.replace("\n", "")
    assert digest(published) == before
    assert query(published, "select count(*) from core.articles") == rows_before


def test_a_failed_critical_expectation_holds_back_only_the_publish_step(held_back):
    """Every table is still built and checked, so one failed run shows every problem at once."""
    published, report, instance = held_back
    assert (report.success, report.published, report.errors) == (False, False, [])
    # the run is recorded in the instance it was given, and only its publish step failed there
    assert instance.get_run_by_id(report.run_id).status == DagsterRunStatus.FAILURE
    failed = instance.all_logs(report.run_id, of_type=DagsterEventType.STEP_FAILURE)
    assert [entry.step_key for entry in failed] == ["published_warehouse"]
    assert [(f.table, f.check_name) for f in report.blocking_failures] == [("core.articles", "between__quality_2")]
    build = Warehouse(published).builds_dir / f"{report.run_id}.duckdb"
    assert query(build, "select count(*) from analytics.story_coverage") == query(
        published, "select count(*) from analytics.story_coverage"
    )


def test_tables_cannot_be_built_without_their_checks(published, tiny_seeds):
    """The tables, their checks and the publish are one step: a run of the tables without their
    checks, which could only end in a build nobody publishes, cannot even be asked for."""
    before = digest(published)
    job = defs.resolve_job_def("build_warehouse")
    with pytest.raises(DagsterInvalidSubsetError, match=r"(?s)'published_warehouse'.*does not support subsetting"):
        job.get_subset(asset_selection=job.asset_layer.selected_asset_keys, asset_check_selection=set())
    assert digest(published) == before


def test_each_suite_goes_to_the_ge_process_once_as_its_table_is_built(tiny_seeds, tmp_path, monkeypatch):
    handed = []

    def submit(con, plan, ge):  # the real hand-over, counted
        handed.append(plan.table)
        return real_submit(con, plan, ge)

    real_submit = validation.submit
    # the resource hands suites over through the package's name, `validate` through its module's
    monkeypatch.setattr(quality, "submit", submit)
    monkeypatch.setattr(validation, "submit", submit)
    report = run_build(tiny_seeds, tmp_path / "wh" / "seedhouse.duckdb")
    assert (report.success, report.published) == (True, True)
    assert sorted(handed) == sorted(t.name for t in TABLES)


def test_next_build_cleans_up_and_publishes(published, tiny_seeds, stricter_suites, warm_ge):
    failed = run_build(tiny_seeds, published, expectations_dir=stricter_suites, ge=warm_ge)
    assert (failed.success, failed.published) == (False, False)
    leftovers = sorted(p.name for p in (Warehouse(published).builds_dir).iterdir())
    assert leftovers == [f"{failed.run_id}.duckdb", f"{failed.run_id}.staging.duckdb"]

    report = run_build(tiny_seeds, published, ge=warm_ge)
    assert (report.success, report.published) == (True, True)
    assert list((Warehouse(published).builds_dir).iterdir()) == []
    assert report.ledger == {"duplicate": 1, "loaded": 2, "quarantined": 6}


def test_a_second_build_fails_at_once_while_one_holds_the_lock(published, tiny_seeds, warm_ge):
    holder = Warehouse(published)
    holder.acquire_lock("someone-else")
    try:
        before = digest(published)
        report = run_build(tiny_seeds, published, ge=warm_ge)
        assert (report.success, report.published) == (False, False)
        assert report.errors == [
            f"staging__parsed_seeds: another seedhouse build or watch is running against {published} "
            f"(lock {Warehouse(published).state_dir / 'build.lock'}): wait for the build to finish, or stop the watch"
        ]
        assert digest(published) == before
    finally:
        holder.release_lock()


def test_every_check_outcome_is_in_the_file_it_checked(tiny_warehouse, held_back):
    """quality.check_results: the published file carries the checks of the build that made it, and
    a build held back by its checks carries the failure the gate read."""
    n_expectations = sum(len(quality.expectations(quality.load_suite(t.name))) for t in TABLES)
    run_id = query(tiny_warehouse, "select run_id from quality.build_info")[0][0]
    assert query(
        tiny_warehouse,
        "select count(*), count(distinct table_name), count(*) filter (where severity = 'critical' and not success), "
        "min(run_id), max(run_id) from quality.check_results",
    ) == [(n_expectations, len(TABLES), 0, run_id, run_id)]

    published, report, _ = held_back
    build = Warehouse(published).build_path(report.run_id)
    assert query(
        build,
        "select table_name, check_name, severity, success, unexpected_count, sample::varchar from quality.check_results "
        "where not success and severity = 'critical'",
    ) == [("core.articles", "between__quality_2", "critical", False, 1, f'[{{"quality": 42, "article_id": "{article_key(A_URL)}"}}]')]
    assert [(f.table, f.check_name, f.unexpected_count) for f in report.blocking_failures] == [
        ("core.articles", "between__quality_2", 1)
    ]
