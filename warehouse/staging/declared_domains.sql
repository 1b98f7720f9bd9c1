-- Every declared provider domain, as written, with its key (domain_key in warehouse/macros.sql):
-- a few hundred distinct values stand for every article and related item, so the regular
-- expression runs once per value and the models join this table instead.
create or replace table staging.declared_domains as
select declared_domain, domain_key(declared_domain) as provider_id
from (
    select provider_domain as declared_domain from staging.parsed_seeds
    union
    select item.provider_domain from (select unnest(related) as item from staging.parsed_seeds)
)
where declared_domain is not null
