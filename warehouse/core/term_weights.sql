-- core.term_weights: how rare each content term (story_terms in warehouse/macros.sql) is among the
-- titles and excerpts of every news article and every related item listed by one: the weights
-- story evidence gives the terms two texts share (core.related_links, analytics.story_edges).
-- The weight is the smoothed inverse document frequency, ln((n + 1) / (df + 1)) + 1, in units of
-- a term found in one document only: 1 for the rarest terms, less for common ones.
with news as (
    select article_id, source_path, title, excerpt from core.articles where content_kind = 'news'
),

documents as (
    select story_terms(title, excerpt) as terms from news
    union all
    select story_terms(clean_text(item.title), clean_text(item.excerpt))
    from (
        select unnest(parsed.related) as item
        from news
        join staging.parsed_seeds as parsed using (source_path)
    )
),

counted as (
    select term, count(*) as n_documents
    from (select unnest(terms) as term from documents)
    group by term
),

final as (
    select
        counted.term,
        counted.n_documents,
        round((ln((totals.n + 1) / (counted.n_documents + 1)) + 1) / (ln((totals.n + 1) / 2) + 1), 6) as weight
    from counted
    cross join (select count(*) as n from documents) as totals
)

select * from final
order by term
