"""Core: the normalised facts (ledger, articles, providers, topics, images, related links)."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetsDefinition

from assets.tables import table_asset
from pipeline.catalog import TABLES


def core_assets(expectations_dir: Path) -> list[AssetsDefinition]:
    """One asset per `core` table; each hands its built table to the checks of `expectations_dir`."""
    return [
        table_asset(t, "core", with_preview=False, expectations_dir=expectations_dir)
        for t in TABLES
        if t.schema == "core"
    ]
