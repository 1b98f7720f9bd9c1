"""The outlet-to-outlet coverage network, for Gephi or networkx: `seedhouse export-graph`.

Nodes are the outlets of core.providers, sized by their article counts; a directed edge A -> B
says that articles of A list B's coverage of the same story as related (core.related_links.relation
= same_story; topical links are not edges), weighted by the number
of such links (analytics.provider_links). Links from an outlet to itself are left out unless
asked for: they are the outlet's own follow-ups, not coverage by another outlet. networkx writes
the files, so they follow the GEXF 1.2 and GraphML schemas.

Both are XML 1.0, which has no way to write most control characters (U+0000-U+0008, U+000B,
U+000C, U+000E-U+001F) or U+FFFE/U+FFFF, not even escaped, and seed text can hold them (an
outlet named "Acme\x01 News"): they are stripped from every text the files carry (node ids,
labels), so that any XML parser reads the files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.warehouse import connect

FORMATS = ("gexf", "graphml")
# Names every export, so `--out` replaces an earlier export but never another file.
GRAPH_NAME = "seedhouse outlet coverage network"

# what XML 1.0 allows (its `Char` production); strings from DuckDB hold no surrogates
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


class _NodeIds:
    """Outlet keys as XML-safe node ids. A key that needs no stripping is its own id; one that
    does and then equals another key gets a `~2` (`~3`, ...) suffix: two outlets stay two nodes."""

    def __init__(self, provider_ids: list[str]) -> None:
        self._ids = {p: p for p in provider_ids if xml_text(p) == p}
        self._taken = set(self._ids)

    def __call__(self, provider_id: str) -> str:
        if provider_id not in self._ids:
            clean = candidate = xml_text(provider_id)
            n = 1
            while candidate in self._taken:
                n += 1
                candidate = f"{clean}~{n}"
            self._ids[provider_id] = candidate
            self._taken.add(candidate)
        return self._ids[provider_id]


def coverage_graph(warehouse: Path, *, self_links: bool = False):
    """The network as a networkx.DiGraph, read from a published warehouse."""
    import networkx as nx

    graph = nx.DiGraph(name=GRAPH_NAME)
    with connect(warehouse, read_only=True) as con:
        nodes = con.execute(
            "select provider_id, name, n_articles, n_links_in, n_links_out "
            "from analytics.provider_stats order by provider_id"
        ).fetchall()
        edges = con.execute(
            "select source_provider_id, target_provider_id, n_links, n_stories, median_lag_hours "
            "from analytics.provider_links where n_links > 0 and (? or not is_self_link) order by 1, 2",
            [self_links],
        ).fetchall()
    node_id = _NodeIds([row[0] for row in nodes])
    for provider_id, name, n_articles, n_links_in, n_links_out in nodes:
        graph.add_node(
            node_id(provider_id),
            label=xml_text(name),
            n_articles=n_articles,
            n_links_in=n_links_in,
            n_links_out=n_links_out,
        )
    for source, target, n_links, n_stories, median_lag in edges:
        attributes = {"weight": n_links, "n_stories": n_stories}
        if median_lag is not None:  # neither format has a null
            attributes["median_lag_hours"] = float(median_lag)
        graph.add_edge(node_id(source), node_id(target), **attributes)
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



def is_graph_export(path: Path) -> bool:
    """Whether `path` is a network that `export_graph` wrote: GEXF names the graph in its first
    lines, GraphML in its last ones."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 2048))
            tail = handle.read()
    except OSError:
        return False
    return head.startswith(b"<?xml") and (GRAPH_NAME.encode() in head or GRAPH_NAME.encode() in tail)
