-- analytics.related_coverage (a view): each related link with both sides spelled out.
with final as (
    select
        links.article_id,
        links.ordinal,
        articles.title as article_title,
        articles.content_kind as article_content_kind,
        articles.provider_id as article_provider_id,
        articles.published_at as article_published_at,
        articles.published_date as article_published_date,
        links.title as related_title,
        links.provider_id as related_provider_id,
        links.published_at as related_published_at,
        (links.published_at at time zone 'UTC')::date as related_published_date,
        round(date_diff('second', articles.published_at, links.published_at) / 3600.0, 2) as lag_hours,
        links.provider_id = articles.provider_id as is_same_provider,
        links.target_article_id
    from core.related_links as links
    join core.articles as articles using (article_id)
)

select * from final
