"""The Dagster UI as an operator meets it: `dagster dev` and `dg dev` with their daemon on a free
loopback port, read over GraphQL and, where Chromium is installed, in screenshots. Everything
started here is stopped here."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance

from pipeline.build import run_build
from pipeline.paths import EXPECTATIONS_DIR
from tests.conftest import TINY_SEEDS, dagster_ui, graphql, write_seeds

# a real `dagster dev` with its daemon: run in CI's second step
pytestmark = pytest.mark.slow

SELECTOR = {"repositoryLocationName": "seedhouse", "repositoryName": "__repository__"}

LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""


def launch(port: int, config: dict | None = None) -> str:
    """Launch build_warehouse as the launchpad does (no config: every default); its run id."""
    params = {"selector": {**SELECTOR, "jobName": "build_warehouse"}, "runConfigData": config or {}}
    launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def wait_for_run(port: int, run_id: str) -> str:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = graphql(port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})[
            "runOrError"
        ]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        time.sleep(2)
    raise AssertionError(f"run {run_id} did not finish")


def run_ids(port: int) -> list[str]:
    return [r["runId"] for r in graphql(port, "{ runsOrError { ... on Runs { results { runId } } } }")["runsOrError"]["results"]]


def materializations(port: int, key: list[str]) -> list[dict]:
    return graphql(
        port,
        """query($key: AssetKeyInput!) { assetNodes(assetKeys: [$key]) { assetMaterializations(limit: 10) { runId
              metadataEntries { label __typename ... on IntMetadataEntry { intValue } ... on MarkdownMetadataEntry { mdStr }
                ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } } } }""",
        {"key": {"path": key}},
    )["assetNodes"][0]["assetMaterializations"]


def check_execution(port: int, key: list[str], name: str) -> dict:
    return graphql(
        port,
        """query($key: AssetKeyInput!, $name: String!) { assetCheckExecutions(assetKey: $key, checkName: $name, limit: 5) {
              runId status evaluation { metadataEntries { label ... on TextMetadataEntry { text } } } } }""",
        {"key": {"path": key}, "name": name},
    )["assetCheckExecutions"]


def first_sensor_tick(port: int) -> dict:
    """The seeds sensor's first tick, once the daemon has made it."""
    query = """query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
                 ... on Sensor { sensorState { ticks(limit: 10) { status skipReason runIds } } } } }"""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ticks = graphql(port, query, {"selector": {**SELECTOR, "sensorName": "seeds_changed"}})["sensorOrError"]["sensorState"]["ticks"]
        if ticks:
            return ticks[-1]
        time.sleep(2)
    raise AssertionError("the seeds sensor never ticked")


FAILURE_EVENTS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection(afterCursor: null) { events {
    __typename ... on ExecutionStepFailureEvent { stepKey failureMetadata { description metadataEntries { label __typename
      ... on MarkdownMetadataEntry { mdStr } ... on JsonMetadataEntry { jsonString } ... on TextMetadataEntry { text } } } } } } } } }"""


def house_rule_suites(directory: Path, max_quality: int) -> Path:
    """The project's suites plus one critical house rule on core.articles.quality whose bound is a
    parameter: the check keeps its name when the bound changes (the tiny seeds hold quality 42)."""
    if not directory.exists():
        shutil.copytree(EXPECTATIONS_DIR, directory)
    path = directory / "core.articles.json"
    suite = json.loads((EXPECTATIONS_DIR / "core.articles.json").read_text())
    suite["meta"].setdefault("parameters", {})["max_quality"] = f"select {max_quality}"
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "quality", "min_value": 0, "max_value": {"$PARAMETER": "max_quality"}},
            "meta": {"meaning": "An article above the house's quality bound."},
            "severity": "critical",
        }
    )
    path.write_text(json.dumps(suite))
    return directory


RULE = "every_quality_is_between_0_and_max_quality"


def test_dg_dev_starts_no_build_on_an_unchanged_warehouse_and_a_failed_gate_is_a_readable_failure(tmp_path, monkeypatch):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    suites = house_rule_suites(tmp_path / "suites", max_quality=100)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    home = tmp_path / "dagster_home"
    home.mkdir()
    settings = {"SEEDHOUSE_WAREHOUSE": str(warehouse), "SEEDHOUSE_SEEDS": str(seeds), "SEEDHOUSE_EXPECTATIONS": str(suites)}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    # published by `seedhouse build`'s path and recorded where the UI reads (DAGSTER_HOME)
    with DagsterInstance.from_config(str(home)) as instance:
        first = run_build(seeds, warehouse, expectations_dir=suites, instance=instance)
    assert first.published, first.errors
    published_bytes = warehouse.read_bytes()

    with dagster_ui(home, command="dg", **settings) as port:
        tick = first_sensor_tick(port)
        assert tick == {
            "status": "SKIPPED",
            "skipReason": f"{warehouse} is current: it was built from these seeds under {seeds}",
            "runIds": [],
        }
        assert run_ids(port) == [first.run_id]  # starting the UI started no run
        screenshot(port, tmp_path, "/locations/seedhouse/sensors/seeds_changed", "dagster-sensor-no-build.png", showing="0 runs requested")

        # a launchpad run with nothing changed succeeds at once and materialises nothing
        unchanged = launch(port)
        assert wait_for_run(port, unchanged) == "SUCCESS"
        assert [m["runId"] for m in materializations(port, ["published_warehouse"])] == [first.run_id]

        # the house rule tightens: the next build fails its gate
        house_rule_suites(suites, max_quality=10)
        failed = launch(port)
        assert wait_for_run(port, failed) == "FAILURE"
        events = graphql(port, FAILURE_EVENTS, {"id": failed})["runOrError"]["eventConnection"]["events"]
        failures = [e for e in events if e["__typename"] == "ExecutionStepFailureEvent"]
        assert [f["stepKey"] for f in failures] == ["published_warehouse"]
        failure = failures[0]["failureMetadata"]
        assert failure["description"] == f"not published: 1 critical expectation failed. {warehouse} was left as it was."
        entries = {e["label"]: e for e in failure["metadataEntries"]}
        assert entries["failed_expectations"]["mdStr"].splitlines()[2] == (
            f"| core.articles | {RULE} | 1 | An article above the house's quality bound. |"
        )
        listed = json.loads(entries["failed"]["jsonString"])
        assert [(f["table"], f["check"], f["recorded_as"], f["unexpected_count"]) for f in listed] == [
            ("core.articles", RULE, "between__quality_2", 1)
        ]
        assert entries["build_run"]["text"] == failed
        # the published warehouse's own page says so too, beside the publish that still stands
        held_back = graphql(
            port,
            """{ assetNodes(assetKeys: [{path: ["published_warehouse"]}]) { assetObservations(limit: 5) { runId
                  metadataEntries { label ... on TextMetadataEntry { text } ... on MarkdownMetadataEntry { mdStr } } } } }""",
        )["assetNodes"][0]["assetObservations"]
        assert [o["runId"] for o in held_back] == [failed]
        observed = {e["label"]: e for e in held_back[0]["metadataEntries"]}
        assert observed["held_back"]["text"] == failure["description"]
        assert observed["failed_expectations"]["mdStr"] == entries["failed_expectations"]["mdStr"]

        # nothing of the held-back build reads as published: the tables' and the warehouse's
        # latest materialisations are still the first build's, and the file is byte for byte the same
        for key in (["core", "articles"], ["analytics", "provider_stats"], ["published_warehouse"]):
            assert [m["runId"] for m in materializations(port, key)] == [first.run_id], key
        assert warehouse.read_bytes() == published_bytes
        executions = check_execution(port, ["core", "articles"], RULE)
        # (the run that found nothing changed planned the check and skipped it)
        assert [(e["runId"], e["status"]) for e in executions] == [
            (failed, "FAILED"), (unchanged, "SKIPPED"), (first.run_id, "SUCCEEDED")
        ]
        build = {e["label"]: e.get("text") for e in executions[0]["evaluation"]["metadataEntries"]}["build"]
        assert build == f"build {failed} not published: {warehouse} was left as it was"

        screenshots(port, tmp_path, failed)


def screenshot(port: int, tmp_path: Path, page: str, name: str, *, showing: str, height: int = 1100) -> str | None:
    """A screenshot of a UI page under artifacts/ once it shows `showing`, and the page's text;
    None when Chromium is not installed (the GraphQL assertions stand without the pictures)."""
    from tests.test_browser import ARTIFACTS, CHROMIUM, dagster_screenshot

    if CHROMIUM is None:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    text = dagster_screenshot(
        f"http://127.0.0.1:{port}{page}", ARTIFACTS / name, tmp_path / f"profile-{name}", showing=showing, size=(1600, height)
    )
    assert "Join the Dagster community" not in text
    return text


def screenshots(port: int, tmp_path: Path, failed_run: str) -> None:
    """What the operator sees after the failed gate: the run's failure with its metadata, the
    published warehouse's page, and core/articles' checks by their sentences."""
    screenshot(port, tmp_path, f"/runs/{failed_run}", "dagster-failed-gate-run.png", showing="not published: 1 critical expectation")
    text = screenshot(
        port, tmp_path, "/assets/published_warehouse?view=events", "dagster-published-warehouse.png", showing="held_back", height=1400
    )
    assert text is None or "not published: 1 critical expectation failed" in text
    text = screenshot(port, tmp_path, "/assets/core/articles?view=checks", "dagster-article-checks.png", showing=RULE)
    assert text is None or "one_row_per_row_of_core_seed_files_where_status_loaded" in text


def test_dagster_dev_shows_the_graph_and_runs_the_build(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    with dagster_ui(tmp_path / "dagster_home", SEEDHOUSE_WAREHOUSE=str(warehouse), SEEDHOUSE_SEEDS=str(seeds)) as port:
        nodes = graphql(
            port,
            "{ assetNodes { assetKey { path } groupName "
            "assetChecksOrError { ... on AssetChecks { checks { name blocking description } } } } }",
        )["assetNodes"]
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert {"staging/parsed_seeds", "core/articles", "analytics/stories", "published_warehouse", "report"} <= keys
        # 35 catalog tables and views, 6 ingest outputs, the publish step, the report, and the sharded
        # parse's two (staging/parsed_shard, staging/committed_snapshot)
        assert len(keys) == 45
        checks = [c for n in nodes for c in n["assetChecksOrError"]["checks"]]
        assert len(checks) == 235
        assert sum(c["blocking"] for c in checks) == 214  # the critical ones
        assert sum("Critical: when it fails, the build is not published" in c["description"] for c in checks) == 214

        # the sensor builds the new warehouse: no published file yet
        run_id = None
        deadline = time.monotonic() + 300
        while run_id is None and time.monotonic() < deadline:
            run_id = next(iter(run_ids(port)), None)
            time.sleep(2)
        assert run_id is not None, "the seeds sensor started no build"
        assert wait_for_run(port, run_id) == "SUCCESS"
        assert warehouse.exists() and warehouse.with_name("seedhouse-report.html").exists()

        ledger = materializations(port, ["core", "seed_files"])
        assert [m["runId"] for m in ledger] == [run_id]
        values = {e["label"]: e.get("intValue") for e in ledger[0]["metadataEntries"]}
        assert (values["files_found"], values["loaded"], values["duplicate"], values["quarantined"]) == (9, 2, 1, 6)
        statuses = {
            name: [(e["runId"], e["status"]) for e in check_execution(port, ["core", "seed_files"], name)]
            for name in ("as_many_rows_as_files_found_in_quality_build_info", "at_least_90_of_news_status_values_are_not_quarantined")
        }
        # 5 of the 8 files that look like news were quarantined (the profile page is not counted): a warning
        assert statuses == {
            "as_many_rows_as_files_found_in_quality_build_info": [(run_id, "SUCCEEDED")],
            "at_least_90_of_news_status_values_are_not_quarantined": [(run_id, "FAILED")],
        }

        entries = {e["label"]: e for e in materializations(port, ["analytics", "provider_stats"])[0]["metadataEntries"]}
        assert entries["dagster/row_count"]["intValue"] == 3
        assert entries["preview"]["mdStr"].startswith("| provider_id | name | n_articles |")
        columns = entries["dagster/column_schema"]["schema"]["columns"]
        assert columns[0] == {"name": "provider_id", "type": "VARCHAR", "description": "Outlet key (core.providers)."}

        # a launchpad run for another warehouse is refused, and records nothing for these assets
        other = tmp_path / "other" / "seedhouse.duckdb"
        refused = launch(port, {"resources": {"seedhouse": {"config": {"warehouse_path": str(other)}}}})
        assert wait_for_run(port, refused) == "FAILURE"
        assert [m["runId"] for m in materializations(port, ["core", "seed_files"])] == [run_id]
        assert not other.exists()
