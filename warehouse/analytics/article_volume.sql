-- analytics.article_volume: one row per grain ('day', 'week' or 'month') and period, for every
-- period from the corpus's first dated news item to its last, periods without news included as
-- zeros. Counts news only (core.articles.content_kind = 'news'; analytics.content_summary counts
-- every kind). The denominator of the attention marts. Undateable articles are left out
-- (core.articles.date_status; counted in analytics.corpus_summary).
-- One series, bounded by what date_status calls dated: 1990 to a day after the build started,
-- at most 366 days, 53 weeks and 12 months a year (period_starts). A seed dated 1990 beside one
-- dated last week gives ~15,000 rows, whatever the seeds hold.
with dated as (
    select syndication_group_id, published_at
    from core.articles
    where date_status = 'dated' and content_kind = 'news'
),

grains as (
    select unnest(['day', 'week', 'month']) as grain
),

periods as (
    select
        grain,
        unnest(period_starts(grain, min(period_of(grain, published_at)), max(period_of(grain, published_at))))
            as period_start
    from dated, grains
    group by grain
),

counts as (
    select
        grain,
        period_of(grain, published_at) as period_start,
        count(*) as n_articles,
        count(distinct syndication_group_id) as n_syndication_groups
    from dated, grains
    group by all
),

final as (
    select
        periods.grain,
        periods.period_start,
        coalesce(counts.n_articles, 0) as n_articles,
        coalesce(counts.n_syndication_groups, 0) as n_syndication_groups
    from periods
    left join counts using (grain, period_start)
)

select * from final
order by grain, period_start
