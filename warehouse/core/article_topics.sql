-- core.article_topics: one row per article and topic; topics trimmed and de-duplicated per
-- article (the first position a topic appears at is kept as its ordinal).
with articles as (
    select article_id, source_path from core.articles
),

-- unnest in the select list, not as a lateral join: DuckDB then needs no join to put each
-- item back with its row (ten times less work)
items as (
    select
        articles.article_id,
        generate_subscripts(parsed.topics, 1) as position,
        unnest(parsed.topics) as written
    from articles
    join staging.parsed_seeds as parsed using (source_path)
),

cleaned as (
    select article_id, position, raw_text(written) as topic
    from items
),

final as (
    select
        article_id,
        topic,
        row_number() over (partition by article_id order by min(position))::integer as ordinal
    from cleaned
    where topic is not null
    group by article_id, topic
)

select * from final
order by article_id, ordinal
