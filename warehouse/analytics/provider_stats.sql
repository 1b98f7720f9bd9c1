-- analytics.provider_stats: one row per provider (outlets seen only as related coverage, or
-- with items of other kinds only, too, with n_articles = 0). Counts news only: n_articles,
-- dates, scores, topics and links are those of the outlet's news items (content_kind = 'news';
-- analytics.content_summary and core.feeds count the other kinds). Links are counted per related
-- item; a link to itself counts in both directions (analytics.provider_link_metrics keeps them
-- apart).
with articles as (
    select article_id, provider_id, published_at, date_status, quality, heat
    from core.articles
    where content_kind = 'news'
),

article_totals as (
    select count(*) as n_all from articles
),

per_provider as (
    select
        provider_id,
        count(*) as n_articles,
        min(published_at) filter (where date_status = 'dated') as first_published_at,
        max(published_at) filter (where date_status = 'dated') as last_published_at,
        avg(quality) as avg_quality,
        median(quality) as median_quality,
        avg(heat) as avg_heat,
        median(heat) as median_heat
    from articles
    group by provider_id
),

topics as (
    select articles.provider_id, count(distinct topics.topic) as n_topics
    from articles
    join core.article_topics as topics using (article_id)
    group by articles.provider_id
),

links_out as (
    select articles.provider_id, count(*) as n_links_out
    from core.related_links
    join articles using (article_id)
    group by articles.provider_id
),

links_in as (
    select links.provider_id, count(*) as n_links_in
    from core.related_links as links
    join articles using (article_id)
    where links.provider_id is not null
    group by links.provider_id
),

final as (
    select
        providers.provider_id,
        providers.name,
        coalesce(per_provider.n_articles, 0) as n_articles,
        per_provider.first_published_at,
        per_provider.last_published_at,
        round(per_provider.avg_quality, 2) as avg_quality,
        per_provider.median_quality,
        round(per_provider.avg_heat, 2) as avg_heat,
        per_provider.median_heat,
        coalesce(topics.n_topics, 0) as n_topics,
        round(coalesce(per_provider.n_articles, 0) / nullif(article_totals.n_all, 0), 6) as share_of_articles,
        coalesce(links_out.n_links_out, 0) as n_links_out,
        coalesce(links_in.n_links_in, 0) as n_links_in
    from core.providers as providers
    cross join article_totals
    left join per_provider using (provider_id)
    left join topics using (provider_id)
    left join links_out using (provider_id)
    left join links_in using (provider_id)
)

select * from final
order by n_articles desc, provider_id
