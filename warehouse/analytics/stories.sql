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

-- label propagation: every node starts as its own root and takes the smallest root among its
-- neighbours until nothing changes; USING KEY keeps one row per node, so each round is linear
labels(node, root) using key (node) as (
    select node, node from nodes
    union
    select undirected.dst, min(labels.root)
    from labels
    join undirected on undirected.src = labels.node
    join recurring.labels as current on current.node = undirected.dst
    group by undirected.dst
    having min(labels.root) < min(current.root)
),

components as (
    select node, root from labels
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
