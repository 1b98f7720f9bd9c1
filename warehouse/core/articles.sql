-- core.articles: one row per distinct article (canonical URL), from the file that loaded it.
-- Built in steps: the articles typed (`_articles`), then their syndication groups, found by
-- comparing candidate pairs of headlines (kept as temporary tables, dropped after this build).
create or replace temp table _articles as
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
)

select * from dated;

-- Syndication: copies of one story under different URLs (wire copies, re-posts). Two dated items
-- of one kind published within 7 days of each other are copies (is_syndicated_copy in
-- warehouse/macros.sql) when their headline keys (reduced in the parse, pipeline/parse/texts.py:
-- wire prefixes, stop words, punctuation and case set aside) are alike, and their excerpts do not say otherwise; or when
-- their excerpts are the same text under rewritten headlines. A group is every item joined by a
-- chain of copies, named by its earliest copy (ties: the smaller article_id). Candidates are
-- found by blocking, never by comparing all pairs: pairs that share one of their two rarest
-- headline words, or whose excerpts open with the same eight words.
create or replace temp table _headlines as
select
    articles.article_id,
    articles.content_kind,
    articles.published_at,
    parsed.texts[1].title_key as key,
    parsed.excerpt_key
from _articles as articles
join staging.parsed_seeds as parsed using (source_path)
where articles.date_status = 'dated';

create or replace temp table _copy_candidates as
with words as (
    select article_id, unnest(list_distinct(string_split(key, ' '))) as word from _headlines where key is not null
),

counted as (
    select word, count(*) as n_headlines from words group by word
),

-- prefix filtering: near-identical headlines share nearly all their words, so they share one of
-- each other's two rarest (a typo in one leaves the other); each headline is compared only with
-- those holding one of its two rarest words. A window, not an aggregate: DuckDB spills a window's
-- partitions to disk, while arg_min's n smallest (or an ordered list) keeps every headline's
-- state in memory, beyond the build's memory limit at a million seeds.
rarest as (
    select words.article_id, words.word
    from words
    join counted using (word)
    where counted.n_headlines >= 2
    qualify row_number() over (partition by words.article_id order by counted.n_headlines, words.word) <= 2
),

blocks as (
    select article_id, word as block from rarest
    union all
    select article_id, 'excerpt: ' || array_to_string(string_split(excerpt_key, ' ')[1:8], ' ')
    from _headlines
    where len(string_split(excerpt_key, ' ')) >= 8
),

-- a block held by more than 200 headlines is a common word, not evidence: comparing all its
-- pairs would grow with the square of the corpus (its headlines still meet in their other block)
small_blocks as (
    select block from blocks group by block having count(*) <= 200
),

-- the small blocks only, before they are paired: pairing first and dropping the common blocks
-- after would make every pair of a common word once
dated_blocks as (
    select blocks.*, headlines.published_at
    from blocks
    join _headlines as headlines using (article_id)
    where blocks.block in (select block from small_blocks)
),

pairs as (
    select distinct a.article_id as article_a, b.article_id as article_b
    from dated_blocks as a
    join dated_blocks as b
        on a.block = b.block
        and a.article_id < b.article_id
        and b.published_at between a.published_at - interval 7 day and a.published_at + interval 7 day
)

-- what no copy can fail, checked before any similarity is computed: one kind, and headlines of
-- comparable length (a ratio of 0.9 allows a tenth of their summed lengths to
-- differ) unless the excerpts open alike
select pairs.article_a, pairs.article_b
from pairs
join _headlines as a on a.article_id = pairs.article_a
join _headlines as b on b.article_id = pairs.article_b
where a.content_kind = b.content_kind
    and (
        abs(strlen(a.key) - strlen(b.key)) <= 0.1 * (strlen(a.key) + strlen(b.key))
        or string_split(a.excerpt_key, ' ')[1:8] = string_split(b.excerpt_key, ' ')[1:8]
    );

create or replace temp table _copy_pairs as
select candidates.article_a, candidates.article_b
from _copy_candidates as candidates
join _headlines as a on a.article_id = candidates.article_a
join _headlines as b on b.article_id = candidates.article_b
where is_syndicated_copy(a.key, b.key, a.excerpt_key, b.excerpt_key);

-- label propagation over the copies, as for stories (analytics.story_members)
create or replace temp table _copy_groups as
with recursive
edges as (
    select article_a as src, article_b as dst from _copy_pairs
    union
    select article_b, article_a from _copy_pairs
),

labels(article_id, root) using key (article_id) as (
    select article_id, article_id from (select src as article_id from edges union select dst from edges)
    union
    select edges.dst, min(labels.root)
    from labels
    join edges on edges.src = labels.article_id
    join recurring.labels as current on current.article_id = edges.dst
    group by edges.dst
    having min(labels.root) < min(current.root)
)

select
    labels.article_id,
    first_value(labels.article_id) over (
        partition by labels.root order by headlines.published_at, labels.article_id
    ) as syndication_group_id
from labels
join _headlines as headlines using (article_id);

with final as (
    select
        articles.* exclude (channel),
        feed_key(articles.provider_id, articles.channel, articles.content_kind) as feed_id,
        coalesce(groups.syndication_group_id, articles.article_id) as syndication_group_id,
        (articles.published_at at time zone 'UTC')::date as published_date
    from _articles as articles
    left join _copy_groups as groups using (article_id)
)

select * from final
order by article_id
