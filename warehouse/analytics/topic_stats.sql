-- analytics.topic_stats: one row per topic of a news item. Counts news only (content_kind =
-- 'news').
with tagged as (
    select topics.topic, articles.*
    from core.article_topics as topics
    join core.articles as articles using (article_id)
    where articles.content_kind = 'news'
),

final as (
    select
        topic,
        count(*) as n_articles,
        count(distinct provider_id) as n_providers,
        round(avg(heat), 2) as avg_heat,
        count(distinct syndication_group_id) as n_syndication_groups,
        min(published_at) filter (where date_status = 'dated') as first_seen_at,
        max(published_at) filter (where date_status = 'dated') as last_seen_at
    from tagged
    group by topic
)

select * from final
order by n_articles desc, topic
