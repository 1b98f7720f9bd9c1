"""No single seed blocks every publish, and no seed multiplies the warehouse.

Each value below once stopped a build from publishing: publish times DuckDB reads but nothing
downstream can hold (infinity, BC dates, year 99999) crashed the checks' samples; an archive's
file modification time (1970, 1980) made every article of its file implausible; a URL with a
tab in front failed a critical check. One seeds folder holds one seed of each beside good ones,
and its build must publish with exact values. A second folder is the amplification input: ten
seeds of 1,000 topics and 1,000 related items (once 23 million rows of analytics.topic_attention)
and ten seeds at the new limits, with exact row counts.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from itertools import count
from pathlib import Path

import pytest

from pipeline.build import run_build
from pipeline.parse import Limits, SeedError, front_matter_fields
from pipeline.urls import canonical_url, canonicalise_many
from pipeline.warehouse import connect
from tests.conftest import article_key, query, write_seeds

_NUMBER = count(1)


def seed(url: str, published: str | None = None, *, title: str | None = None, lines: str = "") -> bytes:
    """A seed whose URL and title are written double-quoted (YAML escapes such as \\t work)."""
    title = title or f"Article number {next(_NUMBER)}"
    text = f'---\ntitle: "{title}"\nwebUrl: "{url}"\n'
    if published is not None:
        text += f"publishedDateTime: '{published}'\n"
    return (text + lines + "---\n").encode()


def related(*items: tuple[str, str | None]) -> str:
    out = "related:\n"
    for url, published in items:
        out += f'  - webUrl: "{url}"\n'
        if published is not None:
            out += f"    publishedDateTime: '{published}'\n"
    return out


# file modification times: tar's and SOURCE_DATE_EPOCH's 1970, zip's 1980, a wrong clock's 2100, a real one
EPOCH, ZIP_EPOCH, YEAR_2100, YEAR_2020 = 0, 315532800, 4102444800, 1577836800

BAD: dict[str, bytes] = {
    "good-1.md": seed(
        "https://good.example.com/1", "2021-03-09T10:00:00Z", title="A good article",
        lines="provider:\n  name: Good News\n  domain: good.example.com\ntopics: [AI]\n"
        + related(("https://other.example.org/r1", "2021-03-10T00:00:00Z")),
    ),
    "good-2.md": seed("https://good.example.com/2", "2022-06-01"),
    # publish times DuckDB's cast reads, which no Python datetime holds
    "date-infinity.md": seed("https://dates.example.com/inf", "infinity"),
    "date-minus-infinity.md": seed("https://dates.example.com/minus-inf", "-infinity"),
    "date-99999.md": seed("https://dates.example.com/99999", "99999-01-01T00:00:00Z"),
    "date-bc.md": seed("https://dates.example.com/bc", "0044-03-15 (BC)"),
    "date-bc-iso.md": seed("https://dates.example.com/bc-iso", "-0044-03-15"),
    # the edges of what published_at keeps: implausible, but stored
    "date-year-1.md": seed("https://dates.example.com/1", "0001-01-01T00:00:00Z"),
    "date-year-9999.md": seed("https://dates.example.com/9999", "9999-12-31T23:59:59Z"),
    # the same times on related items
    "related-dates.md": seed(
        "https://related.example.com/a", "2021-05-05T00:00:00Z",
        lines=related(
            ("https://rel.example.net/1", "infinity"),
            ("https://rel.example.net/2", "-infinity"),
            ("https://rel.example.net/3", "99999-01-01T00:00:00Z"),
            ("https://rel.example.net/4", "0044-03-15 (BC)"),
            ("https://rel.example.net/5", "2021-05-06T00:00:00Z"),
            ("https://rel.example.net/6", "soon"),
            ("\\thttps://rel.example.net/7\\n", None),
        ),
    ),
    # file modification times (set below): 1980 (zip), 1970 (tar, SOURCE_DATE_EPOCH), 2100 (a
    # wrong clock), and a real one older than the article
    "mtime-1980.md": seed(
        "https://mtime.example.com/1980", "2021-01-01T00:00:00Z",
        lines=related(("https://rel.example.net/1980", "2021-01-02T00:00:00Z")),
    ),
    "mtime-1970.md": seed("https://mtime.example.com/1970", "2020-01-01T00:00:00Z"),
    "mtime-2100.md": seed("https://mtime.example.com/2100", "2090-01-01T00:00:00Z"),
    "mtime-2020.md": seed("https://mtime.example.com/2020", "2021-01-01T00:00:00Z"),
    # white space around URLs and text
    "url-tab.md": seed("\\thttps://tab.example.com/a", "2021-02-01"),
    "url-newlines.md": seed("\\r\\nHTTPS://NL.Example.com/b/?utm_source=x\\n", "2021-02-01"),
    "url-unicode-spaces.md": seed("\\u00a0\\u2028https://uni.example.com/c\\u3000\\u0085", "2021-02-01"),
    "url-python-path.md": seed("\\t https://py.example.com/caf%C3%A9?b=1#top \\n", "2021-02-01"),
    "text-spaces.md": seed(
        "https://text.example.com/d", "2021-02-01", title="\\t Spaced title \\n",
        lines='topics: ["\\tAI\\n", " AI", "\\u3000Robotics\\u00a0"]\n',
    ),
    # an image size past an integer's range
    "image-huge.md": seed(
        "https://img.example.com/e", "2021-02-01",
        lines="images:\n  - url: https://img.example.com/e.jpg\n    width: 99999999999\n    height: 600\n",
    ),
    # control characters in outlet names and keys: the coverage network must still be XML
    "control-outlet.md": seed(
        "https://acme.example.com/f", "2021-03-09T12:00:00Z",
        lines='provider:\n  name: "Acme\\x01 News\\x0b"\n  domain: acme.example.com\n'
        'related:\n  - webUrl: https://good.example.com/1\n    publishedDateTime: 2021-03-09T10:00:00Z\n'
        '  - webUrl: https://ctl.example.com/g\n    provider:\n      name: "Ctl\\x1f Outlet"\n'
        '      domain: "ctl\\x01.example.com"\n',
    ),
    # quarantined, for contrast: a control character is not white space, and the new limits
    "url-control.md": seed("\\x01https://ctl.example.com/h", "2021-02-01"),
    "too-many-topics.md": seed(
        "https://limits.example.com/t", lines="topics:\n" + "".join(f"  - t{i}\n" for i in range(101))
    ),
    "too-many-related.md": seed(
        "https://limits.example.com/r",
        lines=related(*((f"https://limits.example.com/r/{i}", None) for i in range(201))),
    ),
}

MTIMES = {"mtime-1980.md": ZIP_EPOCH, "mtime-1970.md": EPOCH, "mtime-2100.md": YEAR_2100, "mtime-2020.md": YEAR_2020}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory, warm_ge):
    root = write_seeds(tmp_path_factory.mktemp("bad_values"), BAD)
    for name, mtime in MTIMES.items():
        os.utime(root / name, (mtime, mtime))
    warehouse = tmp_path_factory.mktemp("bad_values_wh") / "seedhouse.duckdb"
    return run_build(root, warehouse, ge=warm_ge), warehouse


def test_the_build_publishes_with_only_warnings(bad_build):
    report, _ = bad_build
    assert (report.published, report.errors) == (True, [])
    assert sorted((f.table, f.check_name, f.severity, f.unexpected_count) for f in report.failed_checks) == [
        ("core.articles", "between__published_at", "warning", 3),  # the years 1, 2090 and 9999
        ("core.articles", "not_in_set__date_status", "warning", 9),  # 9 of 21 articles undateable
        ("core.providers", "match_regex__provider_id", "warning", 1),  # ctl\x01.example.com
        ("core.seed_files", "not_in_set__news_status", "warning", 3),  # 3 of 24 files quarantined
    ]


def test_ledger(bad_build):
    _, warehouse = bad_build
    rows = query(warehouse, "select source_path, status, error_kind, error_message from core.seed_files order by 1")
    quarantined = {path: (kind, message) for path, status, kind, message in rows if status != "loaded"}
    assert quarantined == {
        "too-many-related.md": ("limit_exceeded", "'related' has 201 items, over 200 (max_related)"),
        "too-many-topics.md": ("limit_exceeded", "'topics' has 101 items, over 100 (max_topics)"),
        "url-control.md": ("invalid_url", "the URL \x01https://ctl.example.com/h is not an http(s) URL"),
    }
    assert len(rows) == len(BAD)


def test_publish_times_dates_and_statuses(bad_build):
    _, warehouse = bad_build
    got = dict(
        (path, (published_at, status))
        for path, published_at, status in query(
            warehouse, "select source_path, published_at, date_status from core.articles"
        )
    )
    assert got == {
        "good-1.md": (utc(2021, 3, 9, 10), "dated"),
        "good-2.md": (utc(2022, 6, 1), "dated"),
        # not storable: NULL, and implausible because a time was written
        "date-infinity.md": (None, "implausible"),
        "date-minus-infinity.md": (None, "implausible"),
        "date-99999.md": (None, "implausible"),
        "date-bc.md": (None, "implausible"),
        "date-bc-iso.md": (None, "implausible"),
        # storable, implausible
        "date-year-1.md": (utc(1, 1, 1), "implausible"),
        "date-year-9999.md": (utc(9999, 12, 31, 23, 59, 59), "implausible"),
        "related-dates.md": (utc(2021, 5, 5), "dated"),
        # an archive's modification time is no writing time: the build's start bounds these
        "mtime-1980.md": (utc(2021, 1, 1), "dated"),
        "mtime-1970.md": (utc(2020, 1, 1), "dated"),
        # a modification time in the future does not let a future date pass
        "mtime-2100.md": (utc(2090, 1, 1), "implausible"),
        # a plausible modification time still bounds its articles
        "mtime-2020.md": (utc(2021, 1, 1), "implausible"),
        "url-tab.md": (utc(2021, 2, 1), "dated"),
        "url-newlines.md": (utc(2021, 2, 1), "dated"),
        "url-unicode-spaces.md": (utc(2021, 2, 1), "dated"),
        "url-python-path.md": (utc(2021, 2, 1), "dated"),
        "text-spaces.md": (utc(2021, 2, 1), "dated"),
        "image-huge.md": (utc(2021, 2, 1), "dated"),
        "control-outlet.md": (utc(2021, 3, 9, 12), "dated"),
    }
    assert query(
        warehouse,
        "select n_dated_articles, n_missing_date, n_implausible_date, first_published_at, last_published_at "
        "from analytics.corpus_summary",
    ) == [(12, 0, 9, utc(2020, 1, 1), utc(2022, 6, 1))]


def test_related_items_publish_times(bad_build):
    _, warehouse = bad_build
    rows = query(
        warehouse,
        "select links.ordinal, links.web_url, links.canonical_url, links.published_at, links.date_status "
        "from core.related_links as links join core.articles using (article_id) "
        "where source_path in ('related-dates.md', 'mtime-1980.md') order by source_path, ordinal",
    )
    assert rows == [
        (1, "https://rel.example.net/1980", "https://rel.example.net/1980", utc(2021, 1, 2), "dated"),
        (1, "https://rel.example.net/1", "https://rel.example.net/1", None, "implausible"),
        (2, "https://rel.example.net/2", "https://rel.example.net/2", None, "implausible"),
        (3, "https://rel.example.net/3", "https://rel.example.net/3", None, "implausible"),
        (4, "https://rel.example.net/4", "https://rel.example.net/4", None, "implausible"),
        (5, "https://rel.example.net/5", "https://rel.example.net/5", utc(2021, 5, 6), "dated"),
        (6, "https://rel.example.net/6", "https://rel.example.net/6", None, "missing"),
        (7, "https://rel.example.net/7", "https://rel.example.net/7", None, "missing"),
    ]
    # the marts that put related times side by side with articles' times
    assert query(
        warehouse,
        "select ordinal, lag_hours from analytics.related_coverage where article_id = ? order by ordinal",
        [article_key("https://related.example.com/a")],
    ) == [(1, None), (2, None), (3, None), (4, None), (5, 24.0), (6, None), (7, None)]


def test_urls_and_text_lose_the_white_space_around_them(bad_build):
    _, warehouse = bad_build
    rows = query(
        warehouse,
        "select source_path, web_url, canonical_url, article_id from core.articles "
        "where source_path like 'url-%' or source_path = 'text-spaces.md' order by 1",
    )
    assert rows == [
        ("text-spaces.md", "https://text.example.com/d", "https://text.example.com/d",
         article_key("https://text.example.com/d")),
        ("url-newlines.md", "HTTPS://NL.Example.com/b/?utm_source=x", "https://nl.example.com/b",
         article_key("https://nl.example.com/b")),
        ("url-python-path.md", "https://py.example.com/caf%C3%A9?b=1#top", "https://py.example.com/caf%C3%A9?b=1",
         article_key("https://py.example.com/caf%C3%A9?b=1")),
        ("url-tab.md", "https://tab.example.com/a", "https://tab.example.com/a", article_key("https://tab.example.com/a")),
        ("url-unicode-spaces.md", "https://uni.example.com/c", "https://uni.example.com/c",
         article_key("https://uni.example.com/c")),
    ]
    assert query(
        warehouse,
        "select title, topics from analytics.article_details where canonical_url = 'https://text.example.com/d'",
    ) == [("Spaced title", ["AI", "Robotics"])]
    assert query(warehouse, "select name from core.providers where provider_id = 'acme.example.com'") == [
        ("Acme\x01 News",)  # the vertical tab after it is white space; \x01 is not
    ]


def test_an_image_size_past_an_integers_range_is_null(bad_build):
    _, warehouse = bad_build
    assert query(
        warehouse,
        "select url, width, height from core.article_images where article_id = ?",
        [article_key("https://img.example.com/e")],
    ) == [("https://img.example.com/e.jpg", None, 600)]


def test_a_topic_is_zero_filled_between_its_first_and_last_period_only(bad_build):
    """AI: 2021-02-01 (text-spaces.md) and 2021-03-09 (good-1.md); Robotics: 2021-02-01 only.
    The corpus runs from 2020-01-01 to 2022-06-01, and no topic has a row outside its span."""
    _, warehouse = bad_build
    got = query(
        warehouse,
        "select topic, grain, count(*), sum(n_articles), min(period_start), max(period_start) "
        "from analytics.topic_attention group by all order by all",
    )
    assert got == [
        ("AI", "day", 37, 2, date(2021, 2, 1), date(2021, 3, 9)),
        ("AI", "month", 2, 2, date(2021, 2, 1), date(2021, 3, 1)),
        ("AI", "week", 6, 2, date(2021, 2, 1), date(2021, 3, 8)),
        ("Robotics", "day", 1, 1, date(2021, 2, 1), date(2021, 2, 1)),
        ("Robotics", "month", 1, 1, date(2021, 2, 1), date(2021, 2, 1)),
        ("Robotics", "week", 1, 1, date(2021, 2, 1), date(2021, 2, 1)),
    ]
    days = (date(2022, 6, 1) - date(2020, 1, 1)).days + 1
    assert query(warehouse, "select count(*) from analytics.article_volume") == [(30 + 127 + days,)]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_the_coverage_network_is_xml_whatever_the_outlet_names_hold(bad_build, tmp_path, fmt):
    from pipeline.graph import export_graph

    _, warehouse = bad_build
    out = tmp_path / f"coverage.{fmt}"
    export_graph(warehouse, out, fmt)
    root = ET.parse(out).getroot()  # raises on characters XML 1.0 forbids
    ids = {element.get("id") for element in root.iter() if element.tag.endswith("}node")}
    assert {"acme.example.com", "ctl.example.com", "good.example.com"} <= ids
    text = out.read_text(encoding="utf-8")
    assert "Acme News" in text and "Ctl Outlet" in text
    assert not any(c in text for c in "\x01\x0b\x1f")


def test_node_ids_that_only_differ_in_stripped_characters_stay_apart():
    from pipeline.graph import _NodeIds, xml_text

    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\uffffh\ti\nj\rk\U0001f600") == "abcdefgh\ti\nj\rk\U0001f600"
    ids = _NodeIds(["a\x01.com", "a.com", "a\x02.com"])
    assert [ids("a\x01.com"), ids("a.com"), ids("a\x02.com"), ids("b\x01.com")] == ["a.com~2", "a.com", "a.com~3", "b.com"]


# -- the typing macros on their own -------------------------------------------------------------

_SQL = connect(Path(":memory:"))

WHITE_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_WHITE_SPACE = "\x00\x01\x08\x0e\x7f\u180e\u200b\u200d\u2060\ufeffa\u00e9\u4e2d"


def test_trimmed_strips_what_python_strips():
    assert "".join(c for c in map(chr, range(0x3001)) if c.strip() == "") == WHITE_SPACE
    values = [f"{w}x{w}" for w in WHITE_SPACE + NOT_WHITE_SPACE]
    values += [WHITE_SPACE + "a b" + WHITE_SPACE, "", " ", "\t\n", "no change", "a\tb", "long " * 1000 + "\n"]
    got = [row[0] for row in _SQL.execute("select trimmed(unnest(?))", [values]).fetchall()]
    assert got == [v.strip() for v in values]
    assert _SQL.execute("select raw_text(?), raw_text(?), raw_text(null)", ["\t~\n", "\u3000null\r\n"]).fetchall() == [
        (None, None, None)
    ]


def test_canonicalise_many_strips_white_space_first():
    urls = ["\thttps://a.example.com/x\n", "\u00a0https://a.example.com/x\u2029", "\x01https://a.example.com/x"]
    assert canonicalise_many(urls) == (
        ["https://a.example.com/x", "https://a.example.com/x", None],
        ["a.example.com", "a.example.com", None],
    )
    assert canonical_url("\u3000https://b.example.com/\u0085") == "https://b.example.com/"


@pytest.mark.parametrize(
    ("written", "latest", "stored", "status"),
    [
        ("2021-03-09T10:00:00+02:00", "2022-01-01", utc(2021, 3, 9, 8), "dated"),
        ("2022-01-01T23:00:00Z", "2022-01-01", utc(2022, 1, 1, 23), "dated"),  # within the day's slack
        ("2022-01-02T00:00:01Z", "2022-01-01", utc(2022, 1, 2, 0, 0, 1), "implausible"),
        ("1989-12-31T23:59:59Z", "2022-01-01", utc(1989, 12, 31, 23, 59, 59), "implausible"),
        ("infinity", "2022-01-01", None, "implausible"),
        ("-infinity", "2022-01-01", None, "implausible"),
        ("99999-01-01T00:00:00Z", "2022-01-01", None, "implausible"),
        ("10000-01-01", "2022-01-01", None, "implausible"),
        ("0044-03-15 (BC)", "2022-01-01", None, "implausible"),
        ("0000-01-01", "2022-01-01", None, "implausible"),  # the year 1 BC
        ("0001-01-01T00:00:00Z", "2022-01-01", utc(1, 1, 1), "implausible"),
        ("9999-12-31T23:59:59.999999Z", "2022-01-01", utc(9999, 12, 31, 23, 59, 59, 999999), "implausible"),
        ("yesterday", "2022-01-01", None, "missing"),
        ("1585850700", "2022-01-01", None, "missing"),
        (None, "2022-01-01", None, "missing"),
    ],
)
def test_publish_time_typing(written, latest, stored, status):
    assert _SQL.execute(
        "select parse_timestamp(?), date_status(cast_timestamp(?), ?::timestamptz)", [written, written, latest]
    ).fetchall() == [(stored, status)]


@pytest.mark.parametrize(
    ("written_at", "latest"),
    [
        ("2021-06-01", "2021-06-01"),  # a plausible modification time
        ("1990-01-01", "1990-01-01"),
        ("1989-12-31 23:59:59", "2030-01-01"),  # before 1990: the build's start
        ("1980-01-01", "2030-01-01"),  # zip
        ("1970-01-01", "2030-01-01"),  # tar, SOURCE_DATE_EPOCH
        ("2100-01-01", "2030-01-01"),  # after the build started: the build's start
        (None, "2030-01-01"),
    ],
)
def test_latest_publish_time(written_at, latest):
    assert _SQL.execute(
        "select latest_publish_time(?::timestamptz, timestamptz '2030-01-01 00:00:00+00') = ?::timestamptz",
        [written_at, latest],
    ).fetchall() == [(True,)]


# -- limits ---------------------------------------------------------------------------------------


def test_topic_and_related_limits_name_themselves():
    assert (Limits().max_topics, Limits().max_related) == (100, 200)
    fields = front_matter_fields({"topics": ["t"] * 100, "related": [{"webUrl": "https://x.example.com/"}] * 200})
    assert (len(fields["topics"]), len(fields["related"])) == (100, 200)
    for meta, message in [
        ({"topics": ["t"] * 101}, "'topics' has 101 items, over 100 (max_topics)"),
        ({"related": [{}] * 201}, "'related' has 201 items, over 200 (max_related)"),
        ({"topics": ["t"] * 1001}, "'topics' has 1001 items, over 1000 (max_list_items)"),
    ]:
        with pytest.raises(SeedError) as raised:
            front_matter_fields(meta)
        assert (raised.value.kind, raised.value.message) == ("limit_exceeded", message)
    with pytest.raises(SeedError, match=r"over 3 \(max_topics\)"):
        front_matter_fields({"topics": ["a", "b", "c", "d"]}, Limits(max_topics=3))


def test_the_limits_are_resource_fields():
    from pipeline.resources import SeedhouseResource

    assert SeedhouseResource().limits == Limits()
    limits = SeedhouseResource(max_topics=7, max_related=9).limits
    assert (limits.max_topics, limits.max_related) == (7, 9)


# -- bounded amplification ----------------------------------------------------------------------

AMP_YEARS = [1990, 1994, 1998, 2002, 2006, 2010, 2014, 2018, 2022, 2025]


def amplifying(i: int, n_topics: int, n_related: int, year: int) -> bytes:
    """A valid seed of many topics and related items (1,000 of each: about 120 KB)."""
    lines = ["---", f"title: Amplifier {i}", f"webUrl: https://amp.example.com/{i}",
             f"publishedDateTime: {year}-06-15T12:00:00Z", "provider:", "  domain: amp.example.com", "topics:"]
    lines += [f"  - topic {i}-{j}" for j in range(n_topics)]
    lines.append("related:")
    for j in range(n_related):
        lines += [f"  - title: Item {j}", f"    webUrl: https://rel{j % 20}.example.org/{i}/{j}",
                  f"    publishedDateTime: {year}-06-16T12:00:00Z"]
    return ("\n".join(lines) + "\n---\n").encode()


@pytest.fixture(scope="module")
def amplification(tmp_path_factory, warm_ge):
    seeds = {f"over-{i}.md": amplifying(i, 1_000, 1_000, 2000 + i) for i in range(10)}
    seeds |= {f"limit-{i}.md": amplifying(100 + i, 100, 200, year) for i, year in enumerate(AMP_YEARS)}
    root = write_seeds(tmp_path_factory.mktemp("amplification"), seeds)
    warehouse = tmp_path_factory.mktemp("amplification_wh") / "seedhouse.duckdb"
    return run_build(root, warehouse, ge=warm_ge), warehouse, root


def test_seeds_over_the_limits_are_quarantined(amplification):
    report, warehouse, root = amplification
    assert 110_000 < (root / "over-0.md").stat().st_size < 130_000
    assert (report.published, report.errors) == (True, [])
    assert query(
        warehouse, "select status, error_kind, error_message, count(*) from core.seed_files group by all order by all"
    ) == [
        ("loaded", None, None, 10),
        ("quarantined", "limit_exceeded", "'topics' has 1000 items, over 100 (max_topics)", 10),
    ]


def test_amplification_is_bounded(amplification):
    _, warehouse, _ = amplification
    counts = {
        name: query(warehouse, f"select count(*) from {name}")[0][0]
        for name in (
            "core.articles", "core.article_topics", "core.related_links", "core.providers",
            "analytics.article_volume", "analytics.topic_attention", "analytics.provider_attention",
            "analytics.topic_stats", "analytics.topic_trends", "analytics.topic_pairs",
            "analytics.story_members", "analytics.stories", "analytics.provider_links",
        )
    }
    first, last = date(1990, 6, 11), date(2025, 6, 9)  # the Mondays of the first and last article
    weeks, months = (last - first).days // 7 + 1, (2025 - 1990) * 12 + 1
    days = (date(2025, 6, 15) - date(1990, 6, 15)).days + 1  # from the first article's day to the last's
    assert (weeks, months, days) == (1827, 421, 12785)
    assert counts == {
        "core.articles": 10,
        "core.article_topics": 1_000,
        "core.related_links": 2_000,
        "core.providers": 21,  # amp.example.com and rel0..rel19.example.org
        "analytics.article_volume": days + weeks + months,
        # each topic over its own span: one day, one week and one month. Over the corpus's span it
        # would be 1,000 x 15,033 = 15 million rows; with the ten seeds of 1,000 topics loaded as
        # well (no max_topics), 11,000 x 15,033 = 165 million
        "analytics.topic_attention": 3_000,
        # one outlet, with news from the first period to the last: its span is the corpus's
        "analytics.provider_attention": days + weeks + months,
        "analytics.topic_stats": 1_000,
        "analytics.topic_trends": 1_000,
        "analytics.topic_pairs": 10 * 100 * 99 // 2,  # pairs within a seed: at most max_topics^2 / 2
        # the related items ("Item j") are not the amplifiers' story: only the ten articles are members
        "analytics.story_members": 10,
        "analytics.stories": 10,
        "analytics.provider_links": 20,
    }
    assert query(warehouse, "select sum(n_articles) from analytics.topic_attention") == [(3 * 1_000,)]
    assert query(warehouse, "select (select count(*) from core.articles where date_status = 'dated')") == [(10,)]


