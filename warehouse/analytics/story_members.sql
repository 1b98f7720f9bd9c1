-- analytics.story_members: one row per item of every story. A story is a connected component of
-- the graph whose nodes are canonical URLs (corpus articles and their related items) and whose
-- edges are related links; every article belongs to exactly one story, and an article with no
-- related items is a story of one.
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

-- a corpus article speaks for itself: its own outlet, time and date status
article_items as (
    select canonical_url as node, article_id, provider_id, published_at, date_status
    from core.articles
),

-- an item seen only as related coverage takes its earliest dated mention's time, and the
-- alphabetically first outlet when mentions disagree
mention_items as (
    select
        canonical_url as node,
        null::varchar as article_id,
        min(provider_id) as provider_id,
        min(published_at) filter (where date_status = 'dated') as published_at,
        case
            when count(*) filter (where date_status = 'dated') > 0 then 'dated'
            when count(*) filter (where date_status = 'implausible') > 0 then 'implausible'
            else 'missing'
        end as date_status
    from core.related_links
    where canonical_url is not null
        and canonical_url not in (select node from article_items)
    group by canonical_url
),

items as (
    select * from article_items
    union all
    select * from mention_items
),

final as (
    select
        min(items.article_id) over (partition by labels.root) as story_id,
        items.node as canonical_url,
        items.article_id,
        items.provider_id,
        items.published_at,
        items.date_status
    from items
    join labels using (node)
)

select * from final
order by story_id, canonical_url
