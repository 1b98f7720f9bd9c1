-- analytics.stories: one row per story, a connected component of the graph whose nodes are
-- canonical URLs (corpus articles and their related items) and whose edges are related links.
-- Every article belongs to exactly one story; an article with no related items is a story of one.
with recursive
edges as (
    select articles.canonical_url as src, links.canonical_url as dst
    from core.related_links as links
    join core.articles as articles using (article_id)
    where links.canonical_url is not null
),

undirected as (
    select src, dst from edges
    union
    select dst, src from edges
),

nodes as (
    select canonical_url as node from core.articles
    union
    select dst from edges
),

-- reach(node, other): `other` is reachable from `node`; UNION keeps it finite on cycles
reach(node, other) as (
    select node, node from nodes
    union
    select reach.node, undirected.dst
    from reach
    join undirected on undirected.src = reach.other
),

components as (
    select node, min(other) as root from reach group by node
),

-- every item of a story with its provider and time: corpus articles first, related items after
items as (
    select canonical_url as node, article_id, provider_id, published_at from core.articles
    union all
    select canonical_url, null, provider_id, published_at from core.related_links
    where canonical_url is not null
),

members as (
    select components.root, items.*
    from items
    join components using (node)
),

final as (
    select
        min(article_id) as story_id,
        count(distinct node) as n_items,
        count(distinct article_id) as n_articles,
        count(distinct provider_id) as n_providers,
        list_sort(list_distinct(list(provider_id))) as provider_ids,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        round(date_diff('second', min(published_at), max(published_at)) / 3600.0, 2) as span_hours
    from members
    group by root
)

select * from final
order by n_items desc, story_id
