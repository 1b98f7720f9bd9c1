-- core.articles: one row per distinct article (canonical URL), from the file that loaded it.
with loaded as (
    select source_path, article_id, modified_at, url_source, urls_disagree, content_kind
    from core.seed_files
    where status = 'loaded'
),

build as (
    select started_at from quality.build_info
),

parsed as (
    select * from staging.parsed_seeds
),

joined as (
    select
        loaded.article_id,
        latest_publish_time(loaded.modified_at, build.started_at) as latest_plausible,
        loaded.url_source,
        loaded.urls_disagree,
        loaded.content_kind,
        parsed.* exclude (web_url, original_url, amp_url),
        raw_text(parsed.web_url) as web_url,
        raw_text(parsed.original_url) as original_url,
        raw_text(parsed.amp_url) as amp_url,
        case when loaded.url_source = 'webUrl' then raw_text(parsed.web_url) else raw_text(parsed.original_url) end
            as raw_url
    from loaded
    join parsed using (source_path)
    cross join build
),

typed as (
    select
        joined.article_id,
        joined.source_path,
        clean_text(joined.title) as title,
        clean_text(joined.excerpt) as excerpt,
        joined.content_kind,
        joined.web_url,
        joined.original_url,
        joined.url_source,
        joined.urls_disagree,
        urls.canonical_url,
        urls.url_key,
        joined.amp_url,
        -- as cast (infinite, BC or past 9999 included) for date_status; `dated` stores it
        cast_timestamp(joined.published) as published_at,
        raw_text(joined.category) as category,
        raw_text(joined.type) as type,
        parse_int(joined.quality) as quality,
        -- heat -1 is the aggregator's "not measured": stored as NULL, not as a score
        nullif(parse_int(joined.heat), -1) as heat,
        parse_bool(joined.is_published) as is_published,
        coalesce(declared.provider_id, urls.host) as provider_id,
        raw_text(joined.provider_name) as provider_name,
        feed_channel(urls.canonical_url, urls.host, raw_text(joined.provider_name)) as channel,
        raw_text(joined.secured) as secured,
        joined.body_chars,
        joined.extra,
        joined.latest_plausible
    from joined
    left join staging.url_map as urls on urls.raw_url = joined.raw_url
    left join staging.declared_domains as declared on declared.declared_domain = joined.provider_domain
),

dated as not materialized (
    select
        typed.* exclude (latest_plausible) replace (storable_timestamp(typed.published_at) as published_at),
        date_status(typed.published_at, typed.latest_plausible) as date_status
    from typed
),

-- Syndication: copies of one story under different URLs (wire copies, re-posts). Dated articles
-- whose headlines reduce to the same title_key of at least three words are chained in time
-- order; a copy published more than 7 days after the previous one starts a new group. A group
-- is named by its earliest copy (ties: the smaller article_id).
keyed as (
    select article_id, title_key(title) as title_key, published_at
    from dated
    where date_status = 'dated'
),

copies as (
    select * from keyed
    where strlen(title_key) - strlen(replace(title_key, ' ', '')) >= 2  -- three words or more
),

chained as (
    select
        *,
        coalesce(
            published_at - lag(published_at) over (partition by title_key order by published_at, article_id)
                > interval 7 day,
            true
        ) as starts_group
    from copies
),

numbered as (
    select
        *,
        sum(starts_group::integer) over (
            partition by title_key order by published_at, article_id rows unbounded preceding
        ) as group_number
    from chained
),

groups as (
    select
        article_id,
        first_value(article_id) over (
            partition by title_key, group_number order by published_at, article_id
        ) as syndication_group_id
    from numbered
),

final as (
    select
        dated.* exclude (channel),
        feed_key(dated.provider_id, dated.channel, dated.content_kind) as feed_id,
        coalesce(groups.syndication_group_id, dated.article_id) as syndication_group_id
    from dated
    left join groups using (article_id)
)

select * from final
order by article_id
