"""Arrow schemas of the staging data: the one place that says what parsing hands to DuckDB.

Parsing turns every seed file into exactly one row of `PARSED_SEEDS`. Values stay *raw* here
(strings as written in the YAML); typing, date parsing and URL canonicalisation happen later over
whole batches in DuckDB (see `warehouse/core/*.sql`), which is both faster and easier to audit.
The one exception is the texts reduced for story evidence (`texts`, `excerpt_key`), which cost
less in the parse than in SQL and are then cached with it.
"""

from __future__ import annotations

import pyarrow as pa

IMAGE = pa.struct(
    [
        ("url", pa.string()),
        ("width", pa.string()),
        ("height", pa.string()),
        ("title", pa.string()),
    ]
)

RELATED = pa.struct(
    [
        ("title", pa.string()),
        ("excerpt", pa.string()),
        ("published", pa.string()),
        ("web_url", pa.string()),
        ("type", pa.string()),
        ("provider_name", pa.string()),
        ("provider_domain", pa.string()),
        ("quality", pa.string()),
        ("amp_url", pa.string()),
        ("images", pa.list_(IMAGE)),
    ]
)

# A text reduced for story evidence (pipeline/parse/texts.py): its headline key, and its distinct
# content terms joined by single spaces ('' when it has none).
TEXT = pa.struct(
    [
        ("title_key", pa.string()),
        ("terms", pa.string()),
    ]
)

# What discovery sees of each file: enough to tell, without reading it, whether it changed.
MANIFEST = pa.schema(
    [
        ("source_path", pa.string()),
        ("size_bytes", pa.int64()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
    ]
)

PARSED_SEEDS = pa.schema(
    [
        # the file itself: always set, whatever its content
        ("source_path", pa.string()),
        ("size_bytes", pa.int64()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
        ("content_sha256", pa.string()),
        # set when the file could not be parsed; the ledger quarantines it with this reason
        ("error_kind", pa.string()),
        ("error_message", pa.string()),
        ("error_line", pa.int32()),
        # front matter, raw
        ("title", pa.string()),
        ("excerpt", pa.string()),
        ("published", pa.string()),
        ("web_url", pa.string()),
        ("original_url", pa.string()),
        ("type", pa.string()),
        ("category", pa.string()),
        ("quality", pa.string()),
        ("heat", pa.string()),
        ("is_published", pa.string()),
        ("provider_name", pa.string()),
        ("provider_domain", pa.string()),
        ("secured", pa.string()),
        ("removed", pa.string()),
        ("amp_url", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("topics", pa.list_(pa.string())),
        ("images", pa.list_(IMAGE)),
        ("related", pa.list_(RELATED)),
        ("extra", pa.string()),
        ("body_chars", pa.int64()),
        # derived, not raw: the texts reduced for story evidence, so each is reduced once, in
        # parallel and cached with the parse. The seed's own title and excerpt first, then each
        # related item's (texts[n + 1] is related[n]); its excerpt reduced as a headline is
        # compared for syndication.
        ("texts", pa.list_(TEXT)),
        ("excerpt_key", pa.string()),
        # the text after the front matter, as written (line ends as LF); NULL when there is none
        ("body", pa.string()),
    ]
)

# One row per distinct URL seen anywhere in the seeds, canonicalised once in Python
# (see pipeline/urls.py) and joined back in SQL.
URL_MAP = pa.schema(
    [
        ("raw_url", pa.string()),
        ("canonical_url", pa.string()),
        ("host", pa.string()),
        # the identity key of the canonical URL (url_key in warehouse/macros.sql), set in SQL
        ("url_key", pa.string()),
    ]
)

# One row per distinct provider key (the declared domain, or the URL's host when none is).
DOMAIN_MAP = pa.schema(
    [
        ("provider_id", pa.string()),
        ("registered_domain", pa.string()),
    ]
)
