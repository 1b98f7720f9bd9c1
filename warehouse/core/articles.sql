-- core.articles: one row per distinct article (canonical URL), from the file that loaded it.
with loaded as (
    select source_path, article_id from core.seed_files where status = 'loaded'
),

parsed as (
    select * from staging.parsed_seeds
),

joined as (
    select
        loaded.article_id,
        parsed.*,
        coalesce(raw_text(parsed.web_url), raw_text(parsed.original_url)) as raw_url
    from loaded
    join parsed using (source_path)
),

final as (
    select
        joined.article_id,
        joined.source_path,
        raw_text(joined.title) as title,
        raw_text(joined.excerpt) as excerpt,
        joined.raw_url as web_url,
        urls.canonical_url,
        parse_timestamp(joined.published) as published_at,
        raw_text(joined.category) as category,
        raw_text(joined.type) as type,
        parse_int(joined.quality) as quality,
        -- heat -1 is the aggregator's "not measured": stored as NULL, not as a score
        nullif(parse_int(joined.heat), -1) as heat,
        parse_bool(joined.is_published) as is_published,
        provider_key(joined.provider_domain, urls.host) as provider_id,
        raw_text(joined.provider_name) as provider_name,
        raw_text(joined.secured) as secured,
        joined.body_chars,
        joined.extra
    from joined
    left join staging.url_map as urls on urls.raw_url = joined.raw_url
)

select * from final
order by article_id
