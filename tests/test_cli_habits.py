"""The command line's habits, as a shell user meets them: the installed `seedhouse` command run in
real processes against a real warehouse (the session's `tiny_warehouse`), with results on stdout,
one `error:` line on stderr and the documented exit code for each mistake, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.catalog import BY_NAME
from tests.conftest import query

SEEDHOUSE = Path(sys.executable).with_name("seedhouse")


def seedhouse(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(SEEDHOUSE), *args], input=stdin, capture_output=True, text=True, timeout=300)


def usage_error(result: subprocess.CompletedProcess, message: str) -> None:
    """Exit 2, nothing on stdout, and exactly one line on stderr: `error: message`."""
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


@pytest.fixture(scope="module")
def wh(tiny_warehouse) -> str:
    return str(tiny_warehouse)


@pytest.fixture(scope="module")
def not_seedhouse(tmp_path_factory) -> Path:
    """A DuckDB database that no seedhouse build wrote."""
    path = tmp_path_factory.mktemp("other") / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as a")
    return path


@pytest.fixture(scope="module")
def not_duckdb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("text") / "notes.duckdb"
    path.write_text("just some notes\n")
    return path


# -- mistakes: exit 2, one line on stderr that says what to do ------------------------------------------

@pytest.mark.parametrize(("command", "suffix"), [("report", "html"), ("export-graph", "gexf")])
def test_out_in_a_missing_folder_is_a_usage_error(wh, tmp_path, command, suffix):
    out = tmp_path / "missing" / "dir" / f"x.{suffix}"
    result = seedhouse(command, "--warehouse", wh, "--out", str(out))
    usage_error(result, f"the folder {out.parent} does not exist: create it, or give --out a path in an existing folder")
    assert not out.parent.exists()


@pytest.mark.parametrize("sql", ["", "   \n"])
def test_empty_sql_is_a_usage_error(wh, sql):
    usage_error(seedhouse("query", "--warehouse", wh, sql), "no SQL given: pass a query, or - to read it from stdin")


def test_empty_sql_from_stdin_is_a_usage_error(wh):
    usage_error(seedhouse("query", "--warehouse", wh, "-", stdin=""), "no SQL given: pass a query, or - to read it from stdin")


def test_sql_of_only_comments_is_a_usage_error(wh):
    result = seedhouse("query", "--warehouse", wh, "-", stdin="-- nothing to run\n;\n")
    usage_error(result, "the SQL holds no statement, only comments or semicolons")


COMMANDS_ON_A_WAREHOUSE = [
    ("query", "select 1"), ("report",), ("export-graph",), ("schema", "core.articles"), ("tables",), ("check",),
]


@pytest.mark.parametrize("args", COMMANDS_ON_A_WAREHOUSE, ids=lambda args: args[0])
def test_a_duckdb_file_that_is_not_a_warehouse_is_a_usage_error(not_seedhouse, args):
    result = seedhouse(*args, "--warehouse", str(not_seedhouse))
    usage_error(
        result,
        f"{not_seedhouse} is a DuckDB file but not a seedhouse warehouse: "
        "pass the file that `seedhouse build` published as --warehouse",
    )
    assert not list(not_seedhouse.parent.glob("seedhouse-coverage.*")) and not list(not_seedhouse.parent.glob("*.html"))


@pytest.mark.parametrize("args", COMMANDS_ON_A_WAREHOUSE, ids=lambda args: args[0])
def test_a_file_that_is_not_duckdb_is_a_usage_error(not_duckdb, args):
    result = seedhouse(*args, "--warehouse", str(not_duckdb))
    usage_error(result, f"{not_duckdb} is not a DuckDB file: pass the file that `seedhouse build` published as --warehouse")
    assert not_duckdb.read_text() == "just some notes\n"


@pytest.mark.parametrize("args", COMMANDS_ON_A_WAREHOUSE, ids=lambda args: args[0])
def test_a_missing_warehouse_is_a_usage_error(tmp_path, args):
    missing = tmp_path / "missing.duckdb"
    result = seedhouse(*args, "--warehouse", str(missing))
    usage_error(result, f"no warehouse at {missing}: run `seedhouse build` first, or pass --warehouse")


@pytest.mark.parametrize("command", ["query", "tables", "schema"])
def test_two_output_formats_are_a_usage_error(wh, command):
    args = {"query": ["select 1"], "tables": [], "schema": ["core.articles"]}[command]
    result = seedhouse(command, *args, "--warehouse", wh, "--csv", "--nl")
    usage_error(result, "choose one output format, not --csv and --nl")


@pytest.mark.parametrize(("param", "message"), [
    ("n", "--param wants NAME=VALUE (bound to $NAME in the SQL), not 'n'"),
    ("=5", "--param wants NAME=VALUE (bound to $NAME in the SQL), not '=5'"),
])
def test_a_malformed_param_is_a_usage_error(wh, param, message):
    usage_error(seedhouse("query", "--warehouse", wh, "select $n", "--param", param), message)


def test_a_param_given_twice_is_a_usage_error(wh):
    result = seedhouse("query", "--warehouse", wh, "select $n", "-p", "n=1", "-p", "n=2")
    usage_error(result, "--param n is given twice")


def test_an_unknown_table_is_a_usage_error_naming_similar_ones(wh):
    usage_error(
        seedhouse("schema", "core.artcles", "--warehouse", wh),
        f"no table or view core.artcles in {wh}: did you mean core.articles, core.article_topics, "
        "core.article_images, core.article_bodies, core.article_history?",
    )
    # a bare name is matched against the table names of every schema
    usage_error(
        seedhouse("schema", "provider_stat", "--warehouse", wh),
        f"no table or view provider_stat in {wh}: did you mean analytics.provider_stats, core.providers?",
    )
    usage_error(
        seedhouse("schema", "zzz", "--warehouse", wh),
        f"no table or view zzz in {wh}: `seedhouse tables` lists them",
    )


def test_an_unknown_option_is_a_usage_error_on_stderr(wh):
    result = seedhouse("query", "--warehouse", wh, "--no-such-option", "select 1")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == "Error: No such option '--no-such-option'."


# -- failures: exit 1 -----------------------------------------------------------------------------------

def test_an_sql_error_exits_1_with_duckdbs_message_on_stderr(wh):
    result = seedhouse("query", "--warehouse", wh, "selec provider_id from core.providers")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        'error: Parser Error: syntax error at or near "selec"\n\n'
        "LINE 1: selec provider_id from core.providers\n"
        "        ^^^^^\n"
    )
    missing = seedhouse("query", "--warehouse", wh, "select * from core.nothing")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr.splitlines()[0] == "error: Catalog Error: Table with name nothing does not exist!"
    assert "Traceback" not in result.stderr + missing.stderr


def test_a_param_the_sql_does_not_use_is_an_sql_error(wh):
    result = seedhouse("query", "--warehouse", wh, "select $a as a", "-p", "a=1", "-p", "zz=2")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: Invalid Input Error: Parameter argument/count mismatch, identifiers of the excess parameters: zz\n"


def test_generate_into_a_path_below_a_file_exits_1(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = seedhouse("generate", "1", str(blocker / "seeds"))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("error: Not a directory (writing ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# -- query: stdin, parameters, formats -----------------------------------------------------------------

PROVIDERS = "select provider_id, n_articles from analytics.provider_stats order by provider_id"


def test_query_reads_sql_from_stdin(wh):
    result = seedhouse("query", "--warehouse", wh, "--csv", "-", stdin=PROVIDERS + ";\n")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "provider_id,n_articles\nexampletimes.com,1\nnature.com,0\nnews.example.org,1\n"


def test_params_bind_named_parameters_as_text(wh):
    sql = (
        "select provider_id, n_articles from analytics.provider_stats "
        "where provider_id <> $skip and n_articles >= $least::int order by provider_id limit $n"
    )
    result = seedhouse("query", "--warehouse", wh, sql, "--param", "skip=nature.com", "-p", "least=0", "-p", "n=5")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "provider_id\tn_articles\nexampletimes.com\t1\nnews.example.org\t1\n"
    # a value is data, never SQL: quotes and semicolons arrive as written
    tricky = "it's; drop table core.articles"
    echoed = seedhouse("query", "--warehouse", wh, "select $v as v, length($v) as n", "--nl", "-p", f"v={tricky}")
    assert echoed.stdout == json.dumps({"v": tricky, "n": len(tricky)}) + "\n"
    assert query(Path(wh), "select count(*) from core.articles") == [(2,)]


def test_nl_prints_one_json_object_per_line(wh):
    result = seedhouse("query", "--warehouse", wh, PROVIDERS, "--nl")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        '{"provider_id": "exampletimes.com", "n_articles": 1}\n'
        '{"provider_id": "nature.com", "n_articles": 0}\n'
        '{"provider_id": "news.example.org", "n_articles": 1}\n'
    )


def test_json_and_nl_keep_types_and_nulls(wh):
    sql = "select 1 as i, null as nothing, true as yes, ['AI', 'ML'] as topics, date '2021-03-09' as day"
    expected = {"i": 1, "nothing": None, "yes": True, "topics": ["AI", "ML"], "day": "2021-03-09"}
    as_json = seedhouse("query", "--warehouse", wh, sql, "--json")
    assert json.loads(as_json.stdout) == [expected]
    assert json.loads(seedhouse("query", "--warehouse", wh, sql, "--nl").stdout) == expected
    assert seedhouse("query", "--warehouse", wh, f"{sql} limit 0", "--json").stdout == "[]\n"
    assert seedhouse("query", "--warehouse", wh, f"{sql} limit 0", "--nl").stdout == ""


def test_piped_output_is_tab_separated_and_never_cuts_a_value(wh):
    long = "x" * 500
    result = seedhouse("query", "--warehouse", wh, f"select '{long}' as long, null as nothing, true as yes, 'a\tb' as tab")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f'long\tnothing\tyes\ttab\n{long}\t\ttrue\t"a\tb"\n'
    assert "…" not in result.stdout
    # the real values from the seeds, in full
    urls = seedhouse("query", "--warehouse", wh, "select source_path, web_url from core.articles order by source_path")
    assert urls.stdout == (
        "source_path\tweb_url\n"
        "a.md\tHTTPS://WWW.ExampleTimes.com:443/news/one/?utm_source=tw&id=7#top\n"
        "sub/b.txt\thttps://news.example.org/robots\n"
    )


def test_table_output_can_be_asked_for_through_a_pipe(wh):
    result = seedhouse("query", "--warehouse", wh, PROVIDERS, "--table")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "┃ provider_id      ┃ n_articles ┃"
    assert lines[3] == "│ exampletimes.com │ 1          │"
    assert lines[-1] == "3 rows"


@pytest.mark.parametrize("sql", [
    "select * from core.articles",
    # far more than a pipe's buffer, so the write after `head` left surely fails
    "select range, repeat('x', 100) as padding from range(300000)",
])
def test_a_closed_pipe_ends_the_command_quietly_with_exit_0(wh, sql):
    producer = subprocess.Popen(
        [str(SEEDHOUSE), "query", "--warehouse", wh, sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # head alone holds the pipe's reading end
    first_line, _ = head.communicate(timeout=120)
    stderr = producer.stderr.read().decode()
    producer.stderr.close()
    assert producer.wait(timeout=120) == 0, stderr
    assert stderr == ""
    assert first_line.decode().split("\t")[:2] == (["article_id", "source_path"] if "core" in sql else ["range", "padding\n"])


# -- tables and schema ----------------------------------------------------------------------------------

def test_tables_lists_every_table_and_view_with_rows_and_description(wh):
    result = seedhouse("tables", "--warehouse", wh, "--json")
    assert (result.returncode, result.stderr) == (0, "")
    listed = json.loads(result.stdout)
    in_the_file = query(
        Path(wh),
        "select table_schema || '.' || table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() order by 1",
    )
    assert [(t["table"], t["kind"]) for t in listed] == [
        (name, "view" if kind == "VIEW" else "table") for name, kind in in_the_file
    ]
    for entry in listed:
        assert entry["rows"] == query(Path(wh), f"select count(*) from {entry['table']}")[0][0], entry
        if entry["table"] in BY_NAME:
            assert entry["comment"] == BY_NAME[entry["table"]].description, entry
    by_name = {t["table"]: t for t in listed}
    assert by_name["core.articles"] == {
        "table": "core.articles", "kind": "table", "rows": 2, "comment": BY_NAME["core.articles"].description
    }
    assert (by_name["analytics.article_details"]["kind"], by_name["analytics.article_details"]["rows"]) == ("view", 2)
    assert by_name["analytics.corpus_summary"]["rows"] == 1


def test_tables_prints_tab_separated_lines_through_a_pipe(wh):
    lines = seedhouse("tables", "--warehouse", wh).stdout.splitlines()
    assert lines[0] == "table\tkind\trows\tcomment"
    description = BY_NAME["analytics.corpus_summary"].description
    assert f"analytics.corpus_summary\ttable\t1\t{description}" in lines


def test_schema_lists_columns_with_type_nullability_and_description(wh):
    result = seedhouse("schema", "core.providers", "--warehouse", wh, "--csv")
    assert (result.returncode, result.stderr) == (0, "")
    expected = query(
        Path(wh),
        "select column_name, data_type, is_nullable = 'YES' from information_schema.columns "
        "where table_schema = 'core' and table_name = 'providers' order by ordinal_position",
    )
    described = BY_NAME["core.providers"].columns
    rows = [json.loads(line) for line in seedhouse("schema", "core.providers", "--warehouse", wh, "--nl").stdout.splitlines()]
    assert rows == [
        {"column": name, "type": kind, "nullable": nullable, "comment": described[name]} for name, kind, nullable in expected
    ]
    # provider_id is the primary key: declared NOT NULL
    assert result.stdout.splitlines()[:2] == [
        "column,type,nullable,comment", f"provider_id,VARCHAR,false,{described['provider_id']}"
    ]
    # a name that is in one schema only needs no schema
    assert seedhouse("schema", "providers", "--warehouse", wh, "--csv").stdout == result.stdout


def test_schema_of_a_view(wh):
    rows = json.loads(seedhouse("schema", "analytics.article_details", "--warehouse", wh, "--json").stdout)
    described = BY_NAME["analytics.article_details"].columns
    assert [r["column"] for r in rows] == [
        name for (name,) in query(
            Path(wh),
            "select column_name from information_schema.columns where table_schema = 'analytics' "
            "and table_name = 'article_details' order by ordinal_position",
        )
    ]
    assert {r["column"]: r["comment"] for r in rows} == {r["column"]: described[r["column"]] for r in rows}


# -- the build's errors go to stderr too ----------------------------------------------------------------

def test_a_build_that_fails_reports_on_stderr(tiny_seeds, tmp_path):
    """A failed build (a warehouse path that is not a seedhouse warehouse) keeps its error lines
    and 'not published' off stdout, where the summary goes."""
    target = tmp_path / "data.csv"
    target.write_text("a,b\n")
    result = seedhouse("build", "--seeds", str(tiny_seeds), "--warehouse", str(target))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {target} exists and is not a seedhouse warehouse: refusing to replace it (choose another "
        f"--warehouse, or pass --force to replace it)\nnot published: {target} was left as it was\n"
    )
    assert "error" not in result.stdout and "not published" not in result.stdout
    assert target.read_text() == "a,b\n"


def test_a_warehouse_another_program_writes_to_exits_1_naming_the_lock(tiny_warehouse, tmp_path):
    """Not a mistake in the command: the file is fine, another process holds DuckDB's write lock."""
    path = tmp_path / "held.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys\ncon = duckdb.connect({str(path)!r})\nprint('ready', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline() == "ready\n"
        for args in (("query", "select 1"), ("tables",)):
            result = seedhouse(*args, "--warehouse", str(path))
            assert (result.returncode, result.stdout) == (1, ""), result.stderr
            assert result.stderr.startswith(
                f'error: cannot open {path}: IO Error: Could not set lock on file "{path}": Conflicting lock is held in'
            ), result.stderr
            assert result.stderr.count("\n") == 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert seedhouse("query", "select count(*) from core.articles", "--warehouse", str(path)).stdout == "count_star()\n2\n"
