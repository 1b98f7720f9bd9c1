"""A single self-contained HTML report on a published warehouse, for people who prefer charts.

Plotly draws the charts; its JavaScript is embedded once in the file, so the report opens offline
(no CDN). Every text that comes from seeds (outlet names, topics) is HTML-escaped before it
reaches a label, a tooltip or the page: Plotly renders a subset of HTML in labels, and a title
may hold `<script>`.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from pipeline import quality
from pipeline.paths import default_report_path
from pipeline.quality import outputs
from pipeline.warehouse import connect

# Marks a page as seedhouse's own, so `seedhouse report --out` replaces its earlier reports but
# never another file.
GENERATOR = "seedhouse report"
TEMPLATE = "plotly_white"
TOP_PROVIDERS = 15
TOP_TOPICS = 12
# One colour per series, as many as the most series a chart draws (TOP_TOPICS): Plotly's own
# colorway has ten, so an eleventh topic took the first one's colour. D3's ten, then near-black
# and magenta, which none of them resembles.
COLORWAY = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#222a2a", "#fb00d1",
]
# A bar shorter than this share of its chart's longest is drawn at it (and labelled with its true
# value): 1 quarantined file beside 297 loaded ones was a bar of no pixels. A log axis would hide
# exactly these bars: a count of 1 is at its base.
MIN_BAR_SHARE = 0.015
# bars labelled with their values when a chart has no more than this many in a series
LABELLED_BARS = 40
AXIS_FONT = {"size": 13}


def _date_axis(fig, periods: list, tickformat: str, *, dtick: str | int, days: int) -> None:
    """A time axis labelled by its periods: one tick a period while they are few (plotly would
    otherwise tick inside a period and repeat its label), and a single period given a few days
    either side, where the chart would zoom to the millisecond around it."""
    fig.update_xaxes(type="date", tickformat=tickformat)
    distinct = sorted(set(periods))
    if len(distinct) <= 12:
        fig.update_xaxes(dtick=dtick, tick0=distinct[0] if distinct else None)
    if len(distinct) == 1:
        fig.update_xaxes(range=[distinct[0] - timedelta(days=days), distinct[0] + timedelta(days=days)])


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _esc(values) -> list[str]:
    return [html.escape(str(v)) for v in values]


def _figures(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, object]]:
    import plotly.graph_objects as go

    figures = []

    leaders = _rows(
        con,
        f"select name, n_articles, n_links_in from analytics.provider_stats "
        f"where n_articles > 0 order by n_articles desc, provider_id limit {TOP_PROVIDERS}",
    )
    fig = go.Figure(
        [
            go.Bar(name="articles", y=_esc(r[0] for r in leaders), x=[r[1] for r in leaders], orientation="h"),
            go.Bar(name="cited by others (links in)", y=_esc(r[0] for r in leaders), x=[r[2] for r in leaders], orientation="h"),
        ]
    )
    fig.update_layout(barmode="group", yaxis={"autorange": "reversed"}, height=520)
    figures.append(("provider-leaderboard", "Provider leaderboard", fig))

    topics = [r[0] for r in _rows(con, f"select topic from analytics.topic_stats order by n_articles desc, topic limit {TOP_TOPICS}")]
    # zero-filled months: a topic's quiet months are drawn as zeros, not bridged by a line
    attention = _rows(con, "select topic, period_start, n_articles from analytics.topic_attention "
                           "where grain = 'month' order by topic, period_start")
    fig = go.Figure()
    for topic in topics:
        points = [(month, n) for t, month, n in attention if t == topic]
        fig.add_trace(
            # markers while the points are few, so a topic seen in one month still shows
            go.Scatter(name=html.escape(topic), x=[p[0] for p in points], y=[p[1] for p in points],
                       mode="lines+markers" if len(points) <= 12 else "lines")
        )
    fig.update_layout(height=460, yaxis_title="dated articles per month")
    _date_axis(fig, [month for _, month, _ in attention], "%b %Y", dtick="M1", days=20)
    figures.append(("topic-trends", f"Topic attention (top {len(topics)} topics, dated articles per month)", fig))

    volume = _rows(con, "select period_start, n_articles, n_syndication_groups from analytics.article_volume "
                        "where grain = 'week' order by period_start")
    fig = go.Figure([
        # a week's bar six days wide: on a date axis plotly sizes bars by their spacing, and a single
        # week has none
        go.Bar(name="articles", x=[r[0] for r in volume], y=[r[1] for r in volume], width=6 * 86_400_000),
        go.Scatter(name="syndicated copies counted once", x=[r[0] for r in volume], y=[r[2] for r in volume], mode="lines"),
    ])
    fig.update_layout(height=380, yaxis_title="dated articles per week")
    _date_axis(fig, [r[0] for r in volume], "%d %b %Y", dtick=7 * 86_400_000, days=5)
    figures.append(("article-volume", "Articles per week (undateable articles are counted in the summary above)", fig))

    pairs = {(a, b): j for a, b, j in _rows(con, "select topic_a, topic_b, jaccard from analytics.topic_pairs")}
    # the diagonal (a topic with itself) is left blank: it would only dwarf the pairs
    matrix = [[None if a == b else pairs.get((min(a, b), max(a, b)), 0.0) for b in topics] for a in topics]
    fig = go.Figure(go.Heatmap(z=matrix, x=_esc(topics), y=_esc(topics), colorscale="Blues", colorbar={"title": "Jaccard"}))
    fig.update_layout(height=620)
    fig.update_xaxes(tickangle=-40)
    figures.append(("topic-cooccurrence", "Topic co-occurrence (Jaccard similarity)", fig))

    providers = [
        r[0]
        for r in _rows(
            con,
            f"select provider_id from analytics.provider_stats order by n_articles + n_links_in desc, provider_id limit {TOP_PROVIDERS}",
        )
    ]
    links = {(s, t): n for s, t, n in _rows(con, "select source_provider_id, target_provider_id, n_links from analytics.provider_links")}
    fig = go.Figure(
        go.Heatmap(
            z=[[links.get((s, t), 0) for t in providers] for s in providers],
            x=_esc(providers),
            y=_esc(providers),
            colorscale="Oranges",
            colorbar={"title": "links"},
        )
    )
    fig.update_layout(height=700, xaxis_title="outlet of the related coverage", yaxis_title="outlet of the article")
    fig.update_xaxes(tickangle=-40)
    figures.append(("provider-network", "Provider-to-provider related coverage (links)", fig))

    health = _rows(con, "select health, count(*) from analytics.provider_health group by 1 order by 2 desc, 1")
    fig = go.Figure(go.Bar(x=[r[0] for r in health], y=[r[1] for r in health]))
    fig.update_layout(height=360, yaxis_title="outlets")
    figures.append(("provider-health", "Outlet health (the rule is in the warehouse docs, analytics.provider_health)", fig))

    leads = _rows(
        con,
        f"select p.name, l.n_first, l.n_shared_stories - l.n_first, l.median_lag_when_following_hours "
        f"from analytics.provider_lead_lag as l join core.providers as p using (provider_id) "
        f"where l.n_shared_stories > 0 order by l.n_shared_stories desc, l.provider_id limit {TOP_PROVIDERS}",
    )
    names = _esc(r[0] for r in leads)
    fig = go.Figure([
        go.Bar(name="first to cover", y=names, x=[r[1] for r in leads], orientation="h"),
        go.Bar(name="followed", y=names, x=[r[2] for r in leads], orientation="h",
               customdata=[r[3] for r in leads], hovertemplate="followed %{x} times, median %{customdata} h behind"),
    ])
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, height=520, xaxis_title="shared stories")
    figures.append(("lead-lag", "Who covers first (stories covered by two or more outlets)", fig))

    sizes = _rows(con, "select n_items, count(*) from analytics.stories group by 1 order by 1")
    fig = go.Figure(go.Bar(x=[r[0] for r in sizes], y=[r[1] for r in sizes]))
    fig.update_layout(height=380, xaxis_title="items in the story (articles and related coverage)", yaxis_title="stories")
    fig.update_xaxes(dtick=1)
    figures.append(("story-sizes", "Story cluster sizes", fig))

    ledger = _rows(
        con,
        "select coalesce(error_kind, status) as outcome, count(*) from core.seed_files group by 1 order by 2 desc, 1",
    )
    fig = go.Figure(go.Bar(x=_esc(r[0] for r in ledger), y=[r[1] for r in ledger]))
    fig.update_layout(height=360, yaxis_title="files")
    figures.append(("quarantine", "What became of the seed files (loaded, duplicate, or the quarantine reason)", fig))
    return figures


def _visible_bars(fig) -> None:
    """Every bar of a chart whose bars stand side by side (not stacked) at least `MIN_BAR_SHARE`
    of the longest, with its true value on it (when there are few) and in its tooltip."""
    bars = [trace for trace in fig.data if trace.type == "bar"]
    if not bars or fig.layout.barmode in ("stack", "relative"):
        return
    lengths = [list((trace.x if trace.orientation == "h" else trace.y) or ()) for trace in bars]
    longest = max((v for values in lengths for v in values if v is not None), default=0)
    floor = longest * MIN_BAR_SHARE
    for trace, values in zip(bars, lengths, strict=True):
        shown = [v if v is None or v == 0 or v >= floor else floor for v in values]
        label = "%{y}" if trace.orientation == "h" else "%{x}"
        name = trace.name or ""
        trace.update(
            {"x" if trace.orientation == "h" else "y": shown, "customdata": values,
             "hovertemplate": f"{label}: %{{customdata}}<extra>{name}</extra>"}
        )
        if len(values) <= LABELLED_BARS:
            trace.update(text=values, texttemplate="%{customdata}", textposition="outside", cliponaxis=False)


def _readable(fig) -> None:
    """The same colours for the same series order in every chart, axis labels a size people read,
    and room for them whatever their length."""
    fig.update_layout(colorway=COLORWAY, font=AXIS_FONT, legend={"font": AXIS_FONT})
    fig.update_xaxes(automargin=True, tickfont=AXIS_FONT, title_font={"size": 14})
    fig.update_yaxes(automargin=True, tickfont=AXIS_FONT, title_font={"size": 14})
    _visible_bars(fig)


def _checks_section(con: duckdb.DuckDBPyConnection, build: str) -> str:
    """The build's data-quality checks, from `quality.check_results` in the same file: the
    verdict, the counts, every check that failed and, folded, every check with its status (the
    page `seedhouse check` writes, for the outcomes the build recorded)."""
    if not _rows(con, "select 1 from duckdb_tables() where schema_name = 'quality' and table_name = 'check_results'"):
        return ""
    run = outputs.CheckRun(warehouse="", name=f"build {build}", build=build)
    return (
        '<section id="section-checks"><h2>Data-quality checks of this build (quality.check_results)</h2>'
        f"{outputs.section(quality.audit.outcomes(con), run, heading='h3', folded=True)}</section>"
    )


def is_report(path: Path) -> bool:
    """Whether `path` is a report that seedhouse wrote."""
    return outputs.written_by(path, GENERATOR)


def write_report(warehouse: Path, out: Path | None = None) -> Path:
    """Write the report for the published `warehouse`; returns its path."""
    import plotly.io as pio

    out = out or default_report_path(warehouse)
    # The template is Plotly's default while the figures are made and written: given to each
    # figure, it would be deep-copied into each, about half of a report's time.
    default_template, pio.templates.default = pio.templates.default, TEMPLATE
    try:
        with connect(warehouse, read_only=True) as con:
            figures = _figures(con)
            built = _rows(con, "select run_id, started_at, files_found from quality.build_info")[0]
            cursor = con.execute("select * from analytics.corpus_summary")
            summary = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
            checks = _checks_section(con, str(built[0]))
        sections = []
        for index, (anchor, title, fig) in enumerate(figures):
            fig.update_layout(margin={"l": 40, "r": 20, "t": 30, "b": 40})
            _readable(fig)
            body = fig.to_html(full_html=False, include_plotlyjs=index == 0, div_id=anchor)
            sections.append(f'<section class="chart" id="section-{anchor}"><h2>{html.escape(title)}</h2>{body}</section>')
    finally:
        pio.templates.default = default_template
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}"><title>seedhouse report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
h1{{margin-bottom:0}} .meta{{color:#666}} section{{margin:2.5em 0}}
th{{text-align:left;font-weight:normal;color:#555;padding-right:1em}}
{outputs.STYLE}</style></head>
<body><h1>seedhouse report</h1>
<p class="meta">{html.escape(str(warehouse))} · build {html.escape(str(built[0]))} of {built[2]} seed files,
started {html.escape(str(built[1]))} · generated {generated}</p>
<section id="section-summary"><h2>Counts (analytics.corpus_summary)</h2>
<table>{''.join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in summary.items())}</table>
</section>
{checks}
{''.join(sections)}
</body></html>
"""
    out.write_text(page, encoding="utf-8")
    return out
