-- Helpers for typing raw seed values; created as temporary macros on every build connection.
-- Seeds are parsed without YAML typing, so every value arrives as the text that was written.

-- x without the spaces around it (trim's Unicode spaces). trim copies the whole string, which is
-- slow on long values such as `secured`; most values have nothing to trim, and their first and
-- last characters say so (x[-1] finds the last one without counting them all, as right() does).
create or replace temp macro trimmed(x) as
    case when trim(x[1]) = '' or trim(x[-1]) = '' then trim(x) else x end;

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

-- ISO 8601 date-times (any offset, converted to UTC) and date-only values (midnight UTC).
-- Anything else (garbage, epoch numbers) is NULL: the article stays, undated.
create or replace temp macro parse_timestamp(x) as
    try_cast(raw_text(x) as timestamptz);

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
-- a test holds the two equal on the corpora and generated seeds. The rules are those of
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
    -- url-normalize rewrites a hash-bang fragment (#!) as ?_escaped_fragment_=
    and not contains(url, '#!');

create or replace temp macro is_tracking_param(pair) as
    lower(split_part(pair, '=', 1)) like 'utm\_%' escape '\'
    or lower(split_part(pair, '=', 1)) in (
        'fbclid', 'gclid', 'dclid', 'msclkid', 'mc_cid', 'mc_eid', 'hss_channel', 'ocid', 'cmpid',
        '_ga', 'igshid', 'ref_src', 'guccounter'
    );

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

-- Whether a publish time can go on a time axis: 'dated'; 'missing' (no parseable time); or
-- 'implausible': before 1990, or more than a day after the seed file describing it was last
-- written (an article cannot appear after a file about it exists; the day allows for clock and
-- time-zone slips). Undateable articles stay in every count and leave only the time series.
create or replace temp macro date_status(published_at, written_at) as
    case
        when published_at is null then 'missing'
        when published_at < timestamptz '1990-01-01 00:00:00+00'
            or published_at > written_at + interval 1 day then 'implausible'
        else 'dated'
    end;

-- A headline reduced for spotting copies: accents stripped, lower case, every run of characters
-- other than letters and digits as one space. "Café opens — again!" -> 'cafe opens again'.
create or replace temp macro title_key(title) as
    nullif(trim(regexp_replace(lower(strip_accents(title)), '[^\p{L}\p{N}]+', ' ', 'g')), '');

-- The periods of a time series, first to last inclusive: Mondays for 'week', firsts for 'month'.
create or replace temp macro period_starts(grain, first_period, last_period) as
    list_transform(
        generate_series(
            first_period::timestamp,
            last_period::timestamp,
            case grain when 'week' then interval 7 day else interval 1 month end
        ),
        lambda t: t::date
    );

-- The period (UTC) a dated article falls in.
create or replace temp macro period_of(grain, published_at) as
    date_trunc(grain, published_at at time zone 'UTC')::date;
