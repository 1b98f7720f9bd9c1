-- core.article_authors: one row per byline of an item, in the order the seed lists them
-- (provider.authors, then a top-level authors list). An entry with no name is skipped.
with items as (
    select
        articles.article_id,
        generate_subscripts(parsed.authors, 1) as position,
        unnest(parsed.authors) as author
    from core.articles as articles
    join staging.parsed_seeds as parsed using (source_path)
),

final as (
    select
        article_id,
        row_number() over (partition by article_id order by position)::integer as ordinal,
        clean_text(author) as name
    from items
    where clean_text(author) is not null
)

select * from final
order by article_id, ordinal
