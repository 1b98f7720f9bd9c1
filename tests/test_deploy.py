"""The deployment files hold what Dagster and dagster-k8s themselves accept: deploy/dagster.yaml and
deploy/dagster-k8s.yaml pass Dagster's instance-config validation, the Kubernetes run launcher's
config passes dagster-k8s's own schema, and the shard runs' pod tag parses as dagster-k8s reads it."""

from __future__ import annotations

import pytest
import yaml
from dagster._config import validate_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_k8s import K8sRunLauncher
from dagster_k8s.job import get_user_defined_k8s_config

from tests.conftest import PROJECT

DEPLOY = PROJECT / "deploy"


@pytest.mark.parametrize("name", ["dagster.yaml", "dagster-k8s.yaml"])
def test_each_instance_file_passes_dagsters_own_validation(name):
    config, _ = dagster_instance_config(str(DEPLOY), name)
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    queue = config["run_coordinator"]["config"]
    assert queue["tag_concurrency_limits"][0] == {
        "key": "seedhouse/role", "value": "shard-parse", "limit": queue["tag_concurrency_limits"][0]["limit"],
    }
    assert queue["tag_concurrency_limits"][0]["limit"] <= queue["max_concurrent_runs"]
    # the instance schema takes a class's config as it is; the class's own schema checks it
    result = validate_config(QueuedRunCoordinator.config_type(), queue)
    assert result.success, [error.message for error in result.errors]


def test_the_kubernetes_launcher_config_passes_dagster_k8s_schema():
    config = yaml.safe_load((DEPLOY / "dagster-k8s.yaml").read_text())
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    result = validate_config(K8sRunLauncher.config_type(), launcher["config"])
    assert result.success, [error.message for error in result.errors]


def test_a_mistake_in_the_kubernetes_config_is_refused():
    """The validation above can fail: a misspelt key and a wrong type are both reported."""
    launcher = yaml.safe_load((DEPLOY / "dagster-k8s.yaml").read_text())["run_launcher"]["config"]
    result = validate_config(K8sRunLauncher.config_type(), {**launcher, "job_namespaces": "x", "env_vars": "A=1"})
    assert not result.success
    messages = " ".join(error.message for error in result.errors)
    assert "job_namespaces" in messages and "env_vars" in messages


def test_a_broken_instance_file_is_refused(tmp_path):
    text = (DEPLOY / "dagster.yaml").read_text()
    (tmp_path / "dagster.yaml").write_text(text.replace("telemetry:", "telemetri:"))
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))
    queue = yaml.safe_load(text.replace("max_concurrent_runs: 3", "max_concurrent_runs: three"))["run_coordinator"]
    assert not validate_config(QueuedRunCoordinator.config_type(), queue["config"]).success


def test_shard_runs_carry_the_queue_tag_and_a_pod_size_dagster_k8s_reads():
    from pipeline.definitions import defs

    tags = defs.resolve_job_def("parse_shards").tags
    assert tags["seedhouse/role"] == "shard-parse"
    pod = get_user_defined_k8s_config(tags)
    assert pod.container_config == {"resources": {"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"memory": "4Gi"}}}
