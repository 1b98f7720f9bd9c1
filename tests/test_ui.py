"""`dagster dev` as an operator meets it: start the webserver and daemon on a free loopback port,
read the asset graph and checks over GraphQL, launch the full build, wait for it, and read back
what it recorded. Everything started here is stopped here."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.conftest import TINY_SEEDS, graphql, write_seeds

# a real `dagster dev` with its daemon: run in CI's second step
pytestmark = pytest.mark.slow


LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""


def only_for_run(records: list[dict], run_id: str) -> dict:
    """The one record among `records` that run `run_id` made."""
    mine = [r for r in records if r["runId"] == run_id]
    assert len(mine) == 1, (run_id, [r["runId"] for r in records])
    return mine[0]


def test_dagster_dev_shows_the_graph_and_runs_the_build(dagster_dev, tmp_path):
    port = dagster_dev
    nodes = graphql(
        port,
        "{ assetNodes { assetKey { path } groupName assetChecksOrError { ... on AssetChecks { checks { name blocking description } } } } }",
    )["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    assert {"staging/parsed_seeds", "core/articles", "analytics/stories", "published_warehouse", "report"} <= keys
    assert len(keys) == 43  # 35 catalog tables and views, 6 ingest outputs, the publish step and the report
    checks = [c for n in nodes for c in n["assetChecksOrError"]["checks"]]
    assert len(checks) == 234
    assert sum(c["description"].startswith("[critical, gates publishing]") for c in checks) == 213
    assert not any(c["blocking"] for c in checks)  # the publish step is the gate

    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    config = {"resources": {"seedhouse": {"config": {"seeds_root": str(seeds), "warehouse_path": str(warehouse)}}}}
    launched = graphql(
        port,
        LAUNCH,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": "seedhouse",
                    "repositoryName": "__repository__",
                    "jobName": "build_warehouse",
                },
                "runConfigData": config,
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    status = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = graphql(port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})[
            "runOrError"
        ]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    assert status == "SUCCESS"
    assert warehouse.exists() and warehouse.with_name("seedhouse-report.html").exists()

    # The seeds sensor runs in `dagster dev` too: on a fresh checkout it builds the sample seeds,
    # which may finish after this run. So read back what *this* run recorded, not the latest.
    materialization = only_for_run(
        graphql(
            port,
            """{ assetNodes(assetKeys: [{path: ["core", "seed_files"]}]) {
                  assetMaterializations(limit: 10) { runId metadataEntries { label ... on IntMetadataEntry { intValue } } } } }""",
        )["assetNodes"][0]["assetMaterializations"],
        run_id,
    )
    values = {e["label"]: e.get("intValue") for e in materialization["metadataEntries"]}
    assert (values["files_found"], values["loaded"], values["duplicate"], values["quarantined"]) == (9, 2, 1, 6)
    statuses = {
        name: only_for_run(
            graphql(
                port,
                """query($name: String!) { assetCheckExecutions(
                      assetKey: {path: ["core", "seed_files"]}, checkName: $name, limit: 10) { runId status } }""",
                {"name": name},
            )["assetCheckExecutions"],
            run_id,
        )["status"]
        for name in ("row_count_equal", "not_in_set__news_status")
    }
    # 5 of the 8 files that look like news were quarantined (the profile page is not counted): a warning
    assert statuses == {"row_count_equal": "SUCCEEDED", "not_in_set__news_status": "FAILED"}

    mart = only_for_run(
        graphql(
            port,
            """{ assetNodes(assetKeys: [{path: ["analytics", "provider_stats"]}]) {
                  assetMaterializations(limit: 10) { runId metadataEntries { label __typename
                    ... on IntMetadataEntry { intValue }
                    ... on MarkdownMetadataEntry { mdStr }
                    ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } } } }""",
        )["assetNodes"][0]["assetMaterializations"],
        run_id,
    )["metadataEntries"]
    entries = {e["label"]: e for e in mart}
    assert entries["dagster/row_count"]["intValue"] == 3
    assert entries["preview"]["mdStr"].startswith("| provider_id | name | n_articles |")
    columns = entries["dagster/column_schema"]["schema"]["columns"]
    assert columns[0] == {"name": "provider_id", "type": "VARCHAR", "description": "Outlet key (core.providers)."}
    shutil.rmtree(tmp_path / "dagster_home", ignore_errors=True)
