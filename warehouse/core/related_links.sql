-- core.related_links: one row per related item of an article (other outlets' coverage of the
-- same story), resolved to the related item's own article when it is in the corpus.
with articles as (
    select articles.article_id, articles.source_path, articles.canonical_url, files.modified_at as written_at
    from core.articles as articles
    join core.seed_files as files using (source_path)
),

items as (
    select
        articles.article_id,
        articles.written_at,
        generate_subscripts(parsed.related, 1)::integer as ordinal,
        unnest(parsed.related) as related
    from articles
    join staging.parsed_seeds as parsed using (source_path)
),

cleaned as (
    select
        article_id,
        written_at,
        ordinal,
        raw_text(related.title) as title,
        raw_text(related.web_url) as web_url,
        parse_timestamp(related.published) as published_at,
        related.provider_domain as declared_domain,
        raw_text(related.provider_name) as provider_name,
        parse_int(related.quality) as quality,
        raw_text(related.type) as type
    from items
),

final as (
    select
        cleaned.article_id,
        cleaned.ordinal,
        cleaned.title,
        cleaned.web_url,
        urls.canonical_url,
        cleaned.published_at,
        date_status(cleaned.published_at, cleaned.written_at) as date_status,
        coalesce(declared.provider_id, urls.host) as provider_id,
        cleaned.provider_name,
        cleaned.quality,
        cleaned.type,
        targets.article_id as target_article_id
    from cleaned
    left join staging.url_map as urls on urls.raw_url = cleaned.web_url
    left join staging.declared_domains as declared on declared.declared_domain = cleaned.declared_domain
    left join core.articles as targets on targets.canonical_url = urls.canonical_url
)

select * from final
order by article_id, ordinal
