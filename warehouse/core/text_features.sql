-- core.text_features: every text the story evidence compares, reduced once: an article's own
-- title and excerpt (ordinal 0) and each related item it lists (ordinal n, as in
-- core.related_links). core.term_weights counts these terms, and core.related_links and
-- analytics.story_edges compare them, so the words of a text are extracted once per build
-- however many pairs it takes part in.
with related as (
    select
        articles.article_id,
        generate_subscripts(parsed.related, 1)::integer as ordinal,
        unnest(parsed.related) as item
    from core.articles as articles
    join staging.parsed_seeds as parsed using (source_path)
),

texts as (
    select article_id, 0 as ordinal, title, excerpt from core.articles
    union all
    select article_id, ordinal, clean_text(item.title), clean_text(item.excerpt) from related
),

final as (
    select
        article_id,
        ordinal,
        headline_key(title) as title_key,
        story_terms(title, excerpt) as terms
    from texts
)

select * from final
order by article_id, ordinal
