-- core.seed_files: the ledger, one row per file found under the seeds root.
-- A file is loaded (it is the article), duplicate (another file holds the same canonical URL;
-- the first by path wins) or quarantined (error_kind says why).
with parsed as (
    select * from staging.parsed_seeds
),

cleaned as (
    select
        source_path,
        size_bytes,
        modified_at,
        content_sha256,
        error_kind as parse_error_kind,
        error_message as parse_error_message,
        error_line,
        raw_text(title) as title,
        json_exists(extra, '$.name') as has_name,
        coalesce(raw_text(web_url), raw_text(original_url)) as raw_url
    from parsed
),

resolved as (
    select cleaned.*, urls.canonical_url, urls.host
    from cleaned
    left join staging.url_map as urls on urls.raw_url = cleaned.raw_url
),

checked as (
    select
        *,
        case
            when parse_error_kind is not null then parse_error_kind
            when title is null then 'missing_field'
            when raw_url is null then 'missing_field'
            when canonical_url is null then 'invalid_url'
            -- Not seen in practice: raw_text strips what pipeline/urls.py strips, and canonical
            -- URLs have hosts. Held here so that the critical checks of core.articles on
            -- web_url and provider_id rest on the ledger, not on two code paths agreeing.
            when not regexp_matches(raw_url, '^[Hh][Tt][Tt][Pp][Ss]?://') or coalesce(host, '') = ''
                then 'invalid_url'
        end as error_kind,
        case
            when parse_error_kind is not null then parse_error_message
            when title is null and has_name
                then 'no title: an article needs a non-empty ''title'' (this file has ''name'': '
                    || 'a profile, event or project page rather than a news item)'
            when title is null then 'no title: an article needs a non-empty ''title'''
            when raw_url is null then 'no URL: an article needs ''webUrl'' (or ''originalUrl'')'
            when canonical_url is null then 'the URL ' || raw_url || ' is not an http(s) URL'
            when not regexp_matches(raw_url, '^[Hh][Tt][Tt][Pp][Ss]?://') or coalesce(host, '') = ''
                then 'the URL ' || raw_url || ' does not start with http:// or https://, or has no host'
        end as error_message
    from resolved
),

ranked as (
    select
        *,
        row_number() over (partition by canonical_url order by source_path) as copy_rank,
        first_value(source_path) over (partition by canonical_url order by source_path) as first_path
    from checked
    where error_kind is null
),

final as (
    select
        checked.source_path,
        checked.size_bytes,
        checked.modified_at,
        checked.content_sha256,
        case
            when checked.error_kind is not null then 'quarantined'
            when ranked.copy_rank = 1 then 'loaded'
            else 'duplicate'
        end as status,
        case when checked.error_kind is null then article_key(checked.canonical_url) end as article_id,
        checked.error_kind,
        case
            when ranked.copy_rank > 1
                then 'same article as ' || ranked.first_path || ' (canonical URL ' || checked.canonical_url || ')'
            else checked.error_message
        end as error_message,
        checked.error_line
    from checked
    left join ranked using (source_path)
)

select * from final
order by source_path
