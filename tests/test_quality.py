"""Every critical expectation can fail: each is fed a small table that breaks it, on a copy of
the tiny warehouse (plus a wire copy, so that no mart is empty), and must fail under its own
name. Suites also run on empty tables."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipeline import quality
from pipeline.catalog import BY_NAME, TABLES
from pipeline.quality import frames, suites, validation
from pipeline.warehouse import connect, quote_ident
from tests.conftest import TINY_SEEDS, article_key, built_warehouse, without_keys, write_seeds

# a.md again under the wire service's own URL an hour later: a syndication group of two
WIRE_COPY = (
    b"---\ntitle: 'Robots learn to fold laundry'\npublishedDateTime: 2021-03-09T09:00:00Z\n"
    b"webUrl: https://wire.example.net/robots-fold-laundry\nprovider:\n  domain: wire.example.net\n---\n"
)

CRITICAL = [
    (table.name, name, expectation)
    for table in TABLES
    for name, expectation in quality.expectations(quality.load_suite(table.name))
    if expectation.get("severity") == "critical"
]


def break_it(con: duckdb.DuckDBPyConnection, table: str, expectation: dict) -> None:
    """Change the first row of `table` (or add a copy of it) so that `expectation` fails."""
    t = quote_ident(table)
    first = f"rowid = (select min(rowid) from {t})"
    kwargs = expectation["kwargs"]
    kind = expectation["type"]
    col = quote_ident(kwargs["column"]) if "column" in kwargs else None
    if kind == "expect_column_values_to_not_be_null":
        con.execute(f"update {t} set {col} = null where {first}")
    elif kind in (
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_table_row_count_to_equal",
    ):
        con.execute(f"insert into {t} select * from {t} where {first}")
    elif kind in (
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",  # foreign keys: a value the other table lacks
        "expect_column_values_to_match_regex",
    ):
        con.execute(f"update {t} set {col} = 'javascript:alert(1)' where {first}")
    elif kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        con.execute(f"update {t} set {col} = ? where {first}", [low - 1 if low is not None else high + 1])
    elif kind == "expect_column_sum_to_be_between":
        con.execute(f"update {t} set {col} = {col} + 1 where {first}")
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = quote_ident(kwargs["column_A"]), quote_ident(kwargs["column_B"])
        value = f"{b} - 1" if kwargs.get("or_equal") else b
        con.execute(f"update {t} set {a} = {value} where {first}")
    else:
        raise AssertionError(f"no way to break {kind} yet: add one here")


@pytest.fixture(scope="module")
def quality_warehouse(tmp_path_factory, warm_ge):
    seeds = write_seeds(tmp_path_factory.mktemp("quality_seeds"), {**TINY_SEEDS, "wire.md": WIRE_COPY})
    return built_warehouse(seeds, tmp_path_factory.mktemp("quality_wh"), warm_ge)


def test_no_table_is_empty(quality_warehouse):
    with connect(quality_warehouse, read_only=True) as con:
        assert [t.name for t in TABLES if con.execute(f"select count(*) from {quote_ident(t.name)}").fetchone()[0] == 0] == []


@pytest.fixture()
def scratch(quality_warehouse, tmp_path):
    path = tmp_path / "scratch.duckdb"
    shutil.copyfile(quality_warehouse, path)
    with connect(path) as con:
        yield con


def test_every_suite_passes_on_the_tiny_warehouse(scratch):
    failed = [
        (o.table, o.check_name, o.severity)
        for table in TABLES
        for o in quality.validate(scratch, table.name)
        if not o.success
    ]
    # 6 of the 10 seeds are broken on purpose: only the quarantine-share warning fires
    assert failed == [("core.seed_files", "not_in_set__news_status", "warning")]


@pytest.fixture(scope="module")
def unkeyed(quality_warehouse, tmp_path_factory):
    """`unkeyed(table)`: a connection to a copy of the quality warehouse with `table`'s keys
    removed (they would refuse what breaks its checks). The tests of one table's expectations
    share its copy, each breaking it in a transaction it rolls back, so each starts from the same
    file as on a copy of its own; copying, opening and rebuilding it once a table instead of once
    an expectation saves most of what those tests spent outside validation."""
    copies: dict[str, duckdb.DuckDBPyConnection] = {}

    def open_for(table: str) -> duckdb.DuckDBPyConnection:
        if table not in copies:
            for con in copies.values():  # the parameters come grouped by table
                con.close()
            copies.clear()
            path = tmp_path_factory.mktemp("unkeyed") / "scratch.duckdb"
            shutil.copyfile(quality_warehouse, path)
            copies[table] = connect(path)
            if not BY_NAME[table].view:
                without_keys(copies[table], table)
        return copies[table]

    yield open_for
    for con in copies.values():
        con.close()


@pytest.mark.parametrize(("table", "check_name", "expectation"), CRITICAL, ids=[f"{t}:{n}" for t, n, _ in CRITICAL])
def test_each_critical_expectation_fails_on_a_table_that_breaks_it(unkeyed, table, check_name, expectation):
    scratch = unkeyed(table)
    scratch.execute("begin transaction")
    try:
        break_it(scratch, table, expectation)
        outcomes = {o.check_name: o for o in quality.validate(scratch, table)}
    finally:
        scratch.execute("rollback")  # the next expectation of this table breaks the same copy
    assert outcomes[check_name].success is False
    assert outcomes[check_name].blocks is True
    assert outcomes[check_name].error is None


def test_suites_run_on_empty_tables_without_raising(scratch):
    for table in reversed(TABLES):  # a table before those its foreign keys reference
        if not table.view:  # views empty with their tables
            scratch.execute(f"delete from {quote_ident(table.name)}")
    for table in TABLES:
        outcomes = quality.validate(scratch, table.name)
        assert [o.check_name for o in outcomes if o.error] == [], table.name
    # an empty ledger is not the 10 files that were found: the row-count relation still fails
    ledger = {o.check_name: o for o in quality.validate(scratch, "core.seed_files")}
    assert (ledger["row_count_equal"].success, ledger["row_count_equal"].observed_value) == (False, 0)


def test_failing_rows_are_reported_by_their_ids(scratch):
    scratch.execute("update core.articles set url_source = 'javascript:void(0)' where source_path = 'a.md'")
    outcome = {o.check_name: o for o in quality.validate(scratch, "core.articles")}["in_set__url_source"]
    assert outcome.unexpected_count == 1
    assert outcome.sample == [
        {"url_source": "javascript:void(0)", "article_id": article_key("https://www.exampletimes.com/news/one?id=7")}
    ]


def test_large_tables_validated_by_column_group_give_the_same_outcomes(scratch, monkeypatch):
    """Over `LARGE_TABLE_ROWS` a suite runs one column group at a time; with failures in several
    groups, every outcome (counts, samples, observed values) and GE's statistics are the same."""
    scratch.execute("update core.articles set url_source = 'javascript:void(0)' where source_path = 'a.md'")
    without_keys(scratch, "core.articles")  # its primary key refuses the duplicate
    scratch.execute("insert into core.articles select * from core.articles where source_path = 'a.md'")
    limit = scratch.execute("select current_setting('memory_limit')").fetchone()
    whole = {t.name: quality.validate_with_result(scratch, t.name) for t in TABLES}
    monkeypatch.setattr(validation, "LARGE_TABLE_ROWS", 0)
    grouped = {t.name: quality.validate_with_result(scratch, t.name) for t in TABLES}
    assert {t: o for t, (o, _) in grouped.items()} == {t: o for t, (o, _) in whole.items()}
    assert {t: r.statistics for t, (_, r) in grouped.items()} == {t: r.statistics for t, (_, r) in whole.items()}
    failed = sorted(o.check_name for o in grouped["core.articles"][0] if not o.success)
    assert failed == [
        "in_set__url_source", "row_count_equal", "unique__article_id", "unique__canonical_url", "unique__source_path",
        "unique__url_key",
    ]
    assert grouped["core.articles"][1].statistics["unsuccessful_expectations"] == len(failed)
    # DuckDB's memory limit, lowered while large tables are validated, is back to the configured one
    assert limit == ("488.2 MiB",)  # the default 512MB
    assert scratch.execute("select current_setting('memory_limit')").fetchone() == limit


@pytest.mark.slow  # validates every table three ways in Great Expectations
def test_the_ge_process_gives_the_outcomes_of_validating_here(scratch, monkeypatch):
    """A build validates in a GE process of its own: small tables whole, large ones a column
    group at a time. Both give what validating in this process gives, and leave no file behind."""
    scratch.execute("update core.articles set url_source = 'javascript:void(0)' where source_path = 'a.md'")
    without_keys(scratch, "core.articles")  # its primary key refuses the duplicate
    scratch.execute("insert into core.articles select * from core.articles where source_path = 'a.md'")
    here = {t.name: quality.validate(scratch, t.name) for t in TABLES}
    ge = quality.GEProcess(quality.warm_up)
    # After each column group this process gives memory back, a full garbage collection. A build
    # process holds no GE; this one holds GE and the whole test session, which every collection
    # would walk again, once a column group. Frozen, they are left out: the same code runs on what
    # the validation itself made, as in a build.
    gc.freeze()
    try:
        whole = {t.name: quality.validate(scratch, t.name, ge=ge) for t in TABLES}
        monkeypatch.setattr(validation, "LARGE_TABLE_ROWS", 0)
        grouped = {t.name: quality.validate(scratch, t.name, ge=ge) for t in TABLES}
        left_behind = list(ge.scratch.iterdir())
    finally:
        gc.unfreeze()
        ge.close()
    assert (whole == here, grouped == here, left_behind) == (True, True, [])
    assert sum(not o.success for o in here["core.articles"]) == 6
    assert not ge.scratch.exists()
    assert ge.scratch.name.startswith(f"{quality.SCRATCH_PREFIX}{os.getpid()}-")  # found by the next build if killed


def test_a_killed_builds_ge_scratch_is_removed_by_the_next_and_a_running_ones_kept(tmp_path):
    """A build killed outright leaves its GE scratch directory (Arrow files of warehouse columns)
    behind; the next GE process removes those whose build process is gone, and no other."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{quality.SCRATCH_PREFIX}{int(finished.stdout)}-abc"
    running = tmp_path / f"{quality.SCRATCH_PREFIX}{os.getpid()}-def"
    unrelated = tmp_path / f"{quality.SCRATCH_PREFIX}notapid-ghi"
    for directory in (dead, running, unrelated):
        directory.mkdir()
        (directory / "core.articles.part-0.arrow").write_bytes(b"columns")
    assert quality.remove_orphaned_scratch(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, unrelated.name])


def test_batches_are_not_fingerprinted(scratch):
    """GE's per-batch md5 fingerprint is switched off (see `validation._skip_batch_fingerprints`)."""
    _, result = quality.validate_with_result(scratch, "core.providers")
    assert "pandas_data_fingerprint" not in result.meta["batch_markers"]


def test_frames_fetched_through_arrow_equal_duckdbs_own(scratch):
    """`table_frame` gives what `.df()` gives, dtypes included (nullable integers, all-NULL
    text, dates), but for 32-bit integers, which it widens to 64 bits, and for nested columns,
    which it gives as their presence."""
    import pandas as pd

    scratch.execute("update core.article_images set width = null where ordinal = 1")  # an int32 with NULLs
    nested_checked = []
    for table in TABLES:
        columns = suites._columns(quality.load_suite(table.name))
        ours = quality.table_frame(scratch, table.name, columns)
        select = ", ".join(quote_ident(c) for c in columns)
        theirs = scratch.execute(f"select {select} from {quote_ident(table.name)}").df()
        for name in sorted(frames.nested_columns(scratch, table.name) & set(columns)):
            assert ours[name].map(repr).tolist() == theirs[name].map(lambda v: "nan" if v is None else "True").tolist()
            ours, theirs = ours.drop(columns=name), theirs.drop(columns=name)
            nested_checked.append(f"{table.name}.{name}")
        for name in theirs.columns:
            if str(theirs[name].dtype) in ("int32", "int16", "int8"):
                theirs[name] = theirs[name].astype("int64")
        if table.view:  # a view's rows come in no fixed order
            ours, theirs = ours.sort_values(columns).reset_index(drop=True), theirs.sort_values(columns).reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=True, obj=table.name)
    assert nested_checked == ["core.text_features.terms"]


def test_suites_check_only_the_presence_of_nested_columns(sample_warehouse):
    """GE sees a nested column only as its presence (`frames._select`): a suite that asked more
    of one would be judged on the wrong values."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for table in TABLES:
            nested = frames.nested_columns(con, table.name)
            for expectation in quality.load_suite(table.name)["expectations"]:
                kwargs = expectation["kwargs"]
                read = {kwargs.get("column"), *kwargs.get("column_list", [])} & nested
                assert not read or expectation["type"] in frames.NESTED_EXPECTATIONS, (table.name, expectation["type"])


def test_failures_are_detailed_as_by_one_full_validation(scratch, monkeypatch):
    """Validating first with GE's BASIC format and then only the failures in full gives the
    outcomes (counts, samples) of one validation in full."""
    scratch.execute("update core.articles set url_source = 'javascript:void(0)' where source_path = 'a.md'")
    scratch.execute("update core.article_topics set ordinal = 0")
    two_pass = {t: quality.validate(scratch, t) for t in ("core.articles", "core.article_topics")}

    def one_pass(part, read, parameters, result_format):
        _, batch_definition = validation._context()
        return batch_definition.get_batch(batch_parameters={"dataframe": quality.frame_of(read())}).validate(
            suites._gx(part), expectation_parameters=parameters, result_format=result_format
        )

    monkeypatch.setattr(validation, "_validate_part", one_pass)
    assert {t: quality.validate(scratch, t) for t in two_pass} == two_pass
    assert sorted(o.check_name for o in two_pass["core.article_topics"] if not o.success) == ["between__ordinal"]
    assert [o.sample for o in two_pass["core.articles"] if o.check_name == "in_set__url_source"] == [
        [{"url_source": "javascript:void(0)", "article_id": article_key("https://www.exampletimes.com/news/one?id=7")}]
    ]
