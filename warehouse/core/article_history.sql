-- core.article_history: one row per version of an item, as successive builds observed it. A build
-- carries on the published warehouse's history (staging.previous_history, read by the ingest) and
-- compares it with the items it loaded, at the time it observed the seeds
-- (quality.build_info.observed_at: the build's start, or `seedhouse build --as-of`):
--   * an item whose tracked values (title, excerpt, heat, quality, published_at) are what its
--     open version says keeps that version open;
--   * one whose values changed closes its open version (valid_to = observed_at) and opens a new
--     one (valid_from = observed_at);
--   * one not seen before, or seen again after it had gone, opens a version;
--   * an open version whose item is gone from the seeds is closed.
-- Closed versions are kept as they were. `seedhouse replay --git` builds the same history from a
-- repository's commits in one pass (pipeline/replay.py). Every kind of item is tracked.
-- Built in two steps within DuckDB's memory at a million items: the open versions matched with
-- the items loaded now (`_compared`: ids and a flag, not the compared texts), then the versions.
create or replace temp table _compared as
select
    still_open.article_id as open_id,
    loaded.article_id as current_id,
    loaded.article_id is not null and still_open.article_id is not null
        and loaded.title is not distinct from still_open.title
        and loaded.excerpt is not distinct from still_open.excerpt
        and loaded.heat is not distinct from still_open.heat
        and loaded.quality is not distinct from still_open.quality
        and loaded.published_at is not distinct from still_open.published_at as unchanged
from (
    select article_id, title, excerpt, heat, quality, published_at
    from staging.previous_history
    where valid_to is null
) as still_open
full join (
    select article_id, title, excerpt, heat, quality, published_at from core.articles
) as loaded on loaded.article_id = still_open.article_id;

with observed as (
    select observed_at from quality.build_info
),

current as (
    select article_id, title, excerpt, heat, quality, published_at, source_path from core.articles
),

previous as (
    select * from staging.previous_history
),

open_versions as (
    select * from previous where valid_to is null
),

last_versions as (
    select article_id, max(version) as version from previous group by article_id
),

kept as (
    -- closed versions, as they were
    select * from previous where valid_to is not null
    union all
    -- open versions: still open when nothing changed, closed now when something did or the item went
    select
        open_versions.* replace (
            case when compared.unchanged then null else observed.observed_at end as valid_to
        )
    from open_versions
    join _compared as compared on compared.open_id = open_versions.article_id
    cross join observed
),

opened as (
    select
        current.article_id,
        coalesce(last_versions.version, 0) + 1 as version,
        observed.observed_at as valid_from,
        null::timestamptz as valid_to,
        current.title,
        current.excerpt,
        current.heat,
        current.quality,
        current.published_at,
        current.source_path
    from _compared as compared
    join current on current.article_id = compared.current_id
    left join last_versions on last_versions.article_id = current.article_id
    cross join observed
    where not coalesce(compared.unchanged, false)
),

versions as (
    select * from kept
    union all
    select * from opened
),

final as (
    select
        versions.*,
        (versions.valid_from at time zone 'UTC')::date as valid_from_date,
        min(versions.valid_from) over (partition by versions.article_id) as first_seen_at,
        -- seen by this build: its observation time; gone: when its last version closed
        case
            when versions.article_id in (select article_id from current) then observed.observed_at
            else max(versions.valid_to) over (partition by versions.article_id)
        end as last_seen_at
    from versions
    cross join observed
)

select * from final
order by article_id, version
