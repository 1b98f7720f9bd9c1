"""seedhouse: news seed files -> Arrow -> DuckDB analytics warehouse, orchestrated by Dagster."""

__version__ = "0.1.0"
