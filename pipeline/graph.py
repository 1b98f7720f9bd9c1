"""The outlet-to-outlet coverage network, for Gephi or networkx: `seedhouse export-graph`.

Nodes are the outlets of core.providers, sized by their article counts; a directed edge A -> B
says that articles of A list B's coverage of the same story as related, weighted by the number
of such links (analytics.provider_links). Links from an outlet to itself are left out unless
asked for: they are the outlet's own follow-ups, not coverage by another outlet. networkx writes
the files, so they follow the GEXF 1.2 and GraphML schemas.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.warehouse import connect

FORMATS = ("gexf", "graphml")


def coverage_graph(warehouse: Path, *, self_links: bool = False):
    """The network as a networkx.DiGraph, read from a published warehouse."""
    import networkx as nx

    graph = nx.DiGraph(name="seedhouse outlet coverage network")
    with connect(warehouse, read_only=True) as con:
        nodes = con.execute(
            "select provider_id, name, n_articles, n_links_in, n_links_out "
            "from analytics.provider_stats order by provider_id"
        ).fetchall()
        edges = con.execute(
            "select source_provider_id, target_provider_id, n_links, n_stories, median_lag_hours "
            "from analytics.provider_links where ? or not is_self_link order by 1, 2",
            [self_links],
        ).fetchall()
    for provider_id, name, n_articles, n_links_in, n_links_out in nodes:
        graph.add_node(provider_id, label=name, n_articles=n_articles, n_links_in=n_links_in, n_links_out=n_links_out)
    for source, target, n_links, n_stories, median_lag in edges:
        attributes = {"weight": n_links, "n_stories": n_stories}
        if median_lag is not None:  # neither format has a null
            attributes["median_lag_hours"] = float(median_lag)
        graph.add_edge(source, target, **attributes)
    return graph


def export_graph(warehouse: Path, out: Path, fmt: str, *, self_links: bool = False):
    """Write the network to `out` as GEXF or GraphML; returns the graph written."""
    import networkx as nx

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    graph = coverage_graph(warehouse, self_links=self_links)
    if fmt == "gexf":
        # Gephi draws node sizes from the viz module: 1 + articles, so outlets seen only as
        # related coverage stay visible
        sized = graph.copy()
        for _, data in sized.nodes(data=True):
            data["viz"] = {"size": 1.0 + data["n_articles"]}
        nx.write_gexf(sized, out)
    else:
        nx.write_graphml(graph, out)
    return graph
