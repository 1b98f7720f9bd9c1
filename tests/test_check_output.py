"""What `seedhouse check` gives people and CI: checks named by sentences, one JSON document, JUnit
XML read back by junitparser (the library CI plugins and report tools use), and the quality page;
and the report's section of the checks a build recorded.

The warehouse checked is a copy of the tiny one with one critical expectation broken: one
article's `url_source` set to null breaks `not_null__url_source` and nothing else critical (an
in-set check passes over nulls), beside the warning the tiny seeds always raise (6 of their 10
files are broken on purpose, 5 of them news files put in quarantine)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from junitparser import Failure, JUnitXml, Skipped

from pipeline import quality
from pipeline.catalog import TABLES
from pipeline.quality import outputs
from pipeline.warehouse import connect
from tests.conftest import query, without_keys

ALL = [(t.name, name) for t in TABLES for name, _ in quality.expectations(quality.load_suite(t.name))]
CRITICAL = sum(
    e.get("severity") == "critical" for t in TABLES for _, e in quality.expectations(quality.load_suite(t.name))
)
BROKEN = ("core.articles", "not_null__url_source")
WARNED = ("core.seed_files", "not_in_set__news_status")


def seedhouse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=300)


class Checks(HTMLParser):
    """The check rows of a quality page or report: (table, check, status, severity) each."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str, str, str]] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-check" in found:
            self.rows.append((found["data-table"], found["data-check"], found["data-status"], found["data-severity"]))
        self.resources.extend(f"{tag} {name}" for name in ("src", "href") if name in found)
        if tag in ("script", "link", "img", "iframe"):
            self.resources.append(tag)


def checks_on(page: str) -> Checks:
    parser = Checks()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def broken(tiny_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("broken") / "broken.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    with duckdb.connect(str(path)) as con:
        without_keys(con, "core.articles")  # its NOT NULL would refuse the break the checks must find
        con.execute("update core.articles set url_source = null where source_path = 'sub/b.txt'")
    return path


@pytest.fixture(scope="module")
def as_json(broken):
    result = seedhouse("check", "--warehouse", str(broken), "--format", "json")
    return result, json.loads(result.stdout)  # standard output is the document and nothing else


@pytest.fixture(scope="module")
def as_junit(broken):
    out = broken.with_name("checks.xml")
    return seedhouse("check", "--warehouse", str(broken), "--format", "junit", "--out", str(out)), out


def test_checks_read_as_sentences_made_from_their_kind_and_parameters():
    sentences = {
        (t.name, name): quality.expects(e, quality.load_suite(t.name))
        for t in TABLES
        for name, e in quality.expectations(quality.load_suite(t.name))
    }
    # foreign keys are parameter queries of the values the other table lacks
    assert sentences["core.article_topics", "not_in_set__article_id"] == "every article_id is in core.articles"
    assert sentences["analytics.stories", "not_in_set__story_id"] == "every story_id is an article_id of core.articles"
    assert sentences["analytics.story_edges", "not_in_set__source_url"] == (
        "every source_url is a canonical_url of core.articles where content_kind = 'news'"
    )
    assert sentences["core.articles", "row_count_equal"] == "one row per row of core.seed_files where status = 'loaded'"
    assert sentences["core.seed_files", "row_count_equal"] == "as many rows as files_found in quality.build_info"
    assert sentences["core.articles", "between__published_at"] == (
        "every published_at is between 1990-01-01 00:00:00+00 and now() + interval 2 day"
    )
    assert sentences["core.articles", "not_in_set__date_status"] == (
        "at least 90% of date_status values are not missing or implausible"
    )
    assert sentences["core.articles", "unique__article_id"] == "no two rows share an article_id"
    assert sentences["analytics.corpus_summary", "row_count_equal"] == "exactly 1 row"
    assert sentences["core.article_history", "pair_values_a_greater_than_b__valid_to__valid_from"] == (
        "valid_to is greater than valid_from wherever both are given"
    )
    assert sentences["core.feeds", "sum_between__n_items"] == "the sum of n_items equals the number of rows of core.articles"
    # every check has one, and none is GE's wording or a placeholder
    assert [key for key, sentence in sentences.items() if not sentence or "$PARAMETER" in sentence or "{" in sentence
            and "regex" not in key[1] and "match" not in key[1]] == []
    assert [key for key, sentence in sentences.items() if "belong to this set" in sentence] == []
    # a suite's own `meta.expects` wins over the made-up sentence
    assert quality.expects({"type": "expect_column_values_to_be_unique", "kwargs": {"column": "x"},
                            "meta": {"expects": "one row per x"}}) == "one row per x"


def test_json_has_every_outcome_and_exact_counts(as_json, broken):
    result, document = as_json
    assert result.returncode == 1, result.stderr
    [(b_article,)] = query(broken, "select article_id from core.articles where source_path = 'sub/b.txt'")
    assert document["warehouse"] == str(broken.resolve())
    assert document["run"].startswith("seedhouse check ")
    assert document["passed"] is False
    assert document["summary"] == {
        "expectations": len(ALL),
        "passed": len(ALL) - 2,
        "failed": 2,
        "failed_critical": 1,
        "failed_warning": 1,
        "critical": CRITICAL,
        "warning": len(ALL) - CRITICAL,
        "tables": len(TABLES),
        "differs_from_build": 1,  # the build recorded the broken check as passing
    }
    assert [(r["table"], r["check"]) for r in document["results"]] == ALL
    failed = {(r["table"], r["check"]): r for r in document["results"] if not r["success"]}
    assert sorted(failed) == sorted([BROKEN, WARNED])
    assert failed[BROKEN] == {
        "table": "core.articles",
        "check": "not_null__url_source",
        "expects": "no url_source is null",
        "meaning": "An article whose URL is not known to be its webUrl or its originalUrl cannot be opened or de-duplicated.",
        "severity": "critical",
        "success": False,
        "unexpected_count": 1,
        "observed_value": None,
        "sample": [{"url_source": None, "article_id": b_article}],
        "error": None,
        "expectation_type": "expect_column_values_to_not_be_null",
        "same_as_build": False,
    }
    [(quarantined,)] = query(broken, "select count(*) from core.seed_files where news_status = 'quarantined'")
    assert (failed[WARNED]["severity"], failed[WARNED]["unexpected_count"], failed[WARNED]["same_as_build"]) == (
        "warning", quarantined, True,
    )
    assert quarantined == 5
    # people's lines go to standard error, the quality page's path first
    assert result.stderr.splitlines()[0] == f"quality page: {broken.with_name('broken-quality.html').resolve()}"


def test_junit_is_read_by_junitparser_with_one_failure_and_the_warning_skipped(as_junit):
    result, out = as_junit
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"quality page: {out.with_name('broken-quality.html').resolve()}",
        f"junit: {out.resolve()}",
    ]
    xml = JUnitXml.fromfile(str(out))
    suites = list(xml)
    assert [suite.name for suite in suites] == [t.name for t in TABLES]
    cases = [(suite.name, case) for suite in suites for case in suite]
    assert len(cases) == len(ALL)
    assert (xml.tests, xml.failures, xml.errors) == (len(ALL), 1, 0)
    assert [(suite.name, suite.skipped) for suite in suites if suite.skipped] == [("core.seed_files", 1)]
    assert [(suite.name, suite.failures) for suite in suites if suite.failures] == [("core.articles", 1)]
    failures = [(table, case.name, r) for table, case in cases for r in case.result if isinstance(r, Failure)]
    assert [(table, name, r.type) for table, name, r in failures] == [
        ("core.articles", "no url_source is null (not_null__url_source)", "critical"),
    ]
    assert failures[0][2].message.startswith("critical: 1 row breaks it. An article whose URL")
    skipped = [(table, case.name, r.message) for table, case in cases for r in case.result if isinstance(r, Skipped)]
    assert [(table, name) for table, name, _ in skipped] == [
        ("core.seed_files", "at least 90% of news_status values are not quarantined (not_in_set__news_status)"),
    ]
    assert skipped[0][2].startswith("warning: 5 rows break it.")
    assert sum(case.is_passed for _, case in cases) == len(ALL) - 2
    # the testcase of every check, named by its sentence and check name, under its table
    assert sorted((table, case.name.rsplit(" (", 1)[1].rstrip(")")) for table, case in cases) == sorted(ALL)


def test_the_quality_page_shows_every_check_with_its_status_offline(as_junit):
    _, out = as_junit
    page = out.with_name("broken-quality.html").read_text()
    found = checks_on(page)
    assert found.resources == []  # no script, stylesheet, image or link: nothing to fetch
    statuses = Counter(found.rows)
    # every check once under its table; the two that failed once more in the list of failures
    assert {(t, c) for t, c, _, _ in statuses} == set(ALL)
    assert {(t, c): n for (t, c, _, _), n in statuses.items() if n != 1} == {BROKEN: 2, WARNED: 2}
    assert sorted({(t, c, s, v) for t, c, s, v in found.rows if s == "failed"}) == [
        ("core.articles", "not_null__url_source", "failed", "critical"),
        ("core.seed_files", "not_in_set__news_status", "failed", "warning"),
    ]
    assert sum(s == "passed" for _, _, s, _ in set(found.rows)) == len(ALL) - 2
    assert "1 critical check failed: a build with these outcomes is not published" in page
    assert "<title>Data quality: seedhouse check " in page
    assert "the build recorded it as passed" in page
    assert "no url_source is null" in page and "__none__" not in page


def test_check_refuses_to_write_its_page_over_another_file(tiny_warehouse, tmp_path):
    path = tmp_path / "good.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    other = tmp_path / "notes.html"
    other.write_text("<p>mine</p>")
    result = seedhouse("check", "--warehouse", str(path), "--page", str(other))
    assert result.returncode == 2
    assert "is not a seedhouse quality page: refusing to overwrite it" in result.stderr
    assert other.read_text() == "<p>mine</p>"


def test_the_report_lists_every_check_the_build_recorded(tiny_warehouse, tmp_path):
    from pipeline.report import write_report

    page = write_report(tiny_warehouse, tmp_path / "report.html").read_text()
    section = page[page.index('<section id="section-checks">'):]
    section = section[: section.index("</section>")]
    found = checks_on(section)
    assert found.resources == []
    assert {(t, c) for t, c, _, _ in found.rows} == set(ALL)
    assert sorted({row for row in found.rows if row[2] == "failed"}) == [
        ("core.seed_files", "not_in_set__news_status", "failed", "warning"),
    ]
    assert "every critical check passed" in section
    assert f"Every check, by table ({len(ALL)})" in section


def test_a_warehouse_recorded_before_checks_had_sentences_still_reads(tiny_warehouse, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copyfile(tiny_warehouse, path)
    with connect(path) as con:
        con.execute("alter table quality.check_results drop column expects")
        recorded = quality.audit.outcomes(con)
        assert len(recorded) == len(ALL)
        assert {o.expects for o in recorded} == {""}
        # the next record adds the column back
        quality.audit.record(con, "run-2", "core.providers", [recorded[[o.table for o in recorded].index("core.providers")]])
        assert con.execute(
            "select expects from quality.check_results where run_id = 'run-2'"
        ).fetchall() == [(None,)]
    assert outputs.testcase_name(recorded[0]) == recorded[0].check_name


def test_report_bars_too_short_to_see_are_drawn_at_the_minimum_with_their_true_value():
    import plotly.graph_objects as go

    from pipeline.report import COLORWAY, MIN_BAR_SHARE, TOP_TOPICS, _readable

    # the sample's ledger: 297 loaded files beside 2 duplicates and 1 quarantined
    fig = go.Figure(go.Bar(x=["loaded", "duplicate", "missing_field"], y=[297, 2, 1]))
    _readable(fig)
    bar = fig.data[0]
    assert list(bar.y) == [297, 297 * MIN_BAR_SHARE, 297 * MIN_BAR_SHARE] == [297, 4.455, 4.455]
    assert list(bar.customdata) == [297, 2, 1]  # what the label and the tooltip say
    assert (bar.texttemplate, bar.textposition) == ("%{customdata}", "outside")
    # horizontal, grouped: one floor for the chart, zeros stay zero
    fig = go.Figure([go.Bar(x=[100, 0], y=["a", "b"], orientation="h"), go.Bar(x=[1, 50], y=["a", "b"], orientation="h")])
    fig.update_layout(barmode="group")
    _readable(fig)
    assert [list(trace.x) for trace in fig.data] == [[100, 0], [1.5, 50]]
    # stacked bars keep their lengths: a floor would misstate the total
    fig = go.Figure([go.Bar(x=[1], y=["a"], orientation="h"), go.Bar(x=[200], y=["a"], orientation="h")])
    fig.update_layout(barmode="stack")
    _readable(fig)
    assert [list(trace.x) for trace in fig.data] == [[1], [200]]
    # as many distinct colours as the most series a chart draws
    assert len(set(COLORWAY)) == len(COLORWAY) >= TOP_TOPICS
    assert list(fig.layout.colorway) == COLORWAY
