"""The warehouse built by the real Dagster graph from the hand-written TINY_SEEDS: exact rows."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from pipeline.catalog import TABLES
from pipeline.warehouse import Warehouse
from tests.conftest import article_key, query

A_URL = "https://www.exampletimes.com/news/one?id=7"
B_URL = "https://news.example.org/robots"
A, B = article_key(A_URL), article_key(B_URL)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_ledger_accounts_for_every_file(tiny_warehouse):
    rows = query(
        tiny_warehouse,
        "select source_path, status, article_id, error_kind, error_message, error_line "
        "from core.seed_files order by source_path",
    )
    assert rows == [
        ("a.md", "loaded", A, None, None, None),
        ("c.md", "duplicate", A, None, f"same article as a.md (canonical URL {A_URL})", None),
        ("d.md", "quarantined", None, "no_front_matter", "the file does not start with a '---' front matter line", 1),
        (
            "e.md",
            "quarantined",
            None,
            "unterminated_front_matter",
            "the front matter opened with '---' on line 1 is never closed by a '---' line",
            None,
        ),
        (
            "f.md",
            "quarantined",
            None,
            "missing_field",
            "no title: an article needs a non-empty 'title' (this file has 'name': a profile, "
            "event or project page rather than a news item)",
            None,
        ),
        ("g.md", "quarantined", None, "invalid_url", "the URL javascript:alert(1) is not an http(s) URL", None),
        ("h.md", "quarantined", None, "not_a_mapping", "the front matter is a list, expected 'key: value' pairs", None),
        (
            "i.md",
            "quarantined",
            None,
            "yaml_error",
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 3)",
            4,
        ),
        ("sub/b.txt", "loaded", B, None, None, None),
    ]


def test_articles_are_typed_and_canonicalised(tiny_warehouse):
    rows = query(
        tiny_warehouse,
        "select article_id, source_path, title, web_url, canonical_url, published_at, quality, heat, "
        "is_published, provider_id, provider_name, secured, extra, amp_url from core.articles order by source_path",
    )
    assert rows == [
        (
            A,
            "a.md",
            "Robots learn to fold laundry",
            "HTTPS://WWW.ExampleTimes.com:443/news/one/?utm_source=tw&id=7#top",
            A_URL,
            utc(2021, 3, 9, 8, 0),  # +02:00 converted to UTC
            42,  # written as the string "42"
            None,  # heat -1: not measured
            False,
            "exampletimes.com",
            "Example Times",
            "opaque;token==",
            None,  # ampWebUrl is modelled now: amp_url
            "https://www.exampletimes.com/amp/news/one",
        ),
        (
            B,
            "sub/b.txt",
            "Laundry robots arrive",
            B_URL,
            B_URL,
            utc(2021, 3, 10),  # a date-only value is midnight UTC
            None,
            12,
            True,  # `published: yes`
            "news.example.org",
            "Example News",
            None,
            None,
            None,
        ),
    ]


def test_topics_are_trimmed_and_deduplicated_per_article(tiny_warehouse):
    assert query(tiny_warehouse, "select article_id, topic, ordinal from core.article_topics order by all") == sorted(
        [(A, "AI", 1), (A, "No", 2), (A, "Machine Learning", 3), (B, "Robotics", 1)]
    )


def test_images_and_providers(tiny_warehouse):
    assert query(tiny_warehouse, "select * from core.article_images") == [
        (A, 1, "https://img.exampletimes.com/1.jpg", 1200, 630, None)
    ]
    assert query(tiny_warehouse, "select * from core.providers order by provider_id") == [
        ("exampletimes.com", "Example Times", "exampletimes.com", "exampletimes.com"),
        ("nature.com", "Nature", "nature.com", "nature.com"),
        ("news.example.org", "Example News", "news.example.org", "example.org"),
    ]


def test_related_links_resolve_to_corpus_articles(tiny_warehouse):
    rows = query(
        tiny_warehouse,
        "select article_id, ordinal, canonical_url, published_at, provider_id, quality, target_article_id "
        "from core.related_links order by ordinal",
    )
    assert rows == [
        (A, 1, B_URL, utc(2021, 3, 10, 12), "news.example.org", 30, B),
        (A, 2, "https://www.nature.com/articles/x1", utc(2021, 3, 9, 9), "nature.com", 37, None),
    ]


def test_marts_on_the_tiny_seeds(tiny_warehouse):
    assert query(
        tiny_warehouse,
        "select provider_id, n_articles, share_of_articles, n_topics, n_links_out, n_links_in "
        "from analytics.provider_stats order by provider_id",
    ) == [
        ("exampletimes.com", 1, 0.5, 3, 2, 0),
        ("nature.com", 0, 0.0, 0, 0, 1),
        ("news.example.org", 1, 0.5, 1, 0, 1),
    ]
    assert query(tiny_warehouse, "select * from analytics.provider_links order by all") == [
        # "Folding, explained" is only on the topic of "Robots learn to fold laundry": a topical link
        ("exampletimes.com", "nature.com", False, 0, 0, None, 1),
        ("exampletimes.com", "news.example.org", False, 1, 1, 28.0, 0),
    ]
    # a.md and its related b.txt (in the corpus: "Laundry robots arrive", the same story) are one
    # story, the topical nature.com item is not in it; b.txt speaks for itself (2021-03-10,
    # midnight), not a.md's mention of it (12:00): 08:00 -> 00:00 next day
    assert query(
        tiny_warehouse,
        "select story_id, n_items, n_articles, n_providers, provider_ids, span_hours from analytics.stories",
    ) == [(min(A, B), 2, 2, 2, ["exampletimes.com", "news.example.org"], 16.0)]
    assert query(tiny_warehouse, "select * from analytics.topic_pairs order by all") == [
        ("AI", "Machine Learning", 1, 2.0, 1.0),
        ("AI", "No", 1, 2.0, 1.0),
        ("Machine Learning", "No", 1, 2.0, 1.0),
    ]
    assert query(tiny_warehouse, "select topic, month_date::varchar, n_articles from analytics.topic_trends order by all") == [
        ("AI", "2021-03-01", 1),
        ("Machine Learning", "2021-03-01", 1),
        ("No", "2021-03-01", 1),
        ("Robotics", "2021-03-01", 1),
    ]


def test_every_table_and_column_is_documented_and_matches_the_catalog(tiny_warehouse):
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        for table in TABLES:
            schema, name = table.schema, table.short_name
            catalog = "duckdb_views() where schema_name = ? and view_name = ?" if table.view else (
                "duckdb_tables() where schema_name = ? and table_name = ?"
            )
            assert con.execute(f"select comment from {catalog}", [schema, name]).fetchall() == [(table.description,)]
            columns = con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
            assert columns == list(table.columns.items()), table.name


def test_every_model_has_its_descriptions_beside_it_and_every_phrase_is_used():
    """Each core and analytics SQL file has its YAML beside it, listed in warehouse/tables.yml (a
    model left out would be neither built nor documented); the shared phrases are all in use, and
    a phrase that does not exist stops the catalog instead of reaching a COMMENT."""
    import re

    import pytest

    from pipeline import catalog
    from pipeline.paths import SQL_DIR, model_path

    models = {f"{path.parent.name}.{path.stem}" for schema in ("core", "analytics") for path in (SQL_DIR / schema).glob("*.sql")}
    assert {table.name for table in TABLES} == models
    assert all(model_path(t.schema, t.short_name, ".yml").is_file() for t in TABLES)
    written = "".join(path.read_text() for path in catalog.FILES if path != catalog.PHRASES_PATH)
    phrases = catalog._read(catalog.PHRASES_PATH)
    assert {name for name in re.findall(r"\{([a-z_0-9]+)\}", written)} == set(phrases)
    with pytest.raises(catalog.CatalogError, match="no phrase {nonesuch}"):
        catalog._text("{nonesuch}", phrases, "a table")


def test_published_file_has_no_staging_and_opens_in_older_duckdb_storage(tiny_warehouse):
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        schemas = {row[0] for row in con.execute("select schema_name from duckdb_tables()").fetchall()}
        views = {row[0] for row in con.execute("select schema_name || '.' || view_name from duckdb_views() where not internal").fetchall()}
        assert views == {"analytics.article_details", "analytics.related_coverage"}
        assert schemas == {"core", "analytics", "quality"}
        storage = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'seedhouse'"
        ).fetchone()
        assert storage == ("v1.4.0+",)
    assert list((Warehouse(tiny_warehouse).builds_dir).iterdir()) == []


def test_the_warehouse_docs_are_current(sample_warehouse):
    """docs/warehouse.md comes from the catalog and from worked queries on the sample seeds;
    regenerate it with `seedhouse build && python -m pipeline.docs`."""
    from pipeline.docs import DOCS_PATH, render

    assert DOCS_PATH.read_text() == render(sample_warehouse)


def test_a_model_in_steps_leaves_no_temporary_tables(tiny_warehouse, tmp_path):
    """analytics.story_members is built in steps through temporary tables (to bound memory); the
    table comes out the same and the steps' tables are gone afterwards."""
    import shutil

    from pipeline.catalog import BY_NAME
    from pipeline.warehouse import build_model, connect

    scratch = tmp_path / "scratch.duckdb"
    shutil.copyfile(tiny_warehouse, scratch)
    with connect(scratch) as con:
        before = con.execute("select * from analytics.story_members order by all").fetchall()
        assert build_model(con, BY_NAME["analytics.story_members"]) == 2
        assert con.execute("select * from analytics.story_members order by all").fetchall() == before
        assert con.execute("select table_name from duckdb_tables() where temporary").fetchall() == []


def test_build_files_are_written_in_row_groups_of_32768_rows(tmp_path):
    """DuckDB parallelises a scan and an insert by row group: a build's files use 32,768-row
    groups, so a table of 100,000 rows is four groups (one at DuckDB's default of 122,880)."""
    from pipeline.warehouse import ROW_GROUP_SIZE, attach, connect

    assert ROW_GROUP_SIZE == 32_768
    with connect(tmp_path / "build.duckdb") as con:
        attach(con, tmp_path / "staging.duckdb", "staging")
        assert con.execute("select current_database()").fetchone() == ("seedhouse",)
        for name in ("main.numbers", "staging.numbers"):
            con.execute(f"create table {name} as select range as n from range(100000)")
            groups = con.execute(f"select count(distinct row_group_id) from pragma_storage_info('{name}')").fetchone()
            assert groups == (4,), name
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), sum(n) from numbers").fetchone() == (100000, 4999950000)


def test_every_file_a_build_connection_attaches_takes_its_storage_version(tmp_path):
    """The storage version is the connection's: staging, and the copy of the parse cache an
    incremental build re-attaches, are written in it as well as the build file."""
    from pipeline.warehouse import attach, connect

    with connect(tmp_path / "build.duckdb", storage_version="v1.0.0") as con:
        attach(con, tmp_path / "staging.duckdb", "staging")
        versions = con.execute(
            "select database_name, tags['storage_version'] from duckdb_databases() "
            "where database_name in ('seedhouse', 'staging') order by all"
        ).fetchall()
    assert versions == [("seedhouse", "v1.0.0+"), ("staging", "v1.0.0+")]
