-- Helpers for typing raw seed values; created as temporary macros on every build connection.
-- Seeds are parsed without YAML typing, so every value arrives as the text that was written.

-- Text as written, trimmed; YAML's spellings of "nothing" become NULL.
create or replace temp macro raw_text(x) as
    case when trim(x) in ('', '~', 'null', 'Null', 'NULL') then null else trim(x) end;

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

-- A provider's declared domain as its key: 'https://WWW.Nature.com/x' -> 'nature.com'.
create or replace temp macro domain_key(x) as
    nullif(
        trim(regexp_replace(lower(raw_text(x)), '^([a-z][a-z0-9+.-]*://)?(www\.)?([^/:?#]*).*$', '\3'), '.'),
        ''
    );

-- An outlet's key: its declared domain, else the host of the item's canonical URL.
create or replace temp macro provider_key(declared_domain, url_host) as
    coalesce(domain_key(declared_domain), url_host);
