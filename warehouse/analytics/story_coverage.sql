-- analytics.story_coverage: one row per story and outlet with a dated item in it: when the
-- outlet first covered the story and how far behind the story's first coverage that was.
with dated as (
    select story_id, provider_id, min(published_at) as first_published_at, count(*) as n_items
    from analytics.story_members
    where date_status = 'dated' and provider_id is not null
    group by story_id, provider_id
),

stories as (
    select story_id, min(first_published_at) as story_first_at, count(*) as n_dated_providers
    from dated
    group by story_id
),

final as (
    select
        dated.story_id,
        dated.provider_id,
        dated.first_published_at,
        dated.n_items,
        rank() over (partition by dated.story_id order by dated.first_published_at) as coverage_rank,
        dated.first_published_at = stories.story_first_at as is_first,
        round(date_diff('second', stories.story_first_at, dated.first_published_at) / 3600.0, 2) as lag_hours,
        stories.n_dated_providers
    from dated
    join stories using (story_id)
)

select * from final
order by story_id, coverage_rank, provider_id
