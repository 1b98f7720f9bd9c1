-- analytics.stories: one row per story (see analytics.story_members). Times and the first
-- outlet come from dated items only; how the story was joined, and how tightly, from its edges
-- (analytics.story_edges).
with members as (
    select * from analytics.story_members
),

edges as (
    select
        members.story_id,
        count(*) filter (where edges.evidence = 'related_link') as n_link_edges,
        count(*) filter (where edges.evidence = 'text') as n_text_edges,
        min(edges.similarity) as min_similarity,
        median(edges.similarity) as median_similarity
    from analytics.story_edges as edges
    join members on members.canonical_url = edges.source_url
    group by members.story_id
),

-- the outlet of the earliest dated item; ties go to the alphabetically first outlet
firsts as (
    select story_id, arg_min(provider_id, (published_at, provider_id)) as first_provider_id
    from members
    where date_status = 'dated' and provider_id is not null
    group by story_id
),

final as (
    select
        members.story_id,
        count(*) as n_items,
        count(members.article_id) as n_articles,
        count(distinct members.provider_id) as n_providers,
        list_sort(list_distinct(list(members.provider_id))) as provider_ids,
        count(*) filter (where members.date_status <> 'dated') as n_undateable_items,
        any_value(firsts.first_provider_id) as first_provider_id,
        min(members.published_at) filter (where members.date_status = 'dated') as first_published_at,
        max(members.published_at) filter (where members.date_status = 'dated') as last_published_at,
        round(date_diff('second', first_published_at, last_published_at) / 3600.0, 2) as span_hours,
        coalesce(any_value(edges.n_link_edges), 0) as n_link_edges,
        coalesce(any_value(edges.n_text_edges), 0) as n_text_edges,
        any_value(edges.min_similarity) as min_similarity,
        round(any_value(edges.median_similarity), 4) as median_similarity
    from members
    left join firsts using (story_id)
    left join edges using (story_id)
    group by members.story_id
)

select * from final
order by n_items desc, story_id
