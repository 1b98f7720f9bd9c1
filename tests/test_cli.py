"""The command line as a user meets it: help, exit codes, messages, and the README."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import PROJECT, without_keys

COMMANDS = sorted(main.commands)


def seedhouse(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_commands_are_the_documented_ones():
    assert COMMANDS == ["build", "check", "export-graph", "generate", "init", "query", "replay", "report", "schema", "tables", "watch"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help and len(main.commands[command].help) > 40
    assert f"seedhouse {command}" in (PROJECT / "README.md").read_text()


def test_help_does_not_import_dagster_or_great_expectations():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom pipeline.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "print(sorted(m for m in ('dagster', 'great_expectations') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_definitions_do_not_import_great_expectations():
    code = "import sys, pipeline.definitions\nprint('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_build_with_a_missing_seeds_root_exits_2(tmp_path):
    result = seedhouse("build", "--seeds", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: the seeds root {tmp_path / 'nope'} does not exist or is not a directory: "
        "nothing was built, and nothing was published"
    )
    assert not (tmp_path / "w.duckdb").exists()


def test_check_exits_0_on_a_good_warehouse_and_writes_data_docs(tiny_warehouse, tmp_path):
    path = tmp_path / "good.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    result = seedhouse("check", "--warehouse", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    index = tmp_path / ".seedhouse" / "good.duckdb" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert f"Data Docs: {index}" in result.stdout.replace("\n", "")
    assert "all critical expectations passed" in result.stdout
    assert index.is_file()


def test_check_exits_1_on_a_tampered_warehouse_and_names_the_expectations(tiny_warehouse, tmp_path):
    path = tmp_path / "tampered.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    with duckdb.connect(str(path)) as con:
        without_keys(con, "core.articles")  # keys refuse what this test writes
        con.execute("insert into core.articles select * from core.articles where source_path = 'a.md'")
        con.execute("update core.articles set url_source = null where source_path = 'sub/b.txt'")
    result = seedhouse("check", "--warehouse", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout.replace("\n", "")
    assert "core.articles unique__article_id (critical): 2 unexpected." in out
    assert "core.articles not_null__url_source (critical): 1 unexpected." in out
    assert "critical expectations failed" in out


def test_check_exits_2_without_a_warehouse(tmp_path):
    result = seedhouse("check", "--warehouse", str(tmp_path / "missing.duckdb"))
    assert result.returncode == 2
    assert (result.stdout, result.stderr) == (
        "", f"error: no warehouse at {tmp_path / 'missing.duckdb'}: run `seedhouse build` first, or pass --warehouse\n"
    )


def test_check_exits_2_on_a_usage_error():
    assert seedhouse("check", "--no-such-option").returncode == 2


def test_query_prints_a_table_csv_or_json_read_only(tiny_warehouse):
    sql = "select provider_id, n_articles from analytics.provider_stats order by provider_id"
    csv_out = seedhouse("query", "--warehouse", str(tiny_warehouse), "--csv", sql)
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout == "provider_id,n_articles\nexampletimes.com,1\nnature.com,0\nnews.example.org,1\n"
    json_out = seedhouse("query", "--warehouse", str(tiny_warehouse), "--json", sql + " limit 1")
    assert json.loads(json_out.stdout) == [{"provider_id": "exampletimes.com", "n_articles": 1}]
    # not a terminal: tab-separated values, every value in full
    piped = seedhouse("query", "--warehouse", str(tiny_warehouse), sql)
    assert piped.stdout == "provider_id\tn_articles\nexampletimes.com\t1\nnature.com\t0\nnews.example.org\t1\n"
    # read-only: a write is refused and the exit code says so
    write = seedhouse("query", "--warehouse", str(tiny_warehouse), "delete from core.articles")
    assert write.returncode == 1
    assert "read-only" in write.stderr
