-- core.term_weights: how rare each content term (content_terms in pipeline/parse/texts.py) is
-- among the titles and excerpts of every news article and every related item listed by one (their terms
-- are in core.text_features): the weights story evidence gives the terms two texts share
-- (core.related_links, analytics.story_edges).
-- The weight is the smoothed inverse document frequency, ln((n + 1) / (df + 1)) + 1, in units of
-- a term found in one document only: 1 for the rarest terms, less for common ones.
with documents as (
    select texts.terms
    from core.text_features as texts
    join core.articles as articles using (article_id)
    where articles.content_kind = 'news'
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
