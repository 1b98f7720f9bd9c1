-- core.feeds: one row per feed, an outlet's channel of one kind (core.articles.feed_id; the
-- channel rule is feed_channel in warehouse/macros.sql): what an outlet key merges, told apart.
-- Every kind is here, news and the others; the times are of dated items.
-- last_collected_at is the last dated item of any outlet in the collections this feed's items
-- came from (collection_of): a feed silent long before it went quiet, one silent only since then
-- was cut off by the aggregator (analytics.provider_health draws the same line per outlet).
with items as (
    select
        feed_id,
        provider_id,
        content_kind,
        channel_of_feed(feed_id) as channel,
        provider_name,
        collection_of(source_path) as collection,
        case when date_status = 'dated' then published_at end as dated_at
    from core.articles
),

collections as (
    select collection, max(dated_at) as last_collected_at from items group by collection
),

names as (
    select feed_id, provider_name as name
    from (
        select
            feed_id,
            provider_name,
            row_number() over (partition by feed_id order by count(*) desc, provider_name) as name_rank
        from items
        where provider_name is not null
        group by feed_id, provider_name
    )
    where name_rank = 1
),

final as (
    select
        items.feed_id,
        any_value(items.provider_id) as provider_id,
        any_value(items.channel) as channel,
        any_value(items.content_kind) as content_kind,
        any_value(names.name) as name,
        count(*) as n_items,
        count(items.dated_at) as n_dated_items,
        min(items.dated_at) as first_published_at,
        max(items.dated_at) as last_published_at,
        list(distinct items.collection order by items.collection) as collections,
        max(collections.last_collected_at) as last_collected_at
    from items
    left join names using (feed_id)
    left join collections using (collection)
    group by items.feed_id
)

select * from final
order by provider_id, feed_id
