-- Helpers for typing raw seed values; created as temporary macros on every build connection.
-- Seeds are parsed without YAML typing, so every value arrives as the text that was written.

-- x without the white space around it: every character Python's str.strip() removes (tabs, CR,
-- LF, vertical tab, form feed, the separators U+001C-U+001F, U+0085 and Unicode's separators \pZ:
-- no-break, ideographic, line and paragraph separators), so that SQL and pipeline/urls.py see the
-- same URL. A scraper's "\thttps://..." or a YAML block scalar's final newline is not part of a
-- value. Stripping copies the whole string, which is slow on long values such as `secured`; most
-- values have nothing to strip, and their first and last characters say so. ord(x) reads only
-- the first character and x[-1] finds the last one without counting them all (as right() does).
-- An end at code point 32 or below (a space or a control character) or a non-ASCII white space
-- (the Unicode spaces trim() knows, U+0085, U+2028, U+2029) takes the regular expression; any
-- other value, nearly all of them, goes through untouched.
create or replace temp macro trimmed(x) as
    case
        when ord(x) <= 32 or ord(x[-1]) <= 32
            or (ord(x) >= 133 and (ord(x) = 133 or ord(x) in (8232, 8233) or trim(x[1]) = ''))
            or (ord(x[-1]) >= 133 and (ord(x[-1]) = 133 or ord(x[-1]) in (8232, 8233) or trim(x[-1]) = ''))
            then regexp_replace(
                x,
                '^[\x{09}-\x{0d}\x{1c}-\x{1f}\x{85}\pZ]+|[\x{09}-\x{0d}\x{1c}-\x{1f}\x{85}\pZ]+$',
                '',
                'g'
            )
        else x
    end;

-- Text as written, trimmed; YAML's spellings of "nothing" become NULL. (Compared one by one: an
-- IN list becomes a join per column.)
create or replace temp macro raw_text(x) as
    case
        when strlen(trimmed(x)) <= 4
            and (trimmed(x) = '' or trimmed(x) = '~' or trimmed(x) = 'null' or trimmed(x) = 'Null' or trimmed(x) = 'NULL')
            then null
        else trimmed(x)
    end;

-- Whole numbers, also when written as "42" or 42.0.
create or replace temp macro parse_int(x) as
    coalesce(
        try_cast(raw_text(x) as bigint),
        try_cast(round(try_cast(raw_text(x) as double)) as bigint)
    );

-- ISO 8601 date-times (any offset, converted to UTC) and date-only values (midnight UTC), as
-- DuckDB reads them. Anything else (garbage, epoch numbers) is NULL: the article stays, undated.
-- DuckDB also reads times nothing downstream can hold: 'infinity' and '-infinity', BC dates
-- ('0044-03-15 (BC)', '-0044-03-15', '0000-01-01') and years past 9999 ('99999-01-01'). They are
-- values that were written, so date_status calls them implausible; storable_timestamp keeps them
-- out of published_at.
create or replace temp macro cast_timestamp(x) as
    try_cast(raw_text(x) as timestamptz);

-- A cast time as published_at stores it: NULL unless finite and within the years 1 to 9999 (UTC).
-- Python's datetime holds nothing else: pandas frames, the checks' samples of failing rows and
-- every client fetching rows would fail on it (an infinite time never passes the comparison, so
-- needs no test of its own). Such a time is before 1990 or in the future, hence implausible.
create or replace temp macro storable_timestamp(t) as
    case when t >= timestamptz '0001-01-01 00:00:00+00' and t < timestamptz '10000-01-01 00:00:00+00' then t end;

-- A written publish time as published_at stores it (cast_timestamp, then storable_timestamp).
create or replace temp macro parse_timestamp(x) as
    storable_timestamp(cast_timestamp(x));

-- YAML 1.1 and 1.2 spellings of true/false; anything else is NULL.
create or replace temp macro parse_bool(x) as
    case lower(raw_text(x))
        when 'true' then true when 'yes' then true when 'on' then true when 'y' then true
        when 'false' then false when 'no' then false when 'off' then false when 'n' then false
    end;

-- Articles are keyed by their canonical URL: a stable 16-hex-digit id.
create or replace temp macro article_key(canonical_url) as
    substr(sha256(canonical_url), 1, 16);

-- A provider's declared domain as its key: 'https://WWW.Nature.com/x' -> 'nature.com'. An outlet's
-- key is this, else the host of the item's canonical URL (staging.declared_domains holds it for
-- every domain declared, so models join rather than run the expression per row).
create or replace temp macro domain_key(x) as
    nullif(
        trim(regexp_replace(lower(raw_text(x)), '^([a-z][a-z0-9+.-]*://)?(www\.)?([^/:?#]*).*$', '\3'), '.'),
        ''
    );


-- Canonical URLs, vectorised, for "simple" URLs: http(s), a plain ASCII host, an optional port,
-- and only characters that RFC 3986 normalisation leaves alone (no '%', no dot-segments, no
-- user info). Anything else is canonicalised in Python with url-normalize (pipeline/urls.py);
-- a test holds the two equal on the corpora and generated seeds. URLs arrive as raw_text gives
-- them, the white space around them stripped (trimmed), so both paths see the same URL; white
-- space inside a URL is no simple URL's, and goes to Python. The rules are those of
-- pipeline/urls.py: lower-case scheme and host, no default port, no utm_*/click-id parameters,
-- no fragment, no trailing slash but on the root.
-- (Each regular expression after the first runs only where a plain substring test says it could
-- match: most URLs have no dot-segment, no second '//', one '#' at most and few queries.)
create or replace temp macro is_simple_url(url) as
    regexp_full_match(url, '[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?([/?#][A-Za-z0-9._~:/?#\[\]@!$&''()*+,;=-]*)?')
    and not (contains(url, '/.') and regexp_matches(url, '/\.\.?(/|$|\?|#)'))
    -- url-normalize collapses empty path segments (//)
    and not (contains(substr(url, 8), '//') and regexp_matches(url, '^[A-Za-z]+://[^/?#]*[^?#]*//'))
    and not (contains(url, '#') and regexp_matches(url, '#.*#'))
    -- url-normalize percent-encodes a second '=' within one query parameter
    and not (
        contains(url, '?')
        and regexp_matches(regexp_extract(url, '^[^?#]*\?([^#]*)', 1), '(^|&)[^&=]*=[^&]*=')
    )
    -- a fragment is dropped whole (pipeline/urls.py drops it before url-normalize), hash-bangs too
    ;

-- tracking_param_pattern() is the pattern of pipeline/urls.py (TRACKING_PARAM_PATTERN), defined
-- from it on every connection (pipeline/warehouse.py), so the SQL and the Python
-- canonicalisation share one list; it is searched in the lower-cased name, as courlan does.
create or replace temp macro is_tracking_param(pair) as
    regexp_matches(lower(split_part(pair, '=', 1)), tracking_param_pattern());

-- A simple URL's parts, in one pass of one regular expression.
create or replace temp macro url_parts(url) as
    regexp_extract(
        url, '^([A-Za-z]+)://([^/?#:]*)(?::([0-9]+))?([^?#]*)(?:\?([^#]*))?', ['scheme', 'host', 'port', 'path', 'query']
    );

-- The canonical URL of a simple URL's parts (a struct from url_parts). Bulk callers compute the
-- parts once in a column first: each reference to `parts` is evaluated again.
create or replace temp macro canonical_of_parts(parts) as
    lower(parts.scheme) || '://' || lower(parts.host)
    || case
        when parts.port = ''
            or (lower(parts.scheme) = 'http' and parts.port::int = 80)
            or (lower(parts.scheme) = 'https' and parts.port::int = 443)
            then ''
        else ':' || ltrim(parts.port, '0')
    end
    || case
        when parts.path = '' then '/'
        when strlen(parts.path) > 1 then coalesce(nullif(rtrim(parts.path, '/'), ''), '/')
        else parts.path
    end
    || coalesce('?' || nullif(array_to_string(
            list_filter(string_split(parts.query, '&'), lambda p: p <> '' and not is_tracking_param(p)), '&'), ''), '');

create or replace temp macro simple_canonical_url(url) as
    canonical_of_parts(url_parts(url));

-- The host of a canonical URL without a leading "www." (what pipeline/urls.host_of gives).
create or replace temp macro canonical_host(canonical_url) as
    nullif(regexp_replace(regexp_extract(canonical_url, '^[a-z]+://([^/:?#]*)', 1), '^www\.', ''), '');

-- The latest time an item described by a seed file can plausibly have been published: when the
-- file was last written (an article cannot appear after a file about it exists), if that time is
-- itself plausible; else when the build started (quality.build_info.started_at). A modification
-- time before 1990 is an archive's or a reproducible build's stand-in (zip's 1980, tar or
-- SOURCE_DATE_EPOCH's 1970), not a writing time, and would make every article of the file
-- implausible; one after the build started is a wrong clock, and would let future dates pass.
create or replace temp macro latest_publish_time(written_at, build_started_at) as
    case
        when written_at >= timestamptz '1990-01-01 00:00:00+00' then least(written_at, build_started_at)
        else build_started_at
    end;

-- Whether a publish time can go on a time axis, from the time as cast (cast_timestamp, before
-- storable_timestamp) and latest_publish_time: 'dated'; 'missing' (nothing written, or nothing
-- DuckDB reads as a time); or 'implausible': before 1990 (BC dates and -infinity included), or
-- more than a day after the latest plausible time (years past 9999 and infinity included; the day
-- allows for clock and time-zone slips). A dated time is always storable, so dated rows have a
-- published_at; implausible ones keep theirs when storable, else NULL. Undateable articles stay
-- in every count and leave only the time series.
create or replace temp macro date_status(published_as_cast, latest) as
    case
        when published_as_cast is null then 'missing'
        when published_as_cast < timestamptz '1990-01-01 00:00:00+00'
            or published_as_cast > latest + interval 1 day then 'implausible'
        else 'dated'
    end;

-- A headline reduced for spotting copies: accents stripped, lower case, every run of characters
-- other than letters and digits as one space. "Café opens — again!" -> 'cafe opens again'.
create or replace temp macro title_key(title) as
    nullif(trim(regexp_replace(lower(strip_accents(title)), '[^\p{L}\p{N}]+', ' ', 'g')), '');

-- The periods of a time series, first to last inclusive: days for 'day', Mondays for 'week',
-- firsts for 'month'.
-- Callers pass periods of dated articles only, and a dated time lies between 1990 and a day after
-- the build started (date_status), so a series has at most 53 weeks and 12 months for each year
-- since 1990, and 366 days (about 15,000 periods in the 2020s); the zero-filled marts say how
-- they keep that from multiplying by topics and outlets.
create or replace temp macro period_starts(grain, first_period, last_period) as
    list_transform(
        generate_series(
            first_period::timestamp,
            last_period::timestamp,
            case grain when 'day' then interval 1 day when 'week' then interval 7 day else interval 1 month end
        ),
        lambda t: t::date
    );

-- The period (UTC) a dated article falls in.
create or replace temp macro period_of(grain, published_at) as
    date_trunc(grain, published_at at time zone 'UTC')::date;

-- A canonical URL's identity key: what is left once the variants one article is served under are
-- set aside, so that files and related items naming the same article by different variants are
-- one article (core.seed_files finds duplicates by it; core.related_links resolves by it). The
-- canonical URL itself keeps the variant (the article_id of every URL the rules before this key
-- existed already handled stays what it was). Set aside, in order:
--   * the scheme: http:// and https:// serve one article;
--   * a leading `www.`, `m.`, `mobile.` or `amp.` label of the host (desktop, mobile, AMP sites);
--   * AMP paths: a last segment `/amp`, a first segment `/amp/`, and `.amp` before an extension
--     (`story.amp.html`);
--   * AMP query parameters: `amp` (any value) and `outputType=amp` / `output=amp`.
-- Example: http://amp.example.com/news/story/amp?outputType=amp -> example.com/news/story
create or replace temp macro url_key_of_parts(parts) as
    regexp_replace(parts.host, '^(www|m|mobile|amp)\.', '')
    || coalesce(nullif(
        regexp_replace(regexp_replace(regexp_replace(parts.path, '/amp$', ''), '^/amp/', '/'), '\.amp(\.[a-z]+)$', '\1'),
        ''), '/')
    || coalesce('?' || nullif(array_to_string(
            list_filter(string_split(parts.query, '&'), lambda p: not regexp_matches(lower(p), '^amp(=.*)?$|^output(type)?=amp$')),
            '&'), ''), '');

create or replace temp macro url_key(canonical_url) as
    url_key_of_parts(regexp_extract(
        canonical_url, '^[a-z]+://([^/?]*)([^?]*)(?:\?(.*))?$', ['host', 'path', 'query']
    ));

-- Whether a host (lower case, `www.` already set aside) is a video platform's: YouTube, Vimeo,
-- Dailymotion, TikTok or Twitch, their mobile hosts included. One list for the content-kind rule
-- (such items are videos) and the feed rule (such feeds are channels).
create or replace temp macro is_video_platform(host) as
    regexp_matches(host, '^(m\.)?(youtube\.com|youtu\.be|vimeo\.com|player\.vimeo\.com|dailymotion\.com|tiktok\.com|twitch\.tv)$');

-- What an item is (core.articles.content_kind), from the first rule that applies:
--   1. newsletter: the aggregator's own digest, kept in a `newsletters` collection folder or
--      served under a `/newsletter/` path (its "outlet" is the aggregator itself);
--   2. the seed's `type`, where it names a kind: video, course, book, answer (an explainer),
--      collection, code (code_sample), report, event, podcast, newsletter;
--   3. video: the URL is on a video platform (YouTube, Vimeo, Dailymotion, TikTok, Twitch) or
--      under a `/video/` or `/videos/` section of a news site (zdnet.com/video/...);
--   4. the collection folder the file sits in (a leading `_` ignored, as Jekyll names them):
--      videos, courses, books, answers, collections, projects (code_sample); any other file
--      under `learning` is a learning_resource;
--   5. news: `category: news`, or `type` article/news/story/post/blog or none;
--   6. other: a `type` none of the rules knows (it is kept, and counted as itself by
--      analytics.content_summary, but no mart counts it as news).
-- `type` says `article` for nearly everything in aggregator repositories (their newsletters
-- and report pages included), which is why folder and URL rules come first.
create or replace temp macro content_kind(source_path, type, category, canonical_url) as
    case
        when regexp_matches(lower(source_path), '(^|/)_?newsletters?/')
            or regexp_matches(lower(canonical_url), '^[a-z]+://[^/]+(/[^?]*)?/newsletters?/') then 'newsletter'
        when type in ('video', 'course', 'book', 'answer', 'collection', 'report', 'event', 'podcast', 'newsletter')
            then type
        when type in ('code', 'project') then 'code_sample'
        when is_video_platform(canonical_host(canonical_url))
            or regexp_matches(lower(canonical_url), '^[a-z]+://[^/]+/videos?/') then 'video'
        when regexp_matches(lower(source_path), '(^|/)_?videos/') then 'video'
        when regexp_matches(lower(source_path), '(^|/)_?courses/') then 'course'
        when regexp_matches(lower(source_path), '(^|/)_?books/') then 'book'
        when regexp_matches(lower(source_path), '(^|/)_?answers/') then 'answer'
        when regexp_matches(lower(source_path), '(^|/)_?collections/') then 'collection'
        when regexp_matches(lower(source_path), '(^|/)_?projects/') then 'code_sample'
        when regexp_matches(lower(source_path), '(^|/)_?learning/') then 'learning_resource'
        when category = 'news' or type is null or type in ('article', 'news', 'story', 'post', 'blog', 'blogpost')
            then 'news'
        else 'other'
    end;

-- Whether a file found under the seeds root looks like a news item (core.seed_files.news_status):
-- not a repository document or data file without front matter (README, LICENSE, SOURCE, *.yaml,
-- *.json …), not a profile/event/project page (a `name` and no `title`), not an item the
-- aggregator withdrew, and not of a non-news kind. Everything else counts: a news file that lost
-- its front matter is exactly what the quarantine warning is for.
create or replace temp macro is_news_like(source_path, parse_error_kind, title, has_name, removed, kind) as
    case
        when removed then false
        when parse_error_kind = 'no_front_matter'
            and (regexp_matches(lower(source_path), '(^|/)(readme|license|licence|changelog|contributing|source|notice|authors|copying)(\.[a-z0-9]+)?$')
                or regexp_matches(lower(source_path), '\.(ya?ml|json|csv|tsv|toml|xml|ini|cfg|txt\.gz|gz|zip)$'))
            then false
        when title is null and coalesce(has_name, false) then false
        when kind is not null and kind <> 'news' then false
        else true
    end;

-- Titles and excerpts as text: raw_text, and also without the escape sequences a scraper left
-- written out at either end (a literal `\r\n` or `\t` in a plain YAML scalar, which YAML keeps as
-- backslash and letter). Only values holding a backslash take the regular expression.
create or replace temp macro clean_text(x) as
    case
        when contains(raw_text(x), '\')
            then nullif(regexp_replace(raw_text(x), '^([\s\pZ]|\\[rnt])+|([\s\pZ]|\\[rnt])+$', '', 'g'), '')
        else raw_text(x)
    end;

-- The collection a seed file belongs to: its folder, without the date folders many layouts file
-- seeds under (`news/2020/04/x.md` -> 'news', `_archive/_news/x.md` -> '_archive/_news'); '.'
-- for files at the root. A collection is a section the aggregator collects, and it can stop.
create or replace temp macro collection_of(source_path) as
    coalesce(
        nullif(regexp_replace(regexp_replace(source_path, '/?[^/]*$', ''), '(/[0-9]{1,4})+$|^[0-9]{1,4}(/[0-9]{1,4})*$', ''), ''),
        '.'
    );

-- The channel an item came through, within its outlet (core.feeds): the URL's host without
-- `www.`, then
--   * on a video platform, the channel: the provider's name as the seed gives it (an aggregator
--     files a YouTube upload under the channel's name, `youtube.com / Two Minute Papers`);
--   * on a blog path (`/blog/<name>/…`, `/blogs/<name>/…`), that blog (`aws.amazon.com/blogs/machine-learning`).
-- So `microsoft.com` splits into blogs.microsoft.com, techcommunity.microsoft.com and
-- docs.microsoft.com, and `youtube.com` into its channels.
create or replace temp macro feed_channel(canonical_url, host, provider_name) as
    case
        when is_video_platform(host)
            then regexp_replace(host, '^m\.', '') || coalesce(' / ' || provider_name, '')
        else host || coalesce(regexp_extract(canonical_url, '^[a-z]+://[^/?]+(/blogs?/[^/?]+)/[^?]', 1), '')
    end;

-- A feed's key: outlet, channel and, for items that are not news, their kind (a site's courses
-- are not its news feed): 'microsoft.com | docs.microsoft.com (course)'.
create or replace temp macro feed_key(provider_id, channel, content_kind) as
    provider_id || ' | ' || coalesce(channel, '?') || case when content_kind <> 'news' then ' (' || content_kind || ')' else '' end;

-- The channel part of a feed key (feed_key): between the outlet's ' | ' and a kind's ' (…)'.
create or replace temp macro channel_of_feed(feed_id) as
    regexp_replace(split_part(feed_id, ' | ', 2), ' \([a-z_]+\)$', '');

-- Every content term's weight as one map, the `weights` terms_weight() reads: an aggregate over
-- core.term_weights (`select term_weights_map(term, weight) from core.term_weights`), each weight
-- as the decimal(7, 6) the sums below are exact in.
create or replace temp macro term_weights_map(term, weight) as
    map_from_entries(list((term, weight::decimal(7, 6))));

-- The summed weight of a list of terms, from `weights`, a map of every content term to its weight
-- (term_weights_map() above); a term without a weight adds nothing, and a list of
-- none sums to NULL. Summed as decimals, exactly: a sum of doubles depends on the order the terms
-- are added in, and its last bit can move the rounded evidence (0.00005 either way) from one
-- build of the same seeds to the next. A map looked up term by term costs less than unnesting
-- the terms and joining them to the weights (core.related_links, analytics.story_edges).
create or replace temp macro terms_weight(terms, weights) as
    list_sum(list_transform(terms, lambda term: weights[term]))::double;

-- Whether two news items report the same story (core.related_links.relation, analytics.story_edges),
-- from the first rule that applies:
--   * one outlet's two items are related coverage (an outlet does not report an event twice; its
--     follow-ups and its "more on this topic" lists are what the aggregator's related lists hold);
--   * so are items not both dated, or published more than 7 days apart;
--   * same_story when the headlines agree (title_similarity >= 0.8: one's words are nearly all the
--     other's) or the texts share rare terms (shared_evidence >= 4.5: the weights of the terms both
--     use, core.term_weights, summed; a term no other text uses weighs 1, so about four or five
--     such terms);
--   * else related coverage.
-- The thresholds were chosen on tests/fixtures (pairs labelled by reading); bench/stories.py
-- prints the precision and recall they give.
create or replace temp macro story_relation(same_provider, hours_apart, title_similarity, shared_evidence) as
    case
        when same_provider or hours_apart is null or hours_apart > 168 then 'related_coverage'
        when title_similarity >= 0.8 or shared_evidence >= 4.5 then 'same_story'
        else 'related_coverage'
    end;

-- Whether two dated items of one kind, published within 7 days of each other, are copies of one
-- story (core.articles.syndication_group_id), from their headline and excerpt keys (headline_key in
-- pipeline/parse/texts.py):
--   * the same headline key of three words or more: a re-post, whatever its prefix ("UPDATE:"),
--     punctuation, case or dropped stop words;
--   * headline keys of three words or more that differ by a typo or two (headline_similarity
--     >= 0.9) and hold the same numbers, unless both excerpts are given and differ (their keys'
--     headline_similarity < 0.7: a copy carries the same text):
--     "How will the NLP market deal with COVID-19" and "How will the robotics market deal with
--     COVID-19" are one template, two stories;
--   * or the same excerpt of twelve words or more (headline_similarity of the excerpt keys >= 0.9)
--     under rewritten headlines: a press release re-titled by the site that carries it.
create or replace temp macro is_syndicated_copy(key_a, key_b, excerpt_a, excerpt_b) as
    (
        len(string_split(key_a, ' ')) >= 3 and len(string_split(key_b, ' ')) >= 3
        and (
            key_a = key_b
            or (
                headline_similarity(key_a, key_b) >= 0.9
                -- numbers are never a typo: "part 2 of 8" and "part 3 of 8" are two stories
                and list_sort(regexp_extract_all(key_a, '[0-9]+')) = list_sort(regexp_extract_all(key_b, '[0-9]+'))
                and coalesce(headline_similarity(excerpt_a, excerpt_b) >= 0.7, true)
            )
        )
    )
    or (
        len(string_split(excerpt_a, ' ')) >= 12 and len(string_split(excerpt_b, ' ')) >= 12
        and headline_similarity(excerpt_a, excerpt_b) >= 0.9
    );

-- A news item's title and excerpt as analytics.term_attention matches terms in them: accents
-- dropped, lower case, every run of characters other than a-z and 0-9 one space, with a space at
-- either end, so that a spelling (reduced alike by pipeline/terms.py) is found as whole words.
create or replace temp macro term_text(title, excerpt) as
    ' ' || trim(regexp_replace(lower(strip_accents(coalesce(title, '') || ' ' || coalesce(excerpt, ''))), '[^a-z0-9]+', ' ', 'g')) || ' ';
