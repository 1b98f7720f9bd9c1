"""Analytics: the marts analysts query, one per SQL file under warehouse/analytics/."""

from __future__ import annotations

from assets.tables import table_asset
from pipeline.catalog import TABLES

analytics_assets = [table_asset(t, "analytics", with_preview=True) for t in TABLES if t.schema == "analytics"]
