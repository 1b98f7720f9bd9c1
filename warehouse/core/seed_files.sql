-- core.seed_files: the ledger, one row per file found under the seeds root.
-- A file is loaded (it is the article), duplicate (another file holds the same article: the same
-- URL identity key, url_key in warehouse/macros.sql; the first by path wins) or quarantined
-- (error_kind says why; `removed` when the aggregator withdrew the item).
with parsed as (
    select * from staging.parsed_seeds
),

-- (read by `urls` below: the linter loses track of it in that CTE's joins)
cleaned as (  -- noqa: ST03
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
        raw_text(web_url) as web_url,
        raw_text(original_url) as original_url,
        provider_domain,
        lower(raw_text(type)) as type,
        lower(raw_text(category)) as category,
        coalesce(parse_bool(removed), false) as removed
    from parsed
),

-- Which of webUrl and originalUrl is the article's URL (core.articles.url_source): when they name
-- different articles, the one on the declared outlet's registered domain; when both or neither
-- are, originalUrl (the aggregator's link to the source: in every such file of the real corpora,
-- webUrl named another outlet's page). Two variants of one article keep webUrl, the URL that
-- keyed every article before originalUrl was weighed, so their article_id does not change.
urls as (
    select
        cleaned.*,
        web.url_key as web_key,
        original.url_key as original_key,
        case
            when cleaned.original_url is null then 'webUrl'
            when cleaned.web_url is null then 'originalUrl'
            when web.canonical_url is null and original.canonical_url is not null then 'originalUrl'
            when original.canonical_url is null then 'webUrl'
            when web.url_key = original.url_key then 'webUrl'
            when web_domain.registered_domain = outlet.registered_domain
                and original_domain.registered_domain is distinct from outlet.registered_domain then 'webUrl'
            else 'originalUrl'
        end as url_source
    from cleaned
    left join staging.url_map as web on web.raw_url = cleaned.web_url
    left join staging.url_map as original on original.raw_url = cleaned.original_url
    left join staging.declared_domains as declared on declared.declared_domain = cleaned.provider_domain
    left join staging.domain_map as outlet on outlet.provider_id = declared.provider_id
    left join staging.domain_map as web_domain on web_domain.provider_id = web.host
    left join staging.domain_map as original_domain on original_domain.provider_id = original.host
),

resolved as (
    select
        urls.* exclude (web_key, original_key),
        case when urls.url_source = 'webUrl' then urls.web_url else urls.original_url end as raw_url,
        coalesce(urls.web_key <> urls.original_key, false) as urls_disagree,
        chosen.canonical_url,
        chosen.host,
        chosen.url_key,
        content_kind(urls.source_path, urls.type, urls.category, chosen.canonical_url) as content_kind
    from urls
    left join staging.url_map as chosen
        on chosen.raw_url = case when urls.url_source = 'webUrl' then urls.web_url else urls.original_url end
),

checked as (
    select
        *,
        case
            when parse_error_kind is not null then parse_error_kind
            when removed then 'removed'
            when title is null then 'missing_field'
            when raw_url is null then 'missing_field'
            when canonical_url is null then 'invalid_url'
            -- Not seen in practice: raw_text strips what pipeline/urls.py strips, and canonical
            -- URLs have hosts. Held here so that the critical checks of core.articles on the
            -- URL and provider_id rest on the ledger, not on two code paths agreeing.
            when not regexp_matches(raw_url, '^[Hh][Tt][Tt][Pp][Ss]?://') or coalesce(host, '') = ''
                then 'invalid_url'
        end as error_kind,
        case
            when parse_error_kind is not null then parse_error_message
            when removed
                then 'the aggregator marked this item removed (removed: true): it is not counted as an article'
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
        row_number() over (partition by url_key order by source_path) as copy_rank,
        first_value(source_path) over (partition by url_key order by source_path) as first_path,
        first_value(canonical_url) over (partition by url_key order by source_path) as first_canonical
    from checked
    where error_kind is null
),

final as (
    select
        checked.source_path,
        checked.size_bytes,
        checked.modified_at,
        (checked.modified_at at time zone 'UTC')::date as modified_date,
        checked.content_sha256,
        case
            when checked.error_kind is not null then 'quarantined'
            when ranked.copy_rank = 1 then 'loaded'
            else 'duplicate'
        end as status,
        -- a duplicate is the article its first copy loaded, whichever variant of the URL it gives
        article_key(ranked.first_canonical) as article_id,
        checked.error_kind,
        case
            when ranked.copy_rank > 1
                then 'same article as ' || ranked.first_path || ' (canonical URL ' || checked.canonical_url
                    || case
                        when checked.canonical_url <> ranked.first_canonical
                            then ', a variant of ' || ranked.first_canonical
                        else ''
                    end
                    || ')'
            else checked.error_message
        end as error_message,
        checked.error_line,
        case when checked.raw_url is not null then checked.url_source end as url_source,
        checked.urls_disagree,
        checked.content_kind,
        -- the status of the files that look like news items, NULL for the others (see
        -- is_news_like): the quarantine warning counts only news that failed to load
        case
            when is_news_like(checked.source_path, checked.parse_error_kind, checked.title,
                              checked.has_name, checked.removed, checked.content_kind)
                then case
                    when checked.error_kind is not null then 'quarantined'
                    when ranked.copy_rank = 1 then 'loaded'
                    else 'duplicate'
                end
        end as news_status
    from checked
    left join ranked using (source_path)
)

select * from final
order by source_path
