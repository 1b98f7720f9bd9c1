-- analytics.article_details (a view): one row per article, outlet, topics and counts joined in.
with topics as (
    select article_id, list_sort(list(topic)) as topics
    from core.article_topics
    group by article_id
),

images as (
    select article_id, count(*) as n_images from core.article_images group by article_id
),

related as (
    select article_id, count(*) as n_related, count(target_article_id) as n_related_in_corpus
    from core.related_links
    group by article_id
),

final as (
    select
        articles.article_id,
        articles.title,
        articles.content_kind,
        articles.published_at,
        articles.published_date,
        articles.date_status,
        articles.syndication_group_id,
        articles.provider_id,
        providers.name as provider_name,
        providers.registered_domain,
        articles.canonical_url,
        articles.feed_id,
        articles.quality,
        articles.heat,
        coalesce(topics.topics, []) as topics,
        coalesce(images.n_images, 0) as n_images,
        coalesce(related.n_related, 0) as n_related,
        coalesce(related.n_related_in_corpus, 0) as n_related_in_corpus
    from core.articles as articles
    left join core.providers as providers using (provider_id)
    left join topics using (article_id)
    left join images using (article_id)
    left join related using (article_id)
)

select * from final
