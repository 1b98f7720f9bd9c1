"""seedhouse as a package: what the wheel carries, projects (seedhouse.toml, `seedhouse init`, how
a command finds its project), article ids that a dependency update cannot move, and a regular
install used from a folder that has nothing to do with the checkout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.paths import EXPECTATIONS_DIR, SQL_DIR
from pipeline.project import BUILD_SETTINGS, CONFIG_FILE, ENV_VAR, Project, ProjectError, init, locate
from tests.conftest import PROJECT, free_port, graphql, write_seeds

PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
DATA_PACKAGES = {"pipeline._warehouse": "warehouse", "pipeline._expectations": "expectations"}


@pytest.fixture(autouse=True)
def no_project_variable(monkeypatch):
    # a developer's own SEEDHOUSE_PROJECT must not decide these tests
    monkeypatch.delenv(ENV_VAR, raising=False)


def tracked(folder: str) -> set[str]:
    """The files git tracks under `folder` of the checkout, relative to it."""
    out = subprocess.run(["git", "ls-files", folder], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    return {line[len(folder) + 1:] for line in out.splitlines()}


# --- what the wheel is made of -------------------------------------------------------------------


def folder_of(package: str) -> str:
    """The checkout folder a data package is made from: pipeline._warehouse.core -> warehouse/core."""
    top = next(name for name in DATA_PACKAGES if package == name or package.startswith(name + "."))
    return "/".join([DATA_PACKAGES[top], *package[len(top) + 1:].split(".")]).rstrip("/")


def test_the_package_list_is_every_code_package_and_every_model_folder():
    code = {
        ".".join(init_py.parent.relative_to(PROJECT).parts)
        for top in ("pipeline", "assets")
        for init_py in (PROJECT / top).rglob("__init__.py")
    }
    models = {f"pipeline._warehouse.{Path(name).parent}" for name in tracked("warehouse") if "/" in name}
    assert set(SETUPTOOLS["packages"]) == code | set(DATA_PACKAGES) | models
    assert SETUPTOOLS["package-dir"] == DATA_PACKAGES


@pytest.mark.parametrize("folder", sorted(DATA_PACKAGES.values()))
def test_package_data_names_exactly_the_tracked_models_and_suites(folder):
    matched = set()
    for package, patterns in SETUPTOOLS["package-data"].items():
        if package != "pipeline" and folder_of(package).split("/")[0] == folder:
            base = PROJECT / folder_of(package)
            matched |= {path.relative_to(PROJECT / folder).as_posix() for pattern in patterns for path in base.glob(pattern)}
    assert matched == tracked(folder)


def test_the_checkout_reads_its_own_folders():
    assert (SQL_DIR, EXPECTATIONS_DIR) == (PROJECT / "warehouse", PROJECT / "expectations")


# --- projects --------------------------------------------------------------------------------------


def test_the_checkout_is_a_project_with_the_quick_start_paths():
    project = locate(cwd=PROJECT / "tests" / "fixtures")
    assert project == Project(
        root=PROJECT,
        seeds=PROJECT / "seeds",
        warehouse=PROJECT / "warehouse" / "seedhouse.duckdb",
        expectations=PROJECT / "expectations",
        settings={"storage_version": "v1.4.0"},
    )


def test_init_writes_a_project_that_loads_with_its_own_paths(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "p"
    assert result.output.splitlines()[0] == f"created the seedhouse project {root}"
    assert sorted(p.name for p in root.iterdir()) == [
        ".gitignore", "expectations", CONFIG_FILE, "seeds", "warehouse", "workspace.yaml",
    ]
    assert list((root / "seeds").iterdir()) == []
    copies = {p.name: p.read_bytes() for p in (root / "expectations").iterdir()}
    assert copies == {p.name: p.read_bytes() for p in EXPECTATIONS_DIR.glob("*.json")}
    assert len(copies) == 35
    assert Project.load(root) == Project(
        root=root,
        seeds=root / "seeds",
        warehouse=root / "warehouse" / "seedhouse.duckdb",
        expectations=root / "expectations",
        settings={"storage_version": "v1.4.0"},
    )
    assert "module_name: pipeline.definitions" in (root / "workspace.yaml").read_text()


def test_init_with_samples_generates_them_and_refuses_a_project_twice(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path), "--samples", "12"]).exit_code == 0
    assert len([p for p in (tmp_path / "seeds").rglob("*") if p.is_file()]) == 12
    again = runner.invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 2
    assert again.stderr == f"error: {tmp_path} already is a seedhouse project ({CONFIG_FILE} exists)\n"


def _project(root: Path, config: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(config if config is not None else 'seeds = "in"\nwarehouse = "data/w.duckdb"\n')
    return root


def _no_warehouse(path: Path) -> str:
    """What `seedhouse query` says when the warehouse it would read is not built yet: the path shows
    which project the command found."""
    return f"error: no warehouse at {path}: run `seedhouse build` first, or pass --warehouse"


def query_says(args: list[str], env: dict | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args], env=env)
    # one error line on stderr, or the output
    return result.exit_code, "\n".join(result.stderr.strip().splitlines()) if result.stderr.strip() else result.stdout


def test_a_command_finds_the_project_in_the_current_folder_or_above(tmp_path, monkeypatch):
    root = _project(tmp_path / "news")
    (root / "in" / "deep").mkdir(parents=True)
    for where in (root, root / "in" / "deep"):
        monkeypatch.chdir(where)
        # relative paths in seedhouse.toml are the project's, wherever the command runs
        assert query_says(["query", "select 1"]) == (2, _no_warehouse(root / "data" / "w.duckdb"))


def test_project_option_and_environment_variable_name_a_project_from_anywhere(tmp_path, monkeypatch):
    named, by_env, here = _project(tmp_path / "named"), _project(tmp_path / "env"), _project(tmp_path / "here")
    monkeypatch.chdir(here)
    assert query_says(["--project", str(named), "query", "select 1"]) == (2, _no_warehouse(named / "data" / "w.duckdb"))
    assert query_says(["query", "select 1"], env={ENV_VAR: str(by_env)}) == (2, _no_warehouse(by_env / "data" / "w.duckdb"))
    # --project before the environment, the environment before the current folder
    assert query_says(["--project", str(named), "query", "x"], env={ENV_VAR: str(by_env)}) == (
        2, _no_warehouse(named / "data" / "w.duckdb"),
    )


def test_explicit_paths_win_over_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path / "p"))
    assert query_says(["query", "select 1", "--warehouse", str(tmp_path / "x.duckdb")]) == (2, _no_warehouse(tmp_path / "x.duckdb"))


NO_PROJECT = (
    "error: no seedhouse project here: no seedhouse.toml in {where} or any folder above it. Run `seedhouse init DIR` "
    "to make one, or name one with --project DIR or the SEEDHOUSE_PROJECT environment variable"
)


@pytest.mark.parametrize("command", [["build"], ["check"], ["query", "select 1"], ["report"], ["export-graph"]])
def test_outside_a_project_a_command_is_a_usage_error_saying_to_init(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [NO_PROJECT.format(where=tmp_path)]


def test_outside_a_project_init_generate_help_and_version_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--version"], prog_name="seedhouse").output == "seedhouse, version 0.1.0\n"
    assert runner.invoke(main, ["--help"]).exit_code == 0
    assert runner.invoke(main, ["build", "--help"]).exit_code == 0
    assert runner.invoke(main, ["generate", "3", "s"]).output == "wrote 3 seed files under s\n"
    assert runner.invoke(main, ["init", "p"]).exit_code == 0
    assert (tmp_path / "p" / CONFIG_FILE).is_file()


def test_outside_a_project_a_command_given_its_paths_runs(tiny_warehouse, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["query", "select count(*) as n from core.articles", "--warehouse", str(tiny_warehouse), "--csv"])
    assert (result.exit_code, result.output) == (0, "n\n2\n")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("seeds = 'a'\nwarehous = 'w.duckdb'\n", "unknown setting(s) warehous (known: seeds, warehouse, expectations and [build])"),
        ("seeds = 3\n", "seeds must be a path (a non-empty string)"),
        ("[build]\nmax_topics = 'ten'\n", "[build] max_topics must be a int, not 'ten'"),
        ("[build]\nthreads = 2\n", "unknown [build] setting threads (known: " + ", ".join(BUILD_SETTINGS) + ")"),
    ],
)
def test_a_config_that_cannot_be_used_is_a_usage_error_naming_the_file(config, message, tmp_path, monkeypatch):
    root = _project(tmp_path / "p", config)
    monkeypatch.chdir(root)
    assert query_says(["query", "select 1"]) == (2, f"error: {root / CONFIG_FILE}: {message}")


def test_a_broken_config_is_an_error_even_for_a_command_given_its_paths(tiny_warehouse, tmp_path, monkeypatch):
    # its [build] settings would otherwise be dropped without a word
    monkeypatch.chdir(_project(tmp_path / "p", "[build]\nmax_depth = 2.5\n"))
    assert query_says(["query", "select 1", "--warehouse", str(tiny_warehouse)]) == (
        2, f"error: {tmp_path / 'p' / CONFIG_FILE}: [build] max_depth must be a int, not 2.5",
    )
    # while help still answers
    assert CliRunner().invoke(main, ["build", "--help"]).exit_code == 0


def test_project_option_must_name_a_project(tmp_path):
    assert query_says(["--project", str(tmp_path), "query", "select 1", "--warehouse", "w.duckdb"]) == (
        2, f"error: {tmp_path} is not a seedhouse project: it holds no {CONFIG_FILE} (run `seedhouse init {tmp_path}`)",
    )


def test_build_settings_are_fields_of_the_resource_with_their_types():
    from pipeline.resources import SeedhouseResource

    fields = SeedhouseResource.model_fields
    assert {name: fields[name].annotation for name in BUILD_SETTINGS} == BUILD_SETTINGS


def test_init_refuses_to_mix_into_existing_suites(tmp_path):
    (tmp_path / "expectations").mkdir()
    with pytest.raises(ProjectError, match="refusing to mix the default suites into it"):
        init(tmp_path)
    assert not (tmp_path / CONFIG_FILE).exists()


# --- a project built from the command line, and article ids pinned ------------------------------

# URL as written -> article_id, the first 16 hex digits of sha256(canonical URL). A new version of
# url-normalize, courlan or tldextract that changed any of these would give every article of an
# existing warehouse a new id: pyproject pins them to a minor version, and this test is the alarm.
PINNED_IDS = {
    "https://www.exampletimes.com/news/one?id=7": "aa79a948f1d63b13",  # canonicalised in SQL
    "HTTPS://WWW.ExampleTimes.com:443/news/two/?utm_source=tw&id=8#top": "371a9736dde06487",
    "https://a.example.com/a%7eb": "b23bc062883dc87d",  # percent-encoding: url-normalize
    "http://例え.jp/story": "19185f0561444921",  # an IDN host: punycode
    "https://news.example.org/robots?fbclid=Ab1&utm_medium=social": "919fdb76728bc6ad",  # courlan's list
    "https://example.com/a/./b/../c/": "a054f4825f715249",  # dot-segments
    "https://www.nature.com/articles/d41586?hss_channel=tw-707&mod=rss": "292ec80096e8566a",  # seedhouse's own list
}
PIN_SEEDS = {
    f"pins/{n}.md": f'---\ntitle: "Pinned article {n}"\nwebUrl: "{url}"\npublishedDateTime: 2024-05-0{n + 1}T10:00:00Z\n---\n'.encode()
    for n, url in enumerate(PINNED_IDS)
}
# over the project's max_file_bytes (1000): quarantined, which shows [build] reached the build
PIN_SEEDS["big.md"] = b'---\ntitle: "Too long"\nwebUrl: "https://example.com/big"\n---\n' + b"x" * 1200 + b"\n"


def cli(*args: str, cwd: Path, exe: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [str(exe)] if exe else [sys.executable, "-m", "pipeline.cli"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def pin_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pins") / "project"
    assert cli("init", str(root), cwd=root.parent).returncode == 0
    write_seeds(root / "seeds", PIN_SEEDS)
    config = root / CONFIG_FILE
    config.write_text(config.read_text().replace("# max_file_bytes = 5000000", "max_file_bytes = 1000"))
    built = cli("build", cwd=root)  # the project of the folder it runs in
    assert built.returncode == 0, built.stdout + built.stderr
    return root


def test_a_project_builds_from_its_folder_with_its_settings(pin_project):
    with duckdb.connect(str(pin_project / "warehouse" / "seedhouse.duckdb"), read_only=True) as con:
        ledger = con.sql("select status, error_kind, count(*) from core.seed_files group by all order by all").fetchall()
    assert ledger == [("loaded", None, 7), ("quarantined", "too_large", 1)]
    assert (pin_project / "warehouse" / ".seedhouse" / "seedhouse.duckdb").is_dir()


def test_article_ids_are_pinned(pin_project):
    sql = "select web_url, article_id from core.articles"
    with duckdb.connect(str(pin_project / "warehouse" / "seedhouse.duckdb"), read_only=True) as con:
        assert dict(con.sql(sql).fetchall()) == PINNED_IDS


def test_query_from_a_subfolder_of_the_project(pin_project):
    result = cli("query", "select count(*) as n from core.articles", "--csv", cwd=pin_project / "seeds" / "pins")
    assert (result.returncode, result.stdout) == (0, "n\n7\n")


# --- a regular install, used outside the checkout ---------------------------------------------------

# what a build leaves beside the models: none of it may go into a wheel built from that checkout
BUILD_OUTPUTS = [
    "warehouse/seedhouse.duckdb",
    "warehouse/seedhouse-report.html",
    "warehouse/.seedhouse/seedhouse.duckdb/parsed.duckdb",
    "warehouse/data_docs/great_expectations.yml",
    "warehouse/core/scratch.duckdb",
    "expectations/.seedhouse/x.json",
]


def _source_copy(destination: Path) -> Path:
    """The checkout as a user has it after a build (its outputs planted, so the test does not
    depend on one having run), without git's, pip's or pytest's folders."""
    ignore = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "artifacts")
    shutil.copytree(PROJECT, destination, ignore=ignore)
    for name in BUILD_OUTPUTS:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        (destination / name).write_bytes(b"a build output")
    return destination


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment holding only the wheel of this checkout, installed without its
    dependencies, which it reads from this environment's site-packages through a .pth file (a
    path in a .pth is only added to sys.path: this environment's editable install of seedhouse,
    itself a .pth hook, stays out of it)."""
    work = tmp_path_factory.mktemp("wheel")
    source = _source_copy(work / "src")
    wheels = work / "wheels"
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert made.returncode == 0, made.stderr
    (wheel,) = wheels.glob("seedhouse-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet", str(wheel)]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    target = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True,
    ).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (target / "seedhouse-test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return venv


@pytest.mark.slow
def test_the_wheel_carries_the_models_and_suites_and_no_build_output(installed):
    (wheel,) = installed.parent.joinpath("wheels").glob("seedhouse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package, folder in DATA_PACKAGES.items():
        prefix = package.replace(".", "/") + "/"
        assert {n[len(prefix):] for n in names if n.startswith(prefix)} == tracked(folder)
    assert [n for n in names if n.endswith((".duckdb", ".html", "great_expectations.yml")) or "/." in n] == []


@pytest.mark.slow
def test_an_installed_seedhouse_inits_builds_and_queries_outside_the_checkout(installed, tmp_path):
    seedhouse = installed / "bin" / "seedhouse"
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop(ENV_VAR, None)
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import pipeline.paths as p; print(p.SQL_DIR); print(p.EXPECTATIONS_DIR)"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env=env,
    ).stdout.split()
    site = next(installed.glob("lib/python3*/site-packages"))
    assert where == [str(site / "pipeline" / "_warehouse"), str(site / "pipeline" / "_expectations")]

    outside = cli("query", "select 1", cwd=tmp_path, exe=seedhouse, env=env)
    assert outside.returncode == 2
    assert outside.stderr.strip().splitlines()[-1] == NO_PROJECT.format(where=tmp_path)

    made = cli("init", "news", "--samples", "40", cwd=tmp_path, exe=seedhouse, env=env)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "news"
    write_seeds(project / "seeds", {name: data for name, data in PIN_SEEDS.items() if name.startswith("pins/")})
    built = cli("build", cwd=project, exe=seedhouse, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"published {project / 'warehouse' / 'seedhouse.duckdb'} in" in built.stdout
    counts = cli(
        "query", "select (select count(*) from core.seed_files) as files, (select count(*) from core.articles) as articles, "
        "(select count(*) from core.providers) as providers, (select count(*) from quality.check_results) as checks",
        "--csv", cwd=project / "seeds", exe=seedhouse, env=env,
    )
    assert (counts.returncode, counts.stdout) == (0, "files,articles,providers,checks\n47,47,35,235\n")
    pins = cli(
        "query", "select web_url, article_id from core.articles where source_path like 'pins/%' order by source_path",
        "--csv", cwd=project, exe=seedhouse, env=env,
    )
    assert pins.stdout.splitlines()[1:] == [f"{url},{article_id}" for url, article_id in PINNED_IDS.items()]

    # Dagster's definitions, loaded in the project folder, default to its paths and suites
    code = (
        "from pipeline.definitions import PROJECT, SUITES, defs\n"
        "r = defs.resources['seedhouse']\nprint(PROJECT.root, SUITES, r.seeds_root, r.warehouse_path, r.storage_version, sep='\\n')"
    )
    loaded = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=project / "seeds", capture_output=True, text=True, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines() == [
        str(project), str(project / "expectations"), str(project / "seeds"), str(project / "warehouse" / "seedhouse.duckdb"), "v1.4.0",
    ]


RESOURCE = """{ topLevelResourceDetailsOrError(resourceSelector: {repositoryLocationName: "seedhouse",
  repositoryName: "__repository__", resourceName: "seedhouse"}) {
    __typename ... on ResourceDetails { configuredValues { key value } } ... on PythonError { message } } }"""
RUNS = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"


def _failures(port: int, run_id: str) -> list[str]:
    """What went wrong in run `run_id`, for the assertion message."""
    query = """query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection { events {
      __typename ... on ExecutionStepFailureEvent { stepKey error { message } } ... on RunFailureEvent { message } } } } } }"""
    events = graphql(port, query, {"id": run_id})["runOrError"]["eventConnection"]["events"]
    failed = [e for e in events if "Failure" in e["__typename"]]
    return [f"{e.get('stepKey')}: {(e.get('error') or {}).get('message') or e.get('message')}" for e in failed]


@pytest.mark.slow
def test_dagster_dev_in_a_project_folder_loads_the_project(installed, tmp_path):
    """`dagster dev` with no options in a folder `seedhouse init` made: the code location loads
    through its workspace.yaml, the launchpad's defaults are the project's, and the seeds sensor
    builds the project's seeds into the project's warehouse."""
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    env.pop(ENV_VAR, None)
    (tmp_path / "dagster_home").mkdir()
    assert cli("init", "news", "--samples", "40", cwd=tmp_path, exe=installed / "bin" / "seedhouse", env=env).returncode == 0
    project = tmp_path / "news"
    port = free_port()
    process = subprocess.Popen(
        [str(installed / "bin" / "python"), "-m", "dagster", "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                details = graphql(port, RESOURCE)["topLevelResourceDetailsOrError"]
                if details["__typename"] == "ResourceDetails":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "dagster dev did not load the project"
            time.sleep(1)
        values = {v["key"]: json.loads(v["value"]) for v in details["configuredValues"]}
        assert (values["seeds_root"], values["warehouse_path"], values["storage_version"]) == (
            str(project / "seeds"), str(project / "warehouse" / "seedhouse.duckdb"), "v1.4.0",
        )
        status, deadline = None, time.monotonic() + 420
        while status not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert time.monotonic() < deadline, f"the sensor's build did not finish (last status {status})"
            time.sleep(3)
            runs = graphql(port, RUNS)["runsOrError"]["results"]
            sensor_runs = [r for r in runs if {"key": "dagster/sensor_name", "value": "seeds_changed"} in r["tags"]]
            status = sensor_runs[-1]["status"] if sensor_runs else None
        assert status == "SUCCESS", _failures(port, sensor_runs[-1]["runId"])
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    with duckdb.connect(str(project / "warehouse" / "seedhouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from core.articles").fetchall() == [(40,)]
