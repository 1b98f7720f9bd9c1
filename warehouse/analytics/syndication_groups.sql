-- analytics.syndication_groups: one row per syndication group of two or more news copies (the
-- rule is in core.articles.syndication_group_id). Counts news only (content_kind = 'news').
-- Items with no copy are groups of one and are not listed here, so
-- count(distinct syndication_group_id) over the news of core.articles =
-- count(*) over them - sum(n_copies - 1) here.
with copies as (
    select * from core.articles where content_kind = 'news'
),

final as (
    select
        syndication_group_id,
        arg_min(title, (published_at, article_id)) as title,
        count(*) as n_copies,
        count(distinct provider_id) as n_providers,
        list_sort(list_distinct(list(provider_id))) as provider_ids,
        arg_min(provider_id, (published_at, article_id)) as first_provider_id,
        list_sort(list(article_id)) as article_ids,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        round(date_diff('second', first_published_at, last_published_at) / 3600.0, 2) as span_hours
    from copies
    group by syndication_group_id
    having count(*) >= 2
)

select * from final
order by n_copies desc, first_published_at, syndication_group_id
