-- analytics.topic_attention: one row per topic and period of analytics.article_volume (every
-- week and month of the corpus, zeros included): the topic's dated articles and their share of
-- all dated articles in the period.
with tagged as (
    select topics.topic, articles.syndication_group_id, articles.published_at, articles.heat
    from core.article_topics as topics
    join core.articles as articles using (article_id)
    where articles.date_status = 'dated'
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

final as (
    select
        topics.topic,
        volume.grain,
        volume.period_start,
        coalesce(counts.n_articles, 0) as n_articles,
        coalesce(counts.n_syndication_groups, 0) as n_syndication_groups,
        round(coalesce(counts.n_articles, 0) / nullif(volume.n_articles, 0), 6) as share_of_articles,
        counts.avg_heat
    from (select distinct topic from core.article_topics) as topics
    cross join analytics.article_volume as volume
    left join counts using (topic, grain, period_start)
)

select * from final
order by topic, grain, period_start
