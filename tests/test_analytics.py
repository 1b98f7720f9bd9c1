"""The analysts' marts on a seed set small enough to work out every expected row by hand.

Seventeen articles from seven outlets, January-February 2024 (ISO weeks start on Mondays:
2024-01-01, -08, -15, -22, -29 and 2024-02-05):

    alpha  A1 01-01 10:00  "Chip maker unveils new accelerator"  links B1, X1 (other.org)
           A2 01-15 09:00  no image                                 links G2, A3 (itself), an ftp item
           A3 02-05 08:00
           A4 no date                                               -> missing
    beta   B1 01-01 12:00  "Chip Maker Unveils New Accelerator!"  links A1   -> A1's syndication copy
    wire   W1 01-12 12:00  "CHIP MAKER UNVEILS NEW ACCELERATOR"   11 days after B1 -> its own group
    gamma  G1 2031-05-01   (after its file was written)             -> implausible
           G2 01-16 10:00
    delta  D1-D3 01-01, 01-02, 01-03                                -> stale (nothing for 5 weeks)
    eps    E1 01-01, E2 02-05, E3 02-06                             -> gappy (4 of 6 weeks silent)
    zeta   Z1 01-22, Z2 01-29, Z3 02-05; Z1 and Z2 without topics   -> healthy, seeds incomplete

Dated articles per week: 6, 1, 2, 1, 1, 4 (15 in all; A4 and G1 are undateable).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.conftest import article_key, built_warehouse, query, write_seeds


def seed(provider: str, title: str, published: str | None, *, url: str, type_: str = "article",
         topics: tuple[str, ...] = (), image: bool = True, related: tuple[dict, ...] = ()) -> bytes:
    lines = ["---", f'title: "{title}"', f"webUrl: {url}", f"type: {type_}", "provider:", f"  domain: {provider}"]
    if published:
        lines.append(f"publishedDateTime: {published}")
    if topics:
        lines += ["topics:"] + [f"  - {t}" for t in topics]
    if image:
        lines += ["images:", f"  - url: {url}/image.jpg"]
    if related:
        lines.append("related:")
        for item in related:
            lines.append(f"  - webUrl: {item['url']}")
            if "title" in item:
                lines.append(f'    title: "{item["title"]}"')
            if "published" in item:
                lines.append(f"    publishedDateTime: {item['published']}")
            if "provider" in item:
                lines += ["    provider:", f"      domain: {item['provider']}"]
    return ("\n".join(lines) + "\n---\n").encode()


U = {name: f"https://{host}/{name.lower()}" for name, host in (
    ("A1", "alpha.com"), ("A2", "alpha.com"), ("A3", "alpha.com"), ("A4", "alpha.com"),
    ("B1", "beta.com"), ("W1", "wire.com"), ("G1", "gamma.com"), ("G2", "gamma.com"), ("X1", "other.org"),
    *((f"D{i}", "delta.com") for i in (1, 2, 3)), *((f"E{i}", "eps.com") for i in (1, 2, 3)),
    *((f"Z{i}", "zeta.com") for i in (1, 2, 3)),
)}
ID = {name: article_key(url) for name, url in U.items()}

SEEDS = {
    "a1.md": seed("alpha.com", "Chip maker unveils new accelerator", "2024-01-01T10:00:00Z", url=U["A1"],
                  topics=("AI", "Chips"), related=(
                      {"url": U["B1"], "published": "2024-01-01T12:00:00Z", "provider": "beta.com",
                       "title": "Chip Maker Unveils New Accelerator!"},
                      {"url": U["X1"], "published": "2024-01-02T00:00:00Z", "provider": "other.org",
                       "title": "Chip maker unveils new accelerator, analysts react"})),
    "a2.md": seed("alpha.com", "Alpha weekly robotics roundup", "2024-01-15T09:00:00Z", url=U["A2"],
                  topics=("Robotics",), image=False, related=(
                      {"url": U["G2"], "published": "2024-01-16T10:00:00Z", "provider": "gamma.com",
                       "title": "Gamma on the Alpha weekly robotics roundup"},
                      {"url": U["A3"], "published": "2024-02-05T08:00:00Z", "provider": "alpha.com"},
                      {"url": "ftp://files.example/thread"})),
    "a3.md": seed("alpha.com", "Alpha looks back at chips", "2024-02-05T08:00:00Z", url=U["A3"], topics=("Chips",)),
    "a4.md": seed("alpha.com", "Undated explainer on neural networks", None, url=U["A4"], topics=("AI",)),
    "b1.md": seed("beta.com", "Chip Maker Unveils New Accelerator!", "2024-01-01T12:00:00Z", url=U["B1"],
                  topics=("AI",), related=({"url": U["A1"], "published": "2024-01-01T10:00:00Z", "provider": "alpha.com",
                                            "title": "Chip maker unveils new accelerator"},)),
    "w1.md": seed("wire.com", "CHIP MAKER UNVEILS NEW ACCELERATOR", "2024-01-12T12:00:00Z", url=U["W1"], topics=("Chips",)),
    "g1.md": seed("gamma.com", "Future model launched early", "2031-05-01T00:00:00Z", url=U["G1"], topics=("AI",)),
    "g2.md": seed("gamma.com", "Gamma covers the robotics fair", "2024-01-16T10:00:00Z", url=U["G2"], topics=("Robotics",)),
    **{f"d{i}.md": seed("delta.com", f"Delta on {('earnings', 'hiring', 'offices')[i - 1]}", f"2024-01-0{i}T12:00:00Z",
                        url=U[f"D{i}"], topics=("AI",))
       for i in (1, 2, 3)},
    **{f"e{i}.md": seed("eps.com", f"Eps reviews a {('laptop', 'phone', 'camera')[i - 1]}", when, url=U[f"E{i}"], topics=("Robotics",))
       for i, when in ((1, "2024-01-01T12:00:00Z"), (2, "2024-02-05T12:00:00Z"), (3, "2024-02-06T12:00:00Z"))},
    **{f"z{i}.md": seed("zeta.com", f"Zeta interviews a {('founder', 'banker', 'chemist')[i - 1]}", when, url=U[f"Z{i}"], topics=topics)
       for i, when, topics in ((1, "2024-01-22T12:00:00Z", ()), (2, "2024-01-29T12:00:00Z", ()),
                               (3, "2024-02-05T13:00:00Z", ("AI",)))},
}

WEEKS = [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22), date(2024, 1, 29), date(2024, 2, 5)]
MONTHS = [date(2024, 1, 1), date(2024, 2, 1)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, warm_ge):
    seeds = write_seeds(tmp_path_factory.mktemp("analytics_seeds"), SEEDS)
    return built_warehouse(seeds, tmp_path_factory.mktemp("analytics_wh"), warm_ge)


def test_date_status_and_syndication_groups_on_articles(warehouse):
    got = dict(query(warehouse, "select article_id, date_status from core.articles where date_status <> 'dated'"))
    assert got == {ID["A4"]: "missing", ID["G1"]: "implausible"}
    groups = query(warehouse, "select article_id, syndication_group_id from core.articles "
                              "where article_id <> syndication_group_id")
    assert groups == [(ID["B1"], ID["A1"])]  # W1 came 11 days after B1: more than 7, its own group
    assert query(warehouse, "select * from analytics.syndication_groups") == [(
        ID["A1"], "Chip maker unveils new accelerator", 2, 2, ["alpha.com", "beta.com"], "alpha.com",
        sorted([ID["A1"], ID["B1"]]), utc(2024, 1, 1, 10), utc(2024, 1, 1, 12), 2.0,
    )]


def test_corpus_summary_counts_everything_once(warehouse):
    (summary,) = query(warehouse, "select * from analytics.corpus_summary")
    assert summary == (
        17, 17, 0, 0, 0,  # files: found, loaded, duplicate, quarantined, withdrawn (removed)
        17, 0,  # items of every kind, items that are not news
        17, 15, 1, 1, 16, 7,  # articles, dated, missing date, implausible date, syndication groups, outlets with articles
        utc(2024, 1, 1, 10), utc(2024, 2, 6, 12),
        8, 3,  # outlets (other.org only as related coverage), topics
        6, 1, 4, 4,  # related links, to itself, between outlets, resolving to a corpus article
        15,  # stories: {A1, B1, X1}, {A2, G2} and 13 single articles
    )


def test_article_volume_is_zero_filled(warehouse):
    got = query(warehouse, "select grain, period_start, n_articles, n_syndication_groups from analytics.article_volume "
                           "where grain <> 'day'")
    # every day from the first dated article to the last: 2024-01-01 .. 2024-02-06
    assert query(warehouse, "select count(*), min(period_start), max(period_start), sum(n_articles) "
                            "from analytics.article_volume where grain = 'day'") == [(37, date(2024, 1, 1), date(2024, 2, 6), 15)]
    assert query(warehouse, "select period_start, n_articles from analytics.article_volume "
                            "where grain = 'day' and n_articles > 0 order by 1 limit 3") == [
        (date(2024, 1, 1), 4), (date(2024, 1, 2), 1), (date(2024, 1, 3), 1)]
    assert got == [
        ("month", MONTHS[0], 11, 10), ("month", MONTHS[1], 4, 4),
        ("week", WEEKS[0], 6, 5), ("week", WEEKS[1], 1, 1), ("week", WEEKS[2], 2, 2),
        ("week", WEEKS[3], 1, 1), ("week", WEEKS[4], 1, 1), ("week", WEEKS[5], 4, 4),
    ]


def test_topic_attention_weekly_and_monthly_with_zeros_and_shares(warehouse):
    got = query(warehouse, "select topic, grain, period_start, n_articles, n_syndication_groups, share_of_articles "
                           "from analytics.topic_attention where grain <> 'day'")
    expected = []
    weekly = {  # topic -> week index -> (articles, groups, share)
        "AI": {0: (5, 4, 0.833333), 5: (1, 1, 0.25)},  # A1 + B1 (one group), D1-D3; Z3. A4, G1 left out
        "Chips": {0: (1, 1, 0.166667), 1: (1, 1, 1.0), 5: (1, 1, 0.25)},
        "Robotics": {0: (1, 1, 0.166667), 2: (2, 2, 1.0), 5: (2, 2, 0.5)},
    }
    monthly = {
        "AI": [(5, 4, 0.454545), (1, 1, 0.25)],
        "Chips": [(2, 2, 0.181818), (1, 1, 0.25)],
        "Robotics": [(3, 3, 0.272727), (2, 2, 0.5)],
    }
    for topic in ("AI", "Chips", "Robotics"):
        expected += [(topic, "month", m, *monthly[topic][i]) for i, m in enumerate(MONTHS)]
        expected += [(topic, "week", w, *weekly[topic].get(i, (0, 0, 0.0))) for i, w in enumerate(WEEKS)]
    assert got == expected


def test_provider_attention_covers_every_outlet_with_articles(warehouse):
    got = query(warehouse, "select provider_id, period_start, n_articles, share_of_articles "
                           "from analytics.provider_attention where grain = 'week' and provider_id = 'alpha.com'")
    assert got == [
        ("alpha.com", WEEKS[0], 1, 0.166667), ("alpha.com", WEEKS[1], 0, 0.0), ("alpha.com", WEEKS[2], 1, 0.5),
        ("alpha.com", WEEKS[3], 0, 0.0), ("alpha.com", WEEKS[4], 0, 0.0), ("alpha.com", WEEKS[5], 1, 0.25),
    ]
    assert query(warehouse, "select provider_id, count(*), sum(n_articles) from analytics.provider_attention "
                            "where grain = 'month' group by all order by all") == [
        # each outlet over its own span: beta, delta, gamma and wire only published in January
        ("alpha.com", 2, 3), ("beta.com", 1, 1), ("delta.com", 1, 3), ("eps.com", 2, 3),
        ("gamma.com", 1, 1), ("wire.com", 1, 1), ("zeta.com", 2, 3),
    ]


def test_provider_health_rows_and_flags(warehouse):
    got = query(warehouse, "select * exclude (type_shares, gaps) from analytics.provider_health")
    w = WEEKS
    c = ["."]  # every seed sits at the root: one collection, which collected news every week
    assert got == [
        # id, n, dated, undateable, first, last, span, active, missing date/images/topics, collections,
        # collected weeks, gap weeks, collected weeks since last, collection's last week, longest gap,
        # per week, weeks since last, health, seed completeness
        ("alpha.com", 4, 3, 1, w[0], w[5], 6, 3, 0.25, 0.25, 0.0, c, 6, 3, 0, w[5], 2, 0.5, 0, "healthy", "complete"),
        ("delta.com", 3, 3, 0, w[0], w[0], 1, 1, 0.0, 0.0, 0.0, c, 1, 0, 5, w[5], 0, 3.0, 5, "stale", "complete"),
        ("eps.com", 3, 3, 0, w[0], w[5], 6, 2, 0.0, 0.0, 0.0, c, 6, 4, 0, w[5], 4, 0.5, 0, "gappy", "complete"),
        # missing topics make its seeds incomplete, which says nothing of how it publishes
        ("zeta.com", 3, 3, 0, w[3], w[5], 3, 3, 0.0, 0.0, 0.6667, c, 3, 0, 0, w[5], 0, 1.0, 0, "healthy", "incomplete"),
        ("gamma.com", 2, 1, 1, w[2], w[2], 1, 1, 0.5, 0.0, 0.0, c, 1, 0, 3, w[5], 0, 1.0, 3, "insufficient_data", "incomplete"),
        ("beta.com", 1, 1, 0, w[0], w[0], 1, 1, 0.0, 0.0, 0.0, c, 1, 0, 5, w[5], 0, 1.0, 5, "insufficient_data", "complete"),
        ("wire.com", 1, 1, 0, w[1], w[1], 1, 1, 0.0, 0.0, 0.0, c, 1, 0, 4, w[5], 0, 1.0, 4, "insufficient_data", "complete"),
    ]
    shares = dict(query(warehouse, "select provider_id, type_shares from analytics.provider_health"))
    assert shares["alpha.com"] == {"article": 1.0}
    gaps = dict(query(warehouse, "select provider_id, gaps from analytics.provider_health"))
    assert gaps["alpha.com"] == [{"gap_start": w[1], "n_weeks": 1}, {"gap_start": w[3], "n_weeks": 2}]
    assert gaps["eps.com"] == [{"gap_start": w[1], "n_weeks": 4}]
    assert gaps["delta.com"] == []


def test_link_metrics_keep_self_links_apart(warehouse):
    got = query(warehouse, "select * from analytics.provider_link_metrics")
    assert got == [
        # id, out, in, self, cross out, cross in, unknown outlet, outlets linked out, outlets linking in
        ("alpha.com", 5, 2, 1, 3, 1, 1, 3, 1),
        ("beta.com", 1, 1, 0, 1, 1, 0, 1, 1),
        ("gamma.com", 0, 1, 0, 0, 1, 0, 0, 1),
        ("other.org", 0, 1, 0, 0, 1, 0, 0, 1),
        ("delta.com", 0, 0, 0, 0, 0, 0, 0, 0),
        ("eps.com", 0, 0, 0, 0, 0, 0, 0, 0),
        ("wire.com", 0, 0, 0, 0, 0, 0, 0, 0),
        ("zeta.com", 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    # provider_stats' totals are the documented sums of the parts
    assert query(warehouse, "select provider_id, n_links_out, n_links_in from analytics.provider_stats "
                            "where n_links_out + n_links_in > 0 order by 1") == [
        ("alpha.com", 5, 2), ("beta.com", 1, 1), ("gamma.com", 0, 1), ("other.org", 0, 1),
    ]
    assert query(warehouse, "select source_provider_id, target_provider_id, is_self_link, n_links "
                            "from analytics.provider_links order by 1, 2") == [
        ("alpha.com", "alpha.com", True, 0), ("alpha.com", "beta.com", False, 1),  # A2 -> A3 is topical
        ("alpha.com", "gamma.com", False, 1), ("alpha.com", "other.org", False, 1),
        ("beta.com", "alpha.com", False, 1),
    ]


def test_who_covers_first(warehouse):
    s1, s2 = min(ID["A1"], ID["B1"]), min(ID["A2"], ID["G2"])
    got = query(warehouse, "select * from analytics.story_coverage where n_dated_providers >= 2")
    expected = [
        (s1, "alpha.com", utc(2024, 1, 1, 10), 1, 1, True, 0.0, 3),
        (s1, "beta.com", utc(2024, 1, 1, 12), 1, 2, False, 2.0, 3),
        (s1, "other.org", utc(2024, 1, 2), 1, 3, False, 14.0, 3),
        (s2, "alpha.com", utc(2024, 1, 15, 9), 1, 1, True, 0.0, 2),  # A2 (A3 is alpha's later follow-up, not the story)
        (s2, "gamma.com", utc(2024, 1, 16, 10), 1, 2, False, 25.0, 2),
    ]
    assert got == sorted(expected, key=lambda r: (r[0], r[4], r[1]))
    assert query(warehouse, "select story_id, first_provider_id, n_items, n_providers, n_undateable_items, span_hours "
                            "from analytics.stories where n_items > 1 order by story_id") == sorted([
        (s1, "alpha.com", 3, 3, 0, 14.0), (s2, "alpha.com", 2, 2, 0, 25.0),
    ])
    assert query(warehouse, "select * from analytics.provider_lead_lag") == [
        ("alpha.com", 2, 2, 1.0, 0.0, None, 1),  # A4's story has no date
        ("beta.com", 1, 0, 0.0, 2.0, 2.0, 0),
        ("gamma.com", 1, 0, 0.0, 25.0, 25.0, 1),  # G1's story has an implausible date only
        ("other.org", 1, 0, 0.0, 14.0, 14.0, 0),
        ("delta.com", 0, 0, None, None, None, 0),
        ("eps.com", 0, 0, None, None, None, 0),
        ("wire.com", 0, 0, None, None, None, 0),
        ("zeta.com", 0, 0, None, None, None, 0),
    ]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_export_graph_opens_in_networkx(warehouse, tmp_path, fmt):
    import networkx as nx
    from click.testing import CliRunner

    from pipeline.cli import main

    out = tmp_path / f"coverage.{fmt}"
    result = CliRunner().invoke(main, ["export-graph", "--warehouse", str(warehouse), "--format", fmt, "--out", str(out)])
    assert (result.exit_code, result.output) == (0, f"wrote {out}: 8 outlets, 4 edges\n")
    graph = (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(out)
    assert graph.is_directed()
    assert sorted(graph.nodes) == ["alpha.com", "beta.com", "delta.com", "eps.com", "gamma.com", "other.org", "wire.com", "zeta.com"]
    assert graph.nodes["alpha.com"]["n_articles"] == 4
    assert graph.nodes["other.org"]["n_articles"] == 0
    # links to itself are left out by default: alpha -> alpha is not an edge
    assert sorted((s, t, d["weight"], d["n_stories"]) for s, t, d in graph.edges(data=True)) == [
        ("alpha.com", "beta.com", 1, 1), ("alpha.com", "gamma.com", 1, 1),
        ("alpha.com", "other.org", 1, 1), ("beta.com", "alpha.com", 1, 1),
    ]
    assert graph.edges["alpha.com", "gamma.com"]["median_lag_hours"] == 25.0
    if fmt == "gexf":
        assert graph.nodes["alpha.com"]["viz"]["size"] == 5.0  # 1 + its 4 articles


def test_export_graph_keeps_self_links_when_asked(warehouse, tmp_path):
    from pipeline.graph import export_graph

    graph = export_graph(warehouse, tmp_path / "g.gexf", "gexf", self_links=True)
    # A2 lists A3, alpha's own later article: an outlet's own items are never one story, so the
    # link is topical and no edge, asked for or not
    assert graph.number_of_edges() == 4
    assert not graph.has_edge("alpha.com", "alpha.com")


def test_story_members(warehouse):
    s1, s2 = min(ID["A1"], ID["B1"]), min(ID["A2"], ID["G2"])
    got = query(warehouse, "select * from analytics.story_members where story_id in (?, ?)", [s1, s2])
    members = {
        s1: [(U["A1"], ID["A1"], "alpha.com", utc(2024, 1, 1, 10)), (U["B1"], ID["B1"], "beta.com", utc(2024, 1, 1, 12)),
             (U["X1"], None, "other.org", utc(2024, 1, 2))],  # X1 is known only from A1's related list
        # A3 is alpha's own follow-up three weeks later (topical, not the story); the ftp item has
        # no canonical URL: no node
        s2: [(U["A2"], ID["A2"], "alpha.com", utc(2024, 1, 15, 9)), (U["G2"], ID["G2"], "gamma.com", utc(2024, 1, 16, 10))],
    }
    # each member's publish time, then its day in UTC (published_date)
    assert got == [(story, *member, member[-1].date(), "dated") for story in sorted(members) for member in members[story]]
    # every article is in exactly one story; singletons are stories of their own
    assert query(warehouse, "select count(*), count(distinct story_id) from analytics.story_members") == [(18, 15)]
