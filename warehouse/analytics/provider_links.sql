-- analytics.provider_links: one row per (provider of an article -> provider of its related
-- coverage). n_links counts related items that report the same story (core.related_links.relation
-- = 'same_story'), n_stories the distinct source articles with one, and median_lag_hours is the
-- related item's publish time minus the article's over them (positive: the related outlet
-- published later; both times must be dated). Related items that are only coverage of the topic
-- are counted apart, in n_topical_links, so that no link is lost and none passes for a follow. Counts the links of news items
-- only (content_kind = 'news').
with links as (
    select
        articles.provider_id as source_provider_id,
        links.provider_id as target_provider_id,
        links.article_id,
        links.relation,
        case when articles.date_status = 'dated' and links.date_status = 'dated' then
            date_diff('second', articles.published_at, links.published_at) / 3600.0
        end as lag_hours
    from core.related_links as links
    join core.articles as articles using (article_id)
    where articles.content_kind = 'news' and links.provider_id is not null
),

final as (
    select
        source_provider_id,
        target_provider_id,
        source_provider_id = target_provider_id as is_self_link,
        count(*) filter (where relation = 'same_story') as n_links,
        count(distinct article_id) filter (where relation = 'same_story') as n_stories,
        round(median(lag_hours) filter (where relation = 'same_story'), 2) as median_lag_hours,
        count(*) filter (where relation = 'related_coverage') as n_topical_links
    from links
    group by all
)

select * from final
order by n_links desc, n_topical_links desc, source_provider_id, target_provider_id
