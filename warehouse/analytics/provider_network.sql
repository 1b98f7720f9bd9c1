-- analytics.provider_network: one row per outlet and month in which it took part in the coverage
-- network: its degrees and weighted PageRank on same-story coverage edges. An edge A -> B says
-- that a dated news article of A, published that month, lists B's coverage of the same story as
-- related (core.related_links.relation = 'same_story'), weighted by the number of such links;
-- links from an outlet to itself are left out (follow-ups, not coverage by another outlet).
-- PageRank comes from networkx (pipeline/network.py: damping 0.85, the rank of outlets without
-- out-links shared evenly); within a month the ranks sum to 1. Counts news only (content_kind =
-- 'news').
with edges as (
    select
        period_of('month', articles.published_at) as month_start,
        articles.provider_id as source_id,
        links.provider_id as target_id,
        count(*) as weight
    from core.related_links as links
    join core.articles as articles using (article_id)
    where links.relation = 'same_story'
        and articles.content_kind = 'news'
        and articles.date_status = 'dated'
        and links.provider_id is not null
        and articles.provider_id is not null
        and links.provider_id <> articles.provider_id
    group by all
),

ranked as (
    select month_start, unnest(pagerank(list(source_id), list(target_id), list(weight::double))) as node
    from edges
    group by month_start
),

outgoing as (
    select month_start, source_id as provider_id, count(*) as out_degree, sum(weight)::bigint as weighted_out_degree
    from edges
    group by all
),

incoming as (
    select month_start, target_id as provider_id, count(*) as in_degree, sum(weight)::bigint as weighted_in_degree
    from edges
    group by all
),

final as (
    select
        ranked.node.provider_id,
        ranked.month_start,
        coalesce(incoming.in_degree, 0) as in_degree,
        coalesce(outgoing.out_degree, 0) as out_degree,
        coalesce(incoming.weighted_in_degree, 0) as weighted_in_degree,
        coalesce(outgoing.weighted_out_degree, 0) as weighted_out_degree,
        ranked.node.pagerank
    from ranked
    left join incoming on incoming.month_start = ranked.month_start and incoming.provider_id = ranked.node.provider_id
    left join outgoing on outgoing.month_start = ranked.month_start and outgoing.provider_id = ranked.node.provider_id
)

select * from final
order by month_start, pagerank desc, provider_id
