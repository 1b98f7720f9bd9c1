-- analytics.topic_trends: one row per topic and calendar month (UTC) with at least one
-- dated article. Undateable articles (core.articles.date_status) are left out; see
-- analytics.topic_attention for the same series with zero-filled months and weeks.
with tagged as (
    select topics.topic, articles.published_at, articles.heat
    from core.article_topics as topics
    join core.articles as articles using (article_id)
    where articles.date_status = 'dated'
),

final as (
    select
        topic,
        date_trunc('month', published_at at time zone 'UTC')::date as month_date,
        count(*) as n_articles,
        round(avg(heat), 2) as avg_heat
    from tagged
    group by all
)

select * from final
order by topic, month_date
