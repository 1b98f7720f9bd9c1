-- core.text_features: every text the story evidence compares, reduced once: an article's own
-- title and excerpt (ordinal 0) and each related item it lists (ordinal n, as in
-- core.related_links). The parse reduces them (pipeline/parse/texts.py: headline keys and
-- content terms), in parallel and cached per file; core.term_weights counts these terms, and
-- core.related_links and analytics.story_edges compare them.
with texts as (
    select
        articles.article_id,
        generate_subscripts(parsed.texts, 1) - 1 as ordinal,
        unnest(parsed.texts) as text
    from core.articles as articles
    join staging.parsed_seeds as parsed using (source_path)
),

final as (
    select
        article_id,
        ordinal::integer as ordinal,
        text.title_key,
        -- the terms travel joined by spaces; '' is a text without any
        case when text.terms = '' then []::varchar [] else string_split(text.terms, ' ') end as terms
    from texts
)

select * from final
order by article_id, ordinal
