-- analytics.corpus_summary: one row: the totals every other mart reconciles with, under the
-- counting rules in docs/warehouse.md. Nothing is dropped silently: files not loaded, undateable
-- articles and syndicated copies are each counted here.
with files as (
    select
        count(*) as files_found,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'duplicate') as files_duplicate,
        count(*) filter (where status = 'quarantined') as files_quarantined
    from core.seed_files
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
),

links as (
    select
        count(*) as n_related_links,
        count(*) filter (where links.provider_id = articles.provider_id) as n_self_links,
        count(*) filter (where links.provider_id <> articles.provider_id) as n_cross_links,
        count(links.target_article_id) as n_links_in_corpus
    from core.related_links as links
    join core.articles as articles using (article_id)
),

final as (
    select
        files.*,
        articles.*,
        (select count(*) from core.providers) as n_providers,
        (select count(distinct topic) from core.article_topics) as n_topics,
        links.*,
        (select count(distinct story_id) from analytics.story_members) as n_stories
    from files, articles, links
)

select * from final
