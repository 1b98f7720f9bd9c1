"""What a SQL analyst's client sees in the published file: the keys each table declares (from its
suite), a COMMENT on every table, view and column, and days and weeks that do not depend on the
session's time zone.

The warehouse is built by the real graph from the tiny seeds of conftest plus one date-only
article on a Monday: midnight UTC on a Monday is Sunday afternoon in Los Angeles, so a client on
that time zone moves it into the week before unless it groups by the UTC `..._date` columns.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from pipeline.build import run_build
from pipeline.catalog import STEP_TABLES, TABLES
from pipeline.keys import ForeignKey, Keys, table_keys
from pipeline.quality.audit import COLUMNS as CHECK_RESULT_COLUMNS
from pipeline.warehouse import connect, create_table
from tests.conftest import TINY_SEEDS, write_seeds

MONDAY = {
    "monday.md": b"---\ncategory: news\ntitle: Robots sort the recycling\npublishedDateTime: 2021-03-15\n"
    b"webUrl: https://news.example.org/recycling\nprovider:\n  name: Example News\n  domain: news.example.org\n---\n"
}
# monday.md was written half an hour after its publish day began (UTC); the build observed the
# seeds at 03:00 UTC that day: both are still Sunday in Los Angeles
MODIFIED = datetime(2021, 3, 15, 0, 30, tzinfo=timezone.utc)
AS_OF = "2021-03-15T03:00:00+00:00"

LOS_ANGELES = "America/Los_Angeles"

# every PRIMARY KEY and FOREIGN KEY of the published file: (table, kind, columns, referenced table)
KEYS = [
    ("analytics.provider_health", "PRIMARY KEY", ["provider_id"], None),
    ("analytics.provider_lead_lag", "PRIMARY KEY", ["provider_id"], None),
    ("analytics.provider_link_metrics", "PRIMARY KEY", ["provider_id"], None),
    ("analytics.provider_stats", "PRIMARY KEY", ["provider_id"], None),
    ("analytics.stories", "PRIMARY KEY", ["story_id"], None),
    ("analytics.story_members", "PRIMARY KEY", ["canonical_url"], None),
    ("analytics.syndication_groups", "PRIMARY KEY", ["syndication_group_id"], None),
    ("analytics.topic_stats", "PRIMARY KEY", ["topic"], None),
    ("analytics.topic_trends", "PRIMARY KEY", ["topic", "month_date"], None),
    ("core.article_authors", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.article_bodies", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.article_bodies", "PRIMARY KEY", ["article_id"], None),
    ("core.article_images", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.article_topics", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.article_topics", "PRIMARY KEY", ["article_id", "topic"], None),
    ("core.articles", "FOREIGN KEY", ["provider_id"], "providers"),
    ("core.articles", "PRIMARY KEY", ["article_id"], None),
    ("core.feeds", "FOREIGN KEY", ["provider_id"], "providers"),
    ("core.feeds", "PRIMARY KEY", ["feed_id"], None),
    ("core.providers", "PRIMARY KEY", ["provider_id"], None),
    ("core.related_links", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.related_links", "FOREIGN KEY", ["provider_id"], "providers"),
    ("core.related_links", "FOREIGN KEY", ["target_article_id"], "articles"),
    ("core.seed_files", "PRIMARY KEY", ["source_path"], None),
    ("core.term_weights", "PRIMARY KEY", ["term"], None),
    ("core.text_features", "FOREIGN KEY", ["article_id"], "articles"),
    ("core.text_features", "PRIMARY KEY", ["article_id", "ordinal"], None),
]

# the columns declared NOT NULL, table by table (a primary key's columns among them)
NOT_NULL = {
    "analytics.article_volume": ["period_start"],
    "analytics.heat_trajectory": ["heat"],
    "analytics.provider_health": ["provider_id"],
    "analytics.provider_lead_lag": ["provider_id"],
    "analytics.provider_link_metrics": ["provider_id"],
    "analytics.provider_network": ["pagerank"],
    "analytics.provider_stats": ["provider_id"],
    "analytics.stories": ["story_id"],
    "analytics.story_edges": ["source_url", "target_url"],
    "analytics.story_members": ["canonical_url", "story_id"],
    "analytics.syndication_groups": ["syndication_group_id"],
    "analytics.topic_stats": ["topic"],
    "analytics.topic_trends": ["month_date", "topic"],
    "core.article_authors": ["article_id", "name"],
    "core.article_bodies": ["article_id"],
    "core.article_history": ["article_id", "valid_from"],
    "core.article_images": ["article_id", "url"],
    "core.article_topics": ["article_id", "topic"],
    "core.articles": [
        "article_id", "canonical_url", "content_kind", "feed_id", "provider_id", "syndication_group_id", "title",
        "url_key", "url_source",
    ],
    "core.feeds": ["feed_id", "provider_id"],
    "core.providers": ["name", "provider_id"],
    "core.related_links": ["article_id", "relation"],
    "core.seed_files": ["source_path", "status"],
    "core.term_weights": ["term"],
    "core.text_features": ["article_id", "ordinal", "terms"],
    # written by seedhouse itself, with its own constraints (pipeline/quality/audit.py)
    "quality.check_results": [
        "check_name", "expectation_type", "ordinal", "run_id", "severity", "success", "table_name",
    ],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, warm_ge) -> Path:
    seeds = write_seeds(tmp_path_factory.mktemp("seeds"), {**TINY_SEEDS, **MONDAY})
    os.utime(seeds / "monday.md", (MODIFIED.timestamp(), MODIFIED.timestamp()))
    path = tmp_path_factory.mktemp("warehouse") / "seedhouse.duckdb"
    report = run_build(seeds, path, resource_config={"as_of": AS_OF}, ge=warm_ge)
    assert report.published, (report.errors, [f.describe() for f in report.failed_checks])
    return path


def read(path: Path, sql: str, time_zone: str = "UTC") -> list[tuple]:
    """`sql`'s rows in a read-only session on `time_zone`, as an analyst's client opens the file."""
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute(f"set TimeZone = '{time_zone}'")
        return con.execute(sql).fetchall()


def declared_keys(path: Path) -> list[tuple]:
    return read(
        path,
        "select schema_name || '.' || table_name, constraint_type, constraint_column_names, referenced_table "
        "from duckdb_constraints() where constraint_type in ('PRIMARY KEY', 'FOREIGN KEY') order by all",
    )


def not_null_columns(path: Path) -> dict[str, list[str]]:
    rows = read(
        path,
        "select schema_name || '.' || table_name, list(column_name order by column_name) from duckdb_columns() "
        "where not is_nullable and not internal group by all order by all",
    )
    return dict(rows)


def test_each_table_declares_the_keys_its_suite_guarantees(warehouse):
    assert declared_keys(warehouse) == KEYS
    assert not_null_columns(warehouse) == NOT_NULL
    # one declaration: what the file declares is what the suites' critical checks guarantee
    for table in TABLES:
        keys = table_keys(table.name)
        declared = {(kind, tuple(columns), target) for name, kind, columns, target in KEYS if name == table.name}
        derived = {("PRIMARY KEY", keys.primary_key, None)} if keys.primary_key else set()
        derived |= {("FOREIGN KEY", (fk.column,), fk.table.split(".")[1]) for fk in keys.foreign_keys}
        assert declared == derived, table.name
    # a client sees them: DuckDB's describe marks the key and the columns that cannot be NULL
    assert read(warehouse, "select column_name, \"null\", key from (describe core.article_topics)") == [
        ("article_id", "NO", "PRI"), ("topic", "NO", "PRI"), ("ordinal", "YES", None),
    ]


def test_the_published_file_enforces_its_keys_in_storage_v1_4(warehouse, tmp_path):
    assert read(warehouse, "select tags['storage_version'] from duckdb_databases() where database_name = 'seedhouse'") == [
        ("v1.4.0+",)
    ]
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse, copy)
    refused = {
        "insert into core.articles select * from core.articles where source_path = 'a.md'": "Duplicate key",
        "insert into core.article_topics values ('0000000000000000', 'AI', 1)": "foreign key constraint",
        "update core.articles set title = null where source_path = 'a.md'": "NOT NULL constraint failed",
        "drop table core.providers": "main key table",
    }
    with duckdb.connect(str(copy)) as con:
        for sql, reason in refused.items():
            with pytest.raises(duckdb.Error, match=reason):
                con.execute(sql)


def test_rows_that_break_a_key_build_the_table_without_it(tmp_path):
    """The checks, not the keys, report bad rows: a table whose rows break a key is built without
    it, whole, and a foreign key to a table without its key is left out."""
    parent_keys = Keys(primary_key=("id",), not_null=("id",))
    child_keys = Keys(not_null=("id",), foreign_keys=(ForeignKey("parent_id", "core.parent", "id"),))
    with connect(tmp_path / "build.duckdb") as con:
        con.execute("create schema core")

        def built(name: str) -> tuple[int, list]:
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]
            kinds = con.execute(
                "select constraint_type from duckdb_constraints() where table_name = ? order by all", [name.split(".")[1]]
            ).fetchall()
            return rows, [kind for (kind,) in kinds]

        create_table(con, "core.parent", "select * from (values ('a'), ('a'), ('b')) as t(id)", parent_keys)
        assert built("core.parent") == (3, ["NOT NULL"])  # duplicate ids: no primary key
        create_table(con, "core.child", "select * from (values ('x', 'a')) as t(id, parent_id)", child_keys)
        assert built("core.child") == (1, ["NOT NULL"])  # its parent has no key to reference

        create_table(con, "core.parent", "select * from (values ('a'), ('b')) as t(id)", parent_keys)
        assert built("core.parent") == (2, ["NOT NULL", "PRIMARY KEY"])
        create_table(con, "core.child", "select * from (values ('x', 'a'), ('y', 'c')) as t(id, parent_id)", child_keys)
        assert built("core.child") == (2, [])  # 'c' is no parent: built as the query gives it
        create_table(con, "core.child", "select * from (values ('x', 'a'), ('y', null)) as t(id, parent_id)", child_keys)
        assert built("core.child") == (2, ["FOREIGN KEY", "NOT NULL"])


def test_every_published_table_view_and_column_has_a_comment(warehouse):
    objects = read(
        warehouse,
        "select schema_name || '.' || table_name, comment from duckdb_tables() where not internal "
        "union all select schema_name || '.' || view_name, comment from duckdb_views() where not internal",
    )
    columns = read(
        warehouse,
        "select schema_name || '.' || table_name || '.' || column_name, comment from duckdb_columns() where not internal",
    )
    assert sorted(name for name, _ in objects) == sorted(
        [table.name for table in TABLES] + ["quality.build_info", "quality.check_results"]
    )
    assert [name for name, comment in objects if not (comment or "").strip()] == []
    assert len(columns) == sum(len(t.columns) for t in TABLES) + len(STEP_TABLES["quality.build_info"].columns) + len(
        CHECK_RESULT_COLUMNS
    )
    assert [name for name, comment in columns if not (comment or "").strip()] == []
    assert read(warehouse, "select comment from duckdb_columns() where table_name = 'build_info' and column_name = 'observed_at'") == [
        (STEP_TABLES["quality.build_info"].columns["observed_at"],)
    ]


DAYS = {
    "core.articles": "select source_path, published_date from core.articles order by all",
    "analytics.article_details": "select title, published_date from analytics.article_details order by all",
    "core.article_history": "select source_path, version, valid_from_date from core.article_history order by all",
    "core.seed_files": "select source_path, modified_date from core.seed_files where source_path = 'monday.md'",
    "analytics.story_members": "select canonical_url, published_date from analytics.story_members order by all",
    "analytics.related_coverage": (
        "select related_title, article_published_date, related_published_date from analytics.related_coverage order by all"
    ),
}

WEEKS_BY_DATE = (
    "select date_trunc('week', published_date)::date as week, count(*) from core.articles "
    "where content_kind = 'news' and date_status = 'dated' group by week order by week"
)
WEEKS_OF_THE_MART = (
    "select period_start, n_articles from analytics.article_volume where grain = 'week' and n_articles > 0 order by all"
)


def test_days_and_weeks_are_the_same_under_los_angeles_time(warehouse):
    utc = {table: read(warehouse, sql) for table, sql in DAYS.items()}
    assert {table: read(warehouse, sql, LOS_ANGELES) for table, sql in DAYS.items()} == utc
    march = lambda day: date(2021, 3, day)  # noqa: E731
    assert utc["core.articles"] == [("a.md", march(9)), ("monday.md", march(15)), ("sub/b.txt", march(10))]
    assert utc["analytics.article_details"] == [
        ("Laundry robots arrive", march(10)), ("Robots learn to fold laundry", march(9)),
        ("Robots sort the recycling", march(15)),
    ]
    assert utc["core.article_history"] == [("a.md", 1, march(15)), ("monday.md", 1, march(15)), ("sub/b.txt", 1, march(15))]
    assert utc["core.seed_files"] == [("monday.md", march(15))]
    assert utc["analytics.story_members"] == [
        ("https://news.example.org/recycling", march(15)), ("https://news.example.org/robots", march(10)),
        ("https://www.exampletimes.com/news/one?id=7", march(9)),
    ]
    assert utc["analytics.related_coverage"] == [
        ("Folding, explained", march(9), march(9)), ("Laundry robots arrive", march(9), march(10)),
    ]
    # grouped by the UTC date, a client on Los Angeles time counts the weeks the mart counts
    weeks = [(march(8), 2), (march(15), 1)]
    assert read(warehouse, WEEKS_BY_DATE, LOS_ANGELES) == read(warehouse, WEEKS_OF_THE_MART, LOS_ANGELES) == weeks
    # which the timestamps, read on that time zone, do not: Monday's article falls on Sunday
    assert read(warehouse, WEEKS_BY_DATE.replace("published_date", "published_at"), LOS_ANGELES) == [(march(8), 3)]
    assert read(warehouse, "select published_at::date from core.articles where source_path = 'monday.md'", LOS_ANGELES) == [
        (march(14),)
    ]


@pytest.mark.slow
def test_an_incremental_build_keeps_the_keys(tmp_path, warm_ge):
    """A build that re-parses one changed file publishes the same keys as the first."""
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    path = tmp_path / "seedhouse.duckdb"
    assert run_build(seeds, path, ge=warm_ge).published
    first = declared_keys(path)
    (seeds / "a.md").write_bytes(TINY_SEEDS["a.md"].replace(b"heat: -1", b"heat: 5"))
    incremental = run_build(seeds, path, ge=warm_ge)
    assert (incremental.published, incremental.parsed, incremental.reused) == (True, 1, 8)
    assert read(path, "select heat from core.articles where source_path = 'a.md'") == [(5,)]
    assert declared_keys(path) == first == KEYS


def test_key_indexes_leave_memory_past_the_threshold(tmp_path, monkeypatch):
    """DuckDB cannot spill key indexes: past `INDEX_MEMORY_BYTES` the build's file is checkpointed
    and attached again, and the keys hold as before (an insert loads the index it checks)."""
    from pipeline import warehouse

    held = "select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory() where tag = 'ART_INDEX'"
    parent = Keys(primary_key=("id",), not_null=("id",))
    child = Keys(foreign_keys=(ForeignKey("parent_id", "core.parent", "id"),))
    with connect(tmp_path / "build.duckdb") as con:
        con.execute("create schema core")
        create_table(con, "core.parent", "select range::varchar as id from range(100000)", parent)
        assert con.execute(held).fetchone()[0] > 0  # under the threshold: kept
        monkeypatch.setattr(warehouse, "INDEX_MEMORY_BYTES", 0)
        create_table(con, "core.child", "select (range % 1000)::varchar as parent_id from range(200000)", child)
        assert con.execute(held).fetchone() == (0,)
        assert con.execute("select current_database(), count(*) from core.child").fetchone() == ("seedhouse", 200000)
        with pytest.raises(duckdb.ConstraintException, match="foreign key constraint"):
            con.execute("insert into core.child values ('no such parent')")
        with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):
            con.execute("insert into core.parent values ('7')")
