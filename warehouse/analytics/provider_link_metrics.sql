-- analytics.provider_link_metrics: one row per outlet: its related-coverage links with links to
-- itself kept apart from links between outlets. A link is one related item on one article, from
-- the article's outlet ("out") to the related item's outlet ("in"); syndicated copies' links
-- count once per copy. Counts the links of news items only (content_kind = 'news'). Identities:
--   n_links_out = n_self_links + n_cross_links_out + n_links_out_unknown_provider
--   n_links_in  = n_self_links + n_cross_links_in
with links as (
    select articles.provider_id as source_provider_id, links.provider_id as target_provider_id
    from core.related_links as links
    join core.articles as articles using (article_id)
    where articles.content_kind = 'news'
),

outgoing as (
    select
        source_provider_id as provider_id,
        count(*) as n_links_out,
        count(*) filter (where target_provider_id = source_provider_id) as n_self_links,
        count(*) filter (where target_provider_id <> source_provider_id) as n_cross_links_out,
        count(*) filter (where target_provider_id is null) as n_links_out_unknown_provider,
        count(distinct target_provider_id) filter (where target_provider_id <> source_provider_id)
            as n_providers_linked_out
    from links
    group by source_provider_id
),

incoming as (
    select
        target_provider_id as provider_id,
        count(*) as n_links_in,
        count(*) filter (where source_provider_id <> target_provider_id) as n_cross_links_in,
        count(distinct source_provider_id) filter (where source_provider_id <> target_provider_id)
            as n_providers_linking_in
    from links
    group by target_provider_id
),

final as (
    select
        providers.provider_id,
        coalesce(outgoing.n_links_out, 0) as n_links_out,
        coalesce(incoming.n_links_in, 0) as n_links_in,
        coalesce(outgoing.n_self_links, 0) as n_self_links,
        coalesce(outgoing.n_cross_links_out, 0) as n_cross_links_out,
        coalesce(incoming.n_cross_links_in, 0) as n_cross_links_in,
        coalesce(outgoing.n_links_out_unknown_provider, 0) as n_links_out_unknown_provider,
        coalesce(outgoing.n_providers_linked_out, 0) as n_providers_linked_out,
        coalesce(incoming.n_providers_linking_in, 0) as n_providers_linking_in
    from core.providers as providers
    left join outgoing using (provider_id)
    left join incoming using (provider_id)
)

select * from final
order by n_links_out + n_links_in desc, provider_id
