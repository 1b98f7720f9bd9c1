-- analytics.topic_attention: one row per topic and period of analytics.article_volume from the
-- topic's first dated news item to its last, periods between without its news included as
-- zeros: the topic's dated news items and their share of all dated news in the period. Counts
-- news only (core.articles.content_kind = 'news').
-- Each topic is zero-filled over its own span, not the corpus's: topics multiply by periods, and
-- a corpus's span reaches ~2,300 periods (1990 to now), so ten seeds of 1,000 topics each spread
-- over the years made 23 million rows of zeros. Over its own span a topic seen once has two rows
-- (its week and its month), and no topic has more rows than the corpus has periods; the zeros
-- before a topic first appears and after it was last seen are left out, and topics of
-- undateable articles only have no rows.
with tagged as (
    select topics.topic, articles.syndication_group_id, articles.published_at, articles.heat
    from core.article_topics as topics
    join core.articles as articles using (article_id)
    where articles.date_status = 'dated' and articles.content_kind = 'news'
),

counts as (
    select
        tagged.topic,
        grains.grain,
        period_of(grains.grain, tagged.published_at) as period_start,
        count(*) as n_articles,
        count(distinct tagged.syndication_group_id) as n_syndication_groups,
        round(avg(tagged.heat), 2) as avg_heat
    from tagged
    cross join (select distinct grain from analytics.article_volume) as grains
    group by all
),

spans as (
    select topic, grain, min(period_start) as first_period, max(period_start) as last_period
    from counts
    group by all
),

final as (
    select
        spans.topic,
        volume.grain,
        volume.period_start,
        coalesce(counts.n_articles, 0) as n_articles,
        coalesce(counts.n_syndication_groups, 0) as n_syndication_groups,
        round(coalesce(counts.n_articles, 0) / nullif(volume.n_articles, 0), 6) as share_of_articles,
        counts.avg_heat
    from spans
    join analytics.article_volume as volume
        on volume.grain = spans.grain
        and volume.period_start between spans.first_period and spans.last_period
    left join counts
        on counts.topic = spans.topic
        and counts.grain = volume.grain
        and counts.period_start = volume.period_start
)

select * from final
order by topic, grain, period_start
