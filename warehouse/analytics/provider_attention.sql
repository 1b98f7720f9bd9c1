-- analytics.provider_attention: one row per outlet with dated news and period of
-- analytics.article_volume from the outlet's first dated news item to its last, periods between
-- without its news included as zeros: the outlet's dated news items and their share of all dated
-- news in the period. Counts news only (content_kind = 'news').
-- Each outlet is zero-filled over its own span, as topics are in analytics.topic_attention: with
-- days as a grain the corpus's span is thousands of periods, and outlets x periods would be
-- mostly zeros before an outlet appeared and after it was last collected.
with counts as (
    select
        articles.provider_id,
        grains.grain,
        period_of(grains.grain, articles.published_at) as period_start,
        count(*) as n_articles
    from core.articles as articles
    cross join (select distinct grain from analytics.article_volume) as grains
    where articles.date_status = 'dated' and articles.content_kind = 'news' and articles.provider_id is not null
    group by all
),

spans as (
    select provider_id, grain, min(period_start) as first_period, max(period_start) as last_period
    from counts
    group by all
),

final as (
    select
        spans.provider_id,
        volume.grain,
        volume.period_start,
        coalesce(counts.n_articles, 0) as n_articles,
        round(coalesce(counts.n_articles, 0) / nullif(volume.n_articles, 0), 6) as share_of_articles
    from spans
    join analytics.article_volume as volume
        on volume.grain = spans.grain
        and volume.period_start between spans.first_period and spans.last_period
    left join counts
        on counts.provider_id = spans.provider_id
        and counts.grain = volume.grain
        and counts.period_start = volume.period_start
)

select * from final
order by provider_id, grain, period_start
