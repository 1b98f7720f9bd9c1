-- core.article_topics: one row per article and topic; topics trimmed and de-duplicated per
-- article (the first position a topic appears at is kept as its ordinal).
with articles as (
    select article_id, source_path from core.articles
),

items as (
    select
        articles.article_id,
        item.ordinality::integer as position,
        raw_text(item.topic) as topic
    from articles
    join staging.parsed_seeds as parsed using (source_path),
        unnest(parsed.topics) with ordinality as item(topic, ordinality)
),

final as (
    select
        article_id,
        topic,
        row_number() over (partition by article_id order by min(position))::integer as ordinal
    from items
    where topic is not null
    group by article_id, topic
)

select * from final
order by article_id, ordinal
