"""Small renderings of warehouse data for people: Markdown previews for the Dagster UI.

Seed text is other people's data (titles may hold `<script>` or `|`): everything is escaped.
"""

from __future__ import annotations

import html
from typing import Any

import duckdb

from pipeline.warehouse import quote_ident


def _cell(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines)


def preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = 10) -> str:
    """The first rows of a table (in its stored order) as an escaped Markdown table."""
    cursor = con.execute(f"select * from {quote_ident(table)} limit ?", [limit])
    columns = [d[0] for d in cursor.description]
    return markdown_table(columns, cursor.fetchall())
