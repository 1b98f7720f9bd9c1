"""The sharded parse as an operator runs it: seeds in a bucket of a real S3 endpoint (moto's server),
a code server and `dagster-daemon run` on an instance made from deploy/dagster.yaml, a backfill of
every shard through the run queue (`dagster job backfill`), a commit (`dagster job launch`), then
`seedhouse build --from-staging`. The warehouse equals a local build of the same files; after 1% of
the objects change only their shards parse again; a shard run killed midway changes nothing
committed, and its retry completes the backfill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import s3fs

from pipeline.shards import Staging, shard_of
from pipeline.storage import Mirror
from tests.conftest import PROJECT, S3_ENV, free_port, upload
from tests.test_scaleout import differences

BITS = 2
SHARDS = ",".join(str(k) for k in range(2**BITS))
BIN = Path(sys.executable).parent
FIRST, SECOND = "2024-05-01T12:00:00Z", "2024-05-02T12:00:00Z"


class Deployment:
    """A code server and a daemon started here, on an instance of deploy/dagster.yaml."""

    def __init__(self, home: Path, env: dict[str, str]):
        self.home, self.env = home, env
        self.workspace = home / "workspace.yaml"
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        self.home.mkdir(parents=True)
        shutil.copy(PROJECT / "deploy" / "dagster.yaml", self.home / "dagster.yaml")
        port = free_port()
        self.workspace.write_text(
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {port}\n      location_name: seedhouse\n"
        )
        self._spawn("dagster", "api", "grpc", "-h", "127.0.0.1", "-p", str(port), "-m", "pipeline.definitions",
                    "--location-name", "seedhouse")
        deadline = time.monotonic() + 180
        while subprocess.run([str(BIN / "dagster"), "api", "grpc-health-check", "-p", str(port)], env=self.env,
                             capture_output=True).returncode != 0:
            assert time.monotonic() < deadline and self.processes[0].poll() is None, "the code server did not start"
            time.sleep(1)
        self._spawn("dagster-daemon", "run", "-w", str(self.workspace))

    def _spawn(self, command: str, *args: str) -> None:
        log = open(self.home / f"{command}-{len(self.processes)}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(subprocess.Popen(
            [str(BIN / command), *args], cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        ))

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def dagster(self, *args: str) -> str:
        result = subprocess.run([str(BIN / "dagster"), *args, "-w", str(self.workspace), "--location", "seedhouse"],
                                env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    @property
    def instance(self):
        from dagster import DagsterInstance

        return DagsterInstance.from_config(str(self.home))

    def runs(self, job: str) -> list:
        from dagster import RunsFilter

        return list(reversed(self.instance.get_runs(filters=RunsFilter(job_name=job))))

    def wait(self, job: str, count: int, timeout: float = 600) -> list:
        """The first `count` runs of `job` (oldest first), once all have finished."""
        deadline = time.monotonic() + timeout
        while True:
            runs = self.runs(job)
            if len(runs) >= count and all(run.is_finished for run in runs[:count]):
                return runs[:count]
            assert time.monotonic() < deadline, f"{job}: {[(r.run_id, r.status) for r in runs]}"
            time.sleep(1)


@pytest.fixture(scope="module")
def deployment(s3_server, tmp_path_factory):
    import s3fs

    tmp = tmp_path_factory.mktemp("queue")
    bucket = "seedhouse-queue"
    env = {
        **os.environ, **S3_ENV, "AWS_ENDPOINT_URL": s3_server, "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_HOME": str(tmp / "dagster_home"), "SEEDHOUSE_SEEDS": f"s3://{bucket}/seeds",
        "SEEDHOUSE_STAGING": f"s3://{bucket}/staging", "SEEDHOUSE_WAREHOUSE": str(tmp / "ui" / "seedhouse.duckdb"),
        "SEEDHOUSE_SHARD_BITS": str(BITS),
    }
    env.pop("AWS_PROFILE", None)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem().mkdir(bucket)
    upload(PROJECT / "seeds", f"s3://{bucket}/seeds")
    deployment = Deployment(tmp / "dagster_home", env)
    deployment.bucket, deployment.tmp = bucket, tmp
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def most_at_once(instance, runs) -> int:
    """The most runs that were between their start and their end at once, from their events."""
    from dagster import DagsterEventType

    edges = []
    for run in runs:
        for record in instance.all_logs(run.run_id, of_type={DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS}):
            edges.append((record.timestamp, 1 if record.dagster_event_type == DagsterEventType.RUN_START else -1))
    running = most = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        running += step
        most = max(most, running)
    return most


def files_parsed(instance, runs) -> dict[int, int]:
    """Each shard's files parsed, as its run's materialization of staging/parsed_shard records it."""
    from dagster import DagsterEventType

    found = {}
    for run in runs:
        (record,) = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        materialization = record.dagster_event.step_materialization_data.materialization
        found[int(materialization.partition)] = materialization.metadata["files_parsed"].value
    return found


def seedhouse(env, *args: str) -> None:
    result = subprocess.run([str(BIN / "seedhouse"), *args], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def local_build(d: Deployment, as_of: str) -> Path:
    """A local `seedhouse build` of the same files, into a warehouse of its own that, like the
    staged one, carries its article history from build to build: the objects as a folder (the
    mirror gives each file its object's status)."""
    folder = d.tmp / "local-seeds"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(Mirror(f"s3://{d.bucket}/seeds", d.tmp / "local-state").sync(), folder)
    warehouse = d.tmp / "local" / "seedhouse.duckdb"
    seedhouse(d.env, "build", "--seeds", str(folder), "--warehouse", str(warehouse), "--as-of", as_of)
    return warehouse


@pytest.mark.slow
def test_a_backfill_through_the_queue_builds_the_warehouse_a_local_build_gives(deployment):
    d = deployment
    assert "Launched backfill" in d.dagster("job", "backfill", "-j", "parse_shards", "--partitions", SHARDS, "--noprompt")
    runs = d.wait("parse_shards", 2**BITS)
    assert [run.status.value for run in runs] == ["SUCCESS"] * 2**BITS
    assert sorted(int(run.tags["dagster/partition"]) for run in runs) == list(range(2**BITS))
    assert all(run.tags["seedhouse/role"] == "shard-parse" for run in runs)
    assert most_at_once(d.instance, runs) <= 2  # deploy/dagster.yaml's tag limit on shard parses
    assert sum(files_parsed(d.instance, runs).values()) == 300

    d.dagster("job", "launch", "-j", "commit_staging")
    (commit_run,) = d.wait("commit_staging", 1)
    assert commit_run.status.value == "SUCCESS"
    assert Staging(f"s3://{d.bucket}/staging").current()["number"] == 1

    staged = d.tmp / "staged" / "seedhouse.duckdb"
    seedhouse(d.env, "build", "--from-staging", f"s3://{d.bucket}/staging", "--warehouse", str(staged), "--as-of", FIRST)
    assert differences(staged, local_build(d, FIRST)) == {}

    # 1% of the objects change; a second backfill parses only their shards
    fs = s3fs.S3FileSystem()
    keys = sorted(path.removeprefix(f"{d.bucket}/seeds/") for path in fs.find(f"{d.bucket}/seeds"))
    changed = keys[::100][:3]
    for rel in changed:
        data = fs.cat_file(f"{d.bucket}/seeds/{rel}")
        fs.pipe_file(f"{d.bucket}/seeds/{rel}", data.replace(b'\ntitle: "', b'\ntitle: "Updated: ', 1))
    d.dagster("job", "backfill", "-j", "parse_shards", "--partitions", SHARDS, "--noprompt")
    second = d.wait("parse_shards", 2 * 2**BITS)[2**BITS:]
    assert [run.status.value for run in second] == ["SUCCESS"] * 2**BITS
    expected = {k: sum(shard_of(rel, BITS) == k for rel in changed) for k in range(2**BITS)}
    assert files_parsed(d.instance, second) == expected
    d.dagster("job", "launch", "-j", "commit_staging")
    assert d.wait("commit_staging", 2)[1].status.value == "SUCCESS"
    assert Staging(f"s3://{d.bucket}/staging").current()["number"] == 2
    seedhouse(d.env, "build", "--from-staging", f"s3://{d.bucket}/staging", "--warehouse", str(staged), "--as-of", SECOND)
    assert differences(staged, local_build(d, SECOND)) == {}


def _run_process(run_id: str) -> psutil.Process | None:
    for process in psutil.process_iter(["cmdline"]):
        if run_id in " ".join(process.info["cmdline"] or []):
            return process
    return None


@pytest.mark.slow
def test_a_shard_run_killed_midway_commits_nothing_and_its_retry_completes(deployment):
    from dagster import DagsterEventType

    d = deployment
    store = Staging(f"s3://{d.bucket}/staging")
    before = store.current()
    earlier = len(d.runs("parse_shards"))
    d.dagster("job", "backfill", "-j", "parse_shards", "--partitions", "1", "--noprompt")
    deadline = time.monotonic() + 300
    while True:  # the run's step has started: kill its process
        runs = d.runs("parse_shards")[earlier:]
        started = runs and any(
            True for _ in d.instance.all_logs(runs[0].run_id, of_type={DagsterEventType.STEP_START})
        )
        process = _run_process(runs[0].run_id) if started else None
        if process is not None:
            break
        assert time.monotonic() < deadline and not (runs and runs[0].is_finished), "the shard run did not start"
        time.sleep(0.2)
    killed = runs[0]
    os.kill(process.pid, signal.SIGKILL)
    # a local run process has no health check: the operator marks the dead run failed (the UI's
    # Terminate), which frees its queue slot
    d.instance.report_run_failed(d.instance.get_run_by_id(killed.run_id))
    assert store.current() == before
    finished = [v["version"] for v in store.finished_versions(1)]
    assert killed.run_id not in finished

    # nothing to commit from the killed run: the commit keeps every shard's newest finished version
    d.dagster("job", "backfill", "-j", "parse_shards", "--partitions", "1", "--noprompt")
    retry = d.wait("parse_shards", earlier + 2)[-1]
    assert retry.status.value == "SUCCESS"
    commits = len(d.runs("commit_staging"))
    d.dagster("job", "launch", "-j", "commit_staging")
    assert d.wait("commit_staging", commits + 1)[-1].status.value == "SUCCESS"
    after = store.current()
    assert after["number"] == before["number"] + 1
    assert after["shards"]["1"]["version"] == retry.run_id
    assert {k: v for k, v in after["shards"].items() if k != "1"} == {k: v for k, v in before["shards"].items() if k != "1"}
    assert json.dumps(after).count(killed.run_id) == 0
