-- analytics.provider_lead_lag: one row per outlet: how often it covers a shared story first and
-- how far behind it is otherwise. Only stories that at least two outlets covered with a dated
-- item count ("shared stories"); ties for first place count as first for every tied outlet.
with shared as (
    select * from analytics.story_coverage where n_dated_providers >= 2
),

per_provider as (
    select
        provider_id,
        count(*) as n_shared_stories,
        count(*) filter (where is_first) as n_first,
        median(lag_hours) as median_lag_hours,
        median(lag_hours) filter (where not is_first) as median_lag_when_following_hours
    from shared
    group by provider_id
),

-- stories the outlet appears in only with undateable items: they cannot be ordered
undated as (
    select provider_id, count(distinct story_id) as n_undated_stories
    from analytics.story_members as members
    where provider_id is not null
        and not exists (
            select 1 from analytics.story_members as dated
            where dated.story_id = members.story_id
                and dated.provider_id = members.provider_id
                and dated.date_status = 'dated'
        )
    group by provider_id
),

final as (
    select
        providers.provider_id,
        coalesce(per_provider.n_shared_stories, 0) as n_shared_stories,
        coalesce(per_provider.n_first, 0) as n_first,
        round(per_provider.n_first / per_provider.n_shared_stories, 4) as share_first,
        round(per_provider.median_lag_hours, 2) as median_lag_hours,
        round(per_provider.median_lag_when_following_hours, 2) as median_lag_when_following_hours,
        coalesce(undated.n_undated_stories, 0) as n_undated_stories
    from core.providers as providers
    left join per_provider using (provider_id)
    left join undated using (provider_id)
)

select * from final
order by n_shared_stories desc, provider_id
