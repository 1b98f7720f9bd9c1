-- core.article_images: one row per image of an article, in the order the seed lists them.
-- An image entry with no url carries nothing to keep and is skipped.
with articles as (
    select article_id, source_path from core.articles
),

items as (
    select
        articles.article_id,
        generate_subscripts(parsed.images, 1) as position,
        unnest(parsed.images) as image
    from articles
    join staging.parsed_seeds as parsed using (source_path)
),

final as (
    select
        article_id,
        row_number() over (partition by article_id order by position)::integer as ordinal,
        raw_text(image.url) as url,
        -- a size past an integer's range is NULL, as an unparseable one is: a cast would fail
        -- the whole build over one seed's image
        try_cast(parse_int(image.width) as integer) as width,
        try_cast(parse_int(image.height) as integer) as height,
        raw_text(image.title) as title
    from items
    where raw_text(image.url) is not null
)

select * from final
order by article_id, ordinal
