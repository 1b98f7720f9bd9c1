-- analytics.corpus_summary: one row: the totals every other mart reconciles with, under the
-- counting rules in docs/warehouse.md. Nothing is dropped silently: files not loaded, items of
-- other kinds than news, undateable articles and syndicated copies are each counted here. The
-- article counts are news (content_kind = 'news'), as in every mart; n_items counts every loaded
-- item, and analytics.content_summary splits it by kind.
with files as (
    select
        count(*) as files_found,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'duplicate') as files_duplicate,
        count(*) filter (where status = 'quarantined') as files_quarantined,
        count(*) filter (where error_kind = 'removed') as files_removed
    from core.seed_files
),

items as (
    select count(*) as n_items, count(*) filter (where content_kind <> 'news') as n_other_items
    from core.articles
),

articles as (
    select
        count(*) as n_articles,
        count(*) filter (where date_status = 'dated') as n_dated_articles,
        count(*) filter (where date_status = 'missing') as n_missing_date,
        count(*) filter (where date_status = 'implausible') as n_implausible_date,
        count(distinct syndication_group_id) as n_syndication_groups,
        count(distinct provider_id) as n_providers_with_articles,
        min(published_at) filter (where date_status = 'dated') as first_published_at,
        max(published_at) filter (where date_status = 'dated') as last_published_at
    from core.articles
    where content_kind = 'news'
),

links as (
    select
        count(*) as n_related_links,
        count(*) filter (where links.provider_id = articles.provider_id) as n_self_links,
        count(*) filter (where links.provider_id <> articles.provider_id) as n_cross_links,
        count(links.target_article_id) as n_links_in_corpus
    from core.related_links as links
    join core.articles as articles using (article_id)
    where articles.content_kind = 'news'
),

final as (
    select
        files.*,
        items.*,
        articles.*,
        (select count(*) from core.providers) as n_providers,
        (
            select count(distinct tags.topic)
            from core.article_topics as tags
            join core.articles as tagged using (article_id)
            where tagged.content_kind = 'news'
        ) as n_topics,
        links.*,
        (select count(distinct story_id) from analytics.story_members) as n_stories
    from files, items, articles, links
)

select * from final
