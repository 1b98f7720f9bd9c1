-- The outlets of staging.domain_map: every provider key, declared or taken from a URL's host.
-- pipeline/ingest.py finds each one's registered domain under the public suffix list (in Python,
-- with tldextract) and writes the map.
select distinct provider_id from (
    select provider_id from staging.declared_domains
    union all
    select host from staging.url_map
)
where provider_id is not null
order by provider_id
