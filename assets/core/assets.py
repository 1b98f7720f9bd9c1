"""Core: the normalised facts (ledger, articles, providers, topics, images, related links)."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetsDefinition

from assets.tables import table_assets


def core_assets(expectations_dir: Path) -> list[AssetsDefinition]:
    return table_assets("core", expectations_dir, with_preview=False)
