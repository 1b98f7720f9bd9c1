-- analytics.provider_attention: one row per outlet with articles and period of
-- analytics.article_volume (every week and month of the corpus, zeros included): the outlet's
-- dated articles and their share of all dated articles in the period.
-- Zero-filled over the corpus's span, unlike analytics.topic_attention: an outlet here is the
-- outlet of a loaded article, so a seed adds one series at most (its related items' outlets are
-- not counted here), and the rows stay within loaded files x analytics.article_volume's rows
-- (everyday-ai: 36,680 rows for 56 outlets and 655 periods).
with counts as (
    select
        articles.provider_id,
        grains.grain,
        period_of(grains.grain, articles.published_at) as period_start,
        count(*) as n_articles
    from core.articles as articles
    cross join (select distinct grain from analytics.article_volume) as grains
    where articles.date_status = 'dated'
    group by all
),

final as (
    select
        providers.provider_id,
        volume.grain,
        volume.period_start,
        coalesce(counts.n_articles, 0) as n_articles,
        round(coalesce(counts.n_articles, 0) / nullif(volume.n_articles, 0), 6) as share_of_articles
    from (select distinct provider_id from core.articles where provider_id is not null) as providers
    cross join analytics.article_volume as volume
    left join counts using (provider_id, grain, period_start)
)

select * from final
order by provider_id, grain, period_start
