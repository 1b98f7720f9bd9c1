-- core.providers: one row per outlet, keyed by its domain (as the seed declares it, else the
-- host of its URL, without "www."). Outlets seen only as related coverage are included.
-- Built from the loaded seeds directly, before core.articles, so that articles and related
-- links can be checked against it.
with loaded as (
    select source_path from core.seed_files where status = 'loaded'
),

parsed as not materialized (
    select parsed.*
    from loaded
    join staging.parsed_seeds as parsed using (source_path)
),

mentions as (
    select
        provider_domain as domain,
        coalesce(raw_text(web_url), raw_text(original_url)) as url,
        raw_text(provider_name) as name
    from parsed
    union all
    select item.provider_domain, raw_text(item.web_url), raw_text(item.provider_name)
    from (select unnest(related) as item from parsed)
),

keyed as (
    select coalesce(declared.provider_id, urls.host) as provider_id, mentions.name
    from mentions
    left join staging.declared_domains as declared on declared.declared_domain = mentions.domain
    left join staging.url_map as urls on urls.raw_url = mentions.url
),

-- the name an outlet is most often given; ties go to the alphabetically first
names as (
    select provider_id, name
    from (
        select
            provider_id,
            name,
            row_number() over (partition by provider_id order by count(*) desc, name) as name_rank
        from keyed
        where name is not null and provider_id is not null
        group by provider_id, name
    )
    where name_rank = 1
),

ids as (
    select distinct provider_id from keyed where provider_id is not null
),

final as (
    select
        ids.provider_id,
        coalesce(names.name, ids.provider_id) as name,
        ids.provider_id as domain,
        domains.registered_domain
    from ids
    left join names using (provider_id)
    left join staging.domain_map as domains using (provider_id)
)

select * from final
order by provider_id
