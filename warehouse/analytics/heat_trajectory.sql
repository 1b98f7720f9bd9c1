-- analytics.heat_trajectory: an article's heat over its versions (core.article_history), one row
-- per version whose heat was measured: how it moved since the version before, and how long each
-- value held. Counts news only (content_kind = 'news'); an article the seeds no longer hold keeps
-- its trajectory.
with news as (
    select article_id from core.articles where content_kind = 'news'
),

versions as (
    select history.*
    from core.article_history as history
    where history.article_id in (select article_id from news)
        or history.article_id not in (select article_id from core.articles)
),

final as (
    select
        article_id,
        version,
        valid_from,
        valid_to,
        heat,
        heat - lag(heat) over (partition by article_id order by version) as heat_change,
        round(date_diff('second', valid_from, coalesce(valid_to, last_seen_at)) / 3600.0, 2) as hours_held
    from versions
    where heat is not null
)

select * from final
order by article_id, version
