"""Analytics: the marts analysts query, one per SQL file under warehouse/analytics/."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetsDefinition

from assets.tables import table_assets


def analytics_assets(expectations_dir: Path) -> list[AssetsDefinition]:
    return table_assets("analytics", expectations_dir, with_preview=True)
