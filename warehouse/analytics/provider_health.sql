-- analytics.provider_health: one row per outlet with articles: how regularly it publishes, where
-- its coverage has gaps, what it publishes and how complete its seeds are, and a health flag.
-- Weeks are ISO weeks (Monday, UTC); only dated articles are placed on the time axis.
with articles as (
    select
        articles.article_id,
        articles.provider_id,
        articles.type,
        articles.date_status,
        case when articles.date_status = 'dated' then period_of('week', articles.published_at) end as week,
        exists (select 1 from core.article_images as images where images.article_id = articles.article_id) as has_image,
        exists (select 1 from core.article_topics as topics where topics.article_id = articles.article_id) as has_topic
    from core.articles as articles
    where articles.provider_id is not null
),

corpus as (
    select max(week) as last_corpus_week from articles
),

active_weeks as (
    select distinct provider_id, week from articles where week is not null
),

-- each run of silent weeks between two active weeks
gaps as (
    select provider_id, previous_week + 7 as gap_start, date_diff('week', previous_week, week) - 1 as n_weeks
    from (
        select provider_id, week, lag(week) over (partition by provider_id order by week) as previous_week
        from active_weeks
    )
    where date_diff('week', previous_week, week) > 1
),

gap_lists as (
    select
        provider_id,
        list({'gap_start': gap_start, 'n_weeks': n_weeks} order by gap_start) as gaps,
        max(n_weeks) as longest_gap_weeks
    from gaps
    group by provider_id
),

types as (
    select provider_id, map_from_entries(list((type, share) order by type)) as type_shares
    from (
        select
            provider_id,
            coalesce(type, 'unknown') as type,
            round(count(*) / sum(count(*)) over (partition by provider_id), 4) as share
        from articles
        group by provider_id, coalesce(type, 'unknown')
    )
    group by provider_id
),

per_provider as (
    select
        provider_id,
        count(*) as n_articles,
        count(week) as n_dated_articles,
        count(*) - count(week) as n_undateable_articles,
        min(week) as first_week,
        max(week) as last_week,
        date_diff('week', min(week), max(week)) + 1 as span_weeks,
        count(distinct week) as active_weeks,
        round(count(*) filter (where date_status <> 'dated') / count(*), 4) as share_missing_date,
        round(count(*) filter (where not has_image) / count(*), 4) as share_missing_images,
        round(count(*) filter (where not has_topic) / count(*), 4) as share_missing_topics
    from articles
    group by provider_id
),

measured as (
    select
        per_provider.*,
        span_weeks - active_weeks as gap_weeks,
        coalesce(gap_lists.longest_gap_weeks, 0) as longest_gap_weeks,
        coalesce(gap_lists.gaps, []) as gaps,
        round(n_dated_articles / span_weeks, 4) as articles_per_week,
        date_diff('week', last_week, corpus.last_corpus_week) as weeks_since_last,
        types.type_shares
    from per_provider
    cross join corpus
    left join gap_lists using (provider_id)
    left join types using (provider_id)
),

-- the health rule, first match wins (also in pipeline/catalog.py, next to the column)
final as (
    select
        * exclude (gaps, type_shares),
        type_shares,
        gaps,
        case
            when n_dated_articles < 3 then 'insufficient_data'
            -- silent for over 4 weeks and for over three times its usual spacing of active weeks
            when weeks_since_last > 4 and weeks_since_last > 3 * span_weeks / active_weeks then 'stale'
            when gap_weeks > span_weeks / 2 then 'gappy'
            when greatest(share_missing_date, share_missing_images, share_missing_topics) > 0.25 then 'incomplete'
            else 'healthy'
        end as health
    from measured
)

select * from final
order by n_articles desc, provider_id
