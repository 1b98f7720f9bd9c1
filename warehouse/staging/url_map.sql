-- staging.url_map, the URLs simple enough to canonicalise in SQL (warehouse/macros.sql), of those
-- the map does not hold yet (`_new_urls`); pipeline/ingest.py adds the others, canonicalised in
-- Python with url-normalize, which gives the same form for the same URL.
insert into staging.url_map
select url, canonical, canonical_host(canonical), url_key(canonical)
from (
    select url, canonical_of_parts(parts) as canonical
    from (select url, url_parts(url) as parts from _new_urls where is_simple_url(url))
)
