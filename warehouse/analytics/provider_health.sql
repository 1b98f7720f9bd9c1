-- analytics.provider_health: one row per outlet with news: how regularly it publishes, where
-- its coverage has gaps, what it publishes and how complete its seeds are, and a health flag.
-- Counts news only (content_kind = 'news'; core.feeds reads each channel of every kind).
-- Weeks are ISO weeks (Monday, UTC); only dated articles are placed on the time axis.
-- An aggregator does not collect every week, nor every section for ever: its seeds sit in
-- collections (the folder of the seed file, date folders such as 2020/04 set aside), and a week
-- only says something about an outlet when the outlet's collection collected news that week. So
-- gaps are counted in the collection's active weeks, and an outlet silent since its collection
-- stopped is `collection_stopped`, not `stale`.
with articles as (
    select
        articles.article_id,
        articles.provider_id,
        articles.type,
        articles.date_status,
        collection_of(articles.source_path) as collection,
        case when articles.date_status = 'dated' then period_of('week', articles.published_at) end as week,
        exists (select 1 from core.article_images as images where images.article_id = articles.article_id) as has_image,
        exists (select 1 from core.article_topics as topics where topics.article_id = articles.article_id) as has_topic
    from core.articles as articles
    where articles.provider_id is not null and articles.content_kind = 'news'
),

corpus as (
    select max(week) as last_corpus_week from articles
),

active_weeks as (
    select distinct provider_id, week from articles where week is not null
),

-- the weeks in which each collection collected news (from any outlet)
collection_weeks as (
    select distinct collection, week from articles where week is not null
),

-- the collections an outlet's news came from, and the weeks any of them collected
outlet_collections as (
    select distinct provider_id, collection from articles
),

outlet_collection_weeks as (
    select distinct outlet_collections.provider_id, collection_weeks.week
    from outlet_collections
    join collection_weeks using (collection)
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
        round(count(*) filter (where not has_topic) / count(*), 4) as share_missing_topics,
        list(distinct collection order by collection) as collections
    from articles
    group by provider_id
),

collected as (
    select
        per_provider.provider_id,
        count(*) filter (where weeks.week between per_provider.first_week and per_provider.last_week)
            as collected_weeks,
        count(*) filter (where weeks.week > per_provider.last_week) as collected_weeks_since_last,
        max(weeks.week) as collection_last_week
    from per_provider
    join outlet_collection_weeks as weeks using (provider_id)
    group by per_provider.provider_id
),

measured as (
    select
        per_provider.*,
        collected.collected_weeks,
        collected.collected_weeks - active_weeks as gap_weeks,
        collected.collected_weeks_since_last,
        collected.collection_last_week,
        coalesce(gap_lists.longest_gap_weeks, 0) as longest_gap_weeks,
        coalesce(gap_lists.gaps, []) as gaps,
        round(n_dated_articles / span_weeks, 4) as articles_per_week,
        date_diff('week', last_week, corpus.last_corpus_week) as weeks_since_last,
        types.type_shares
    from per_provider
    cross join corpus
    left join collected using (provider_id)
    left join gap_lists using (provider_id)
    left join types using (provider_id)
),

-- the health rule, first match wins (also in provider_health.yml, next to the column)
final as (
    select
        * exclude (gaps, type_shares),
        type_shares,
        gaps,
        case
            when n_dated_articles < 3 then 'insufficient_data'
            -- silent while its collection kept collecting: for over 4 of the collection's weeks,
            -- and over three times its usual spacing in them
            when collected_weeks_since_last > 4 and collected_weeks_since_last > 3 * collected_weeks / active_weeks
                then 'stale'
            -- silent for over 4 weeks, but so is the collection it came from (it collected news in
            -- at most 4 weeks after the outlet's last): the aggregator stopped (or paused)
            -- collecting that section, the outlet may well publish on
            when weeks_since_last > 4 and collected_weeks_since_last <= 4 then 'collection_stopped'
            when gap_weeks > collected_weeks / 2 then 'gappy'
            else 'healthy'
        end as health,
        -- how complete its seeds are is the aggregator's doing as much as the outlet's, and says
        -- nothing about whether it publishes: a separate flag, not a kind of ill health
        case
            when greatest(share_missing_date, share_missing_images, share_missing_topics) > 0.25 then 'incomplete'
            else 'complete'
        end as seed_completeness
    from measured
)

select * from final
order by n_articles desc, provider_id
