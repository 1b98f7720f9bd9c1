"""Weighted PageRank for the coverage network, as a DuckDB function (analytics.provider_network).

`pagerank(sources, targets, weights)` takes one graph's edges as three lists (a SQL `list()`
aggregate per period) and returns `[{provider_id, pagerank}]` for every node, computed by
networkx (damping 0.85, the rank of nodes without out-links shared evenly). The SQL groups the
edges by period and unnests the result, so each period's network is ranked on its own.
"""

from __future__ import annotations

import duckdb

RESULT = "STRUCT(provider_id VARCHAR, pagerank DOUBLE)[]"


def pagerank(sources: list[str] | None, targets: list[str] | None, weights: list[float] | None) -> list[dict] | None:
    if not sources:
        return []
    import networkx as nx  # imported on first use: query connections never pay for it

    graph = nx.DiGraph()
    for source, target, weight in zip(sources, targets, weights, strict=True):
        graph.add_edge(source, target, weight=float(weight))
    ranks = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-10, max_iter=1000)
    return [{"provider_id": node, "pagerank": round(rank, 6)} for node, rank in sorted(ranks.items())]


def register(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function(
        "pagerank", pagerank,
        [duckdb.sqltype("VARCHAR[]"), duckdb.sqltype("VARCHAR[]"), duckdb.sqltype("DOUBLE[]")], duckdb.sqltype(RESULT),
        side_effects=False,
    )
