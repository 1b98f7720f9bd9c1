"""Ingest: discover seed files, parse them into staging, and build the lookup maps the SQL joins.

Per-row Python stops at the parse. URL canonicalisation and registered domains are computed once
per *distinct* value found in staging and joined back in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import __version__
from pipeline.parse import Limits, discover, parse_batches
from pipeline.schemas import DOMAIN_MAP, PARSED_SEEDS, URL_MAP
from pipeline.urls import canonicalise_many, registered_domain
from pipeline.warehouse import load_arrow

_DISTINCT_URLS = """
    select distinct url from (
        select coalesce(raw_text(web_url), raw_text(original_url)) as url from staging.parsed_seeds
        union all
        select raw_text(item.web_url) from staging.parsed_seeds, unnest(related) as r(item)
    )
    where url is not null
    order by url
"""

_DISTINCT_PROVIDER_IDS = """
    select distinct provider_id from (
        select domain_key(provider_domain) as provider_id from staging.parsed_seeds
        union all
        select domain_key(item.provider_domain) from staging.parsed_seeds, unnest(related) as r(item)
        union all
        select host from staging.url_map
    )
    where provider_id is not null
    order by provider_id
"""


@dataclass(frozen=True)
class IngestSummary:
    files_found: int
    parse_errors: dict[str, int]
    distinct_urls: int
    distinct_providers: int


def ingest(
    con: duckdb.DuckDBPyConnection,
    seeds_root: Path,
    *,
    run_id: str,
    limits: Limits = Limits(),
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Fill `staging.parsed_seeds`, `staging.url_map`, `staging.domain_map` and `quality.build_info`."""
    started_at = datetime.now(timezone.utc)
    paths = discover(seeds_root)
    if on_start:
        on_start(len(paths))
    reader = pa.RecordBatchReader.from_batches(
        PARSED_SEEDS, parse_batches(seeds_root, paths, limits=limits, on_progress=on_progress)
    )
    files_found = load_arrow(con, "staging.parsed_seeds", reader)

    urls = [row[0] for row in con.execute(_DISTINCT_URLS).fetchall()]
    canonical, hosts = canonicalise_many(urls)
    load_arrow(
        con,
        "staging.url_map",
        pa.table({"raw_url": urls, "canonical_url": canonical, "host": hosts}, schema=URL_MAP),
    )
    providers = [row[0] for row in con.execute(_DISTINCT_PROVIDER_IDS).fetchall()]
    load_arrow(
        con,
        "staging.domain_map",
        pa.table(
            {"provider_id": providers, "registered_domain": [registered_domain(p) for p in providers]},
            schema=DOMAIN_MAP,
        ),
    )

    errors = dict(
        con.execute(
            "select error_kind, count(*) from staging.parsed_seeds where error_kind is not null "
            "group by error_kind order by error_kind"
        ).fetchall()
    )
    con.execute(
        """
        create or replace table quality.build_info as
        select ?::varchar as run_id, ?::timestamptz as started_at, ?::varchar as seeds_root,
               ?::bigint as files_found, ?::varchar as seedhouse_version
        """,
        [run_id, started_at, str(seeds_root), files_found, __version__],
    )
    return IngestSummary(files_found, errors, len(urls), len(providers))
