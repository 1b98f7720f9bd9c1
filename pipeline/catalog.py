"""What every warehouse table and column means: the one source for `COMMENT ON`, the Dagster
column schemas and the docs.

A table's definition lives in one folder, as in a dbt project: `warehouse/<schema>/<table>.sql`
builds it and `warehouse/<schema>/<table>.yml` beside it says what it is:

    description: One row per ...            # the table's COMMENT
    view: true                              # only for a view (built after the tables)
    counting: What the counts count.        # marts: see the counting rules in docs/warehouse.md
    columns:                                # every column, in the order the SQL gives them
      article_id: "{article_id}"            # (a test holds them equal to the built table's)
      title: Headline as written.

`warehouse/tables.yml` lists the tables in the catalog's order (`TABLES`): the build report,
`seedhouse check` and docs/warehouse.md follow it. A table's YAML found there but not listed, or
listed but missing, stops the import, as does a key other than the four above.

Phrases that several tables share (the article key, the date rules, the counting rules) are
written once, in `warehouse/phrases.yml`, and a table's text names one as `{name}`: the loader
puts the phrase in its place, so the tables cannot drift apart. Phrases are plain text (they name
no other phrase); a `{name}` that is not a phrase stops the import. Text repeated only within one
file may use a YAML anchor (`&name` ... `*name`) instead. The files are read with PyYAML's safe
loader, which keeps the columns in the order they are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.paths import SQL_DIR, model_path

ORDER_PATH = SQL_DIR / "tables.yml"
PHRASES_PATH = SQL_DIR / "phrases.yml"


@dataclass(frozen=True)
class Table:
    name: str  # schema-qualified, e.g. "core.articles"
    description: str
    columns: dict[str, str]
    view: bool = False  # a view over other tables, for questions analysts ask often
    # for marts: what the counts count (per copy, or syndicated copies once); see the counting
    # rules of docs/warehouse.md (pipeline.docs)
    counting: str = ""

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".", 1)[1]


class CatalogError(ValueError):
    """A table's YAML, the table list or the phrases cannot make the catalog."""


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_KEYS = {"description", "columns", "view", "counting"}


def _read(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _text(value: Any, phrases: dict[str, str], where: str) -> str:
    if not isinstance(value, str) or not value:
        raise CatalogError(f"{where}: expected text, found {value!r}")

    def phrase(match: re.Match) -> str:
        if match.group(1) not in phrases:
            raise CatalogError(f"{where}: no phrase {match.group(0)} in {PHRASES_PATH.name}")
        return phrases[match.group(1)]

    return _PLACEHOLDER.sub(phrase, value)


def load_table(name: str, phrases: dict[str, str]) -> Table:
    """The table `name` ("schema.table") from its YAML, with the phrases put in place."""
    schema, _, short_name = name.partition(".")
    path = model_path(schema, short_name, ".yml")
    where = f"{path.relative_to(SQL_DIR.parent)}"
    spec = _read(path)
    if not isinstance(spec, dict) or not {"description", "columns"} <= spec.keys() or spec.keys() - _KEYS:
        raise CatalogError(f"{where}: expected the keys description and columns, and optionally view and counting")
    columns = spec["columns"]
    # a name YAML reads as something else (`on`, `null`, `1`) must be quoted to be a column's
    if not isinstance(columns, dict) or not columns or not all(isinstance(c, str) for c in columns):
        raise CatalogError(f"{where}: columns must map each column's name to its description")
    view = spec.get("view", False)
    if not isinstance(view, bool):
        raise CatalogError(f"{where}: view must be true or false")
    return Table(
        name,
        _text(spec["description"], phrases, f"{where} description"),
        {column: _text(text, phrases, f"{where} column {column}") for column, text in columns.items()},
        view=view,
        counting=_text(spec["counting"], phrases, f"{where} counting") if "counting" in spec else "",
    )


def load_tables() -> tuple[Table, ...]:
    """Every table of `warehouse/tables.yml`, in its order."""
    names = _read(ORDER_PATH)
    if not isinstance(names, list) or not all(isinstance(n, str) and n.count(".") == 1 for n in names):
        raise CatalogError(f"{ORDER_PATH.name}: expected a list of schema.table names")
    if len(set(names)) != len(names):
        raise CatalogError(f"{ORDER_PATH.name}: a table is listed twice")
    # a table's YAML that is not listed would be neither built nor documented
    found = {
        f"{schema}.{path.stem}" for schema in {n.split(".")[0] for n in names} for path in (SQL_DIR / schema).glob("*.yml")
    }
    if found - set(names):
        raise CatalogError(f"{ORDER_PATH.name} does not list {', '.join(sorted(found - set(names)))}")
    phrases = _read(PHRASES_PATH)
    if not isinstance(phrases, dict) or not all(isinstance(v, str) for v in phrases.values()):
        raise CatalogError(f"{PHRASES_PATH.name}: expected a mapping of phrase names to text")
    tables = tuple(load_table(name, phrases) for name in names)
    # Views are built, documented and checked like the tables, after them.
    views = [table.view for table in tables]
    if views != sorted(views):
        raise CatalogError(f"{ORDER_PATH.name}: list the views after the tables")
    return tables


TABLES: tuple[Table, ...] = load_tables()
VIEWS: tuple[Table, ...] = tuple(table for table in TABLES if table.view)

BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

# Tables that a SQL step of the ingest writes and the published file carries: described like the
# models, in a YAML beside their SQL (`warehouse.run_sql` puts the COMMENTs on), but neither built
# nor checked as tables of the catalog.
STEP_TABLES: dict[str, Table] = {
    name: load_table(name, _read(PHRASES_PATH)) for name in ("quality.build_info",)
}

# the files the catalog is read from (a change to any of them changes the warehouse's COMMENTs)
FILES: tuple[Path, ...] = (ORDER_PATH, PHRASES_PATH) + tuple(
    model_path(table.schema, table.short_name, ".yml") for table in (*TABLES, *STEP_TABLES.values())
)
