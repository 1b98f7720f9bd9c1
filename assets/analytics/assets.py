"""Analytics: the marts analysts query, one per SQL file under warehouse/analytics/."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetsDefinition

from assets.tables import table_asset
from pipeline.catalog import TABLES


def analytics_assets(expectations_dir: Path) -> list[AssetsDefinition]:
    """One asset per `analytics` table; each hands its built table to the checks of `expectations_dir`."""
    return [
        table_asset(t, "analytics", with_preview=True, expectations_dir=expectations_dir)
        for t in TABLES
        if t.schema == "analytics"
    ]
