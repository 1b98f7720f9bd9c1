-- analytics.story_members: one row per item of every story. A story is a connected component of
-- the graph whose nodes are canonical URLs (news articles, and related items that report the same
-- story) and whose edges are analytics.story_edges: related items classified same_story, and news
-- articles whose texts report the same event. Every news item belongs to exactly one story, and
-- one with no such edge is a story of one. Counts news only (content_kind = 'news'):
-- newsletters, videos and other kinds are neither stories nor joined into one.
-- Three steps are kept as temporary tables (dropped after the build of this table): one query
-- holding them all at once needs more memory than a million seeds leave.

-- every node gets a small integer id: label propagation then works on integers
create or replace temp table _story_nodes as
select node, row_number() over (order by node) as id
from (
    select canonical_url as node from core.articles where content_kind = 'news'
    union
    select target_url from analytics.story_edges
);

-- the edges, undirected, between node ids
create or replace temp table _story_links as
with edges as (
    select sources.id as src, targets.id as dst
    from analytics.story_edges as edges
    join _story_nodes as sources on sources.node = edges.source_url
    join _story_nodes as targets on targets.node = edges.target_url
)
select src, dst from edges
union
select dst, src from edges;

-- label propagation: every node starts as its own root and takes the smallest root among its
-- neighbours until nothing changes; USING KEY keeps one row per node, so each round is linear
create or replace temp table _story_labels as
with recursive labels(id, root) using key (id) as (
    select id, id from _story_nodes
    union
    select edges.dst, min(labels.root)
    from labels
    join _story_links as edges on edges.src = labels.id
    join recurring.labels as current on current.id = edges.dst
    group by edges.dst
    having min(labels.root) < min(current.root)
)
select * from labels;

with
-- a news article speaks for itself: its own outlet, time and date status
article_items as (
    select canonical_url as node, article_id, provider_id, published_at, date_status
    from core.articles
    where content_kind = 'news'
),

-- an item seen only as a same-story related item takes its earliest dated mention's time, and
-- the alphabetically first outlet when mentions disagree
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
    where relation = 'same_story'
        and canonical_url in (select node from _story_nodes)
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
        (items.published_at at time zone 'UTC')::date as published_date,
        items.date_status
    from items
    join _story_nodes using (node)
    join _story_labels as labels using (id)
)

select * from final
order by story_id, canonical_url
