"""Dagster asset and check definitions of seedhouse, one folder per asset group."""
