"""Core: the normalised facts (ledger, articles, providers, topics, images, related links)."""

from __future__ import annotations

from assets.tables import table_asset
from pipeline.catalog import TABLES

core_assets = [table_asset(t, "core", with_preview=False) for t in TABLES if t.schema == "core"]
