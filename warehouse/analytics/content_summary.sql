-- analytics.content_summary: one row per content kind of the loaded items (news and every other
-- kind: the one place that counts them all). The marts count news only; this is where the
-- newsletters, videos, courses and the rest they leave out are counted, so that
-- sum(n_items) = count(*) over core.articles and the news row equals corpus_summary.n_articles.
with items as (
    select content_kind, provider_id, feed_id, date_status, published_at from core.articles
),

final as (
    select
        content_kind,
        count(*) as n_items,
        count(*) filter (where date_status = 'dated') as n_dated_items,
        count(distinct provider_id) as n_providers,
        count(distinct feed_id) as n_feeds,
        min(published_at) filter (where date_status = 'dated') as first_published_at,
        max(published_at) filter (where date_status = 'dated') as last_published_at,
        round(count(*) / sum(count(*)) over (), 6) as share_of_items
    from items
    group by content_kind
)

select * from final
order by n_items desc, content_kind
