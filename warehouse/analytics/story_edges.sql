-- analytics.story_edges: one row per pair of items that report the same story, with the evidence
-- that joined them. Stories (analytics.story_members) are the connected components of these edges.
-- Two sources of edges, the same rule (story_relation in warehouse/macros.sql) for both:
--   * related_link: a news article's related item classified same_story (core.related_links);
--   * text: two news articles of the corpus that report the same event without a link between
--     them. Candidates are found by blocking, never by comparing all pairs: two articles are
--     compared only when they share a rare term (used by at most 100 texts, core.term_weights)
--     and were published within 7 days of each other; each candidate is then scored.
-- Nodes are canonical URLs: an article's own, or a related item's when it is not in the corpus.
-- Counts news only (content_kind = 'news').

-- the terms rare enough to block on, with each dated news article that uses them
create or replace temp table _rare_postings as
select articles.article_id, articles.published_at, weights.term
from (
    select article_id, published_at, unnest(story_terms(title, excerpt)) as term
    from core.articles
    where content_kind = 'news' and date_status = 'dated'
) as articles
join core.term_weights as weights using (term)
where weights.n_documents between 2 and 100;

-- candidate pairs: a rare term in common, published within 7 days (a <-> b once, a < b)
create or replace temp table _candidates as
select distinct a.article_id as article_a, b.article_id as article_b
from _rare_postings as a
join _rare_postings as b
    on a.term = b.term
    and a.article_id < b.article_id
    and b.published_at between a.published_at - interval 7 day and a.published_at + interval 7 day;

with news as (
    select
        article_id,
        canonical_url,
        provider_id,
        published_at,
        date_status,
        headline_key(title) as key,
        story_terms(title, excerpt) as terms
    from core.articles
    where content_kind = 'news'
),

pairs as (
    select
        a.canonical_url as source_url,
        b.canonical_url as target_url,
        a.provider_id = b.provider_id as same_provider,
        round(abs(date_diff('second', a.published_at, b.published_at)) / 3600.0, 2) as hours_apart,
        coalesce(title_similarity(a.key, b.key), 0) as title_similarity,
        a.terms as a_terms,
        b.terms as b_terms,
        candidates.article_a,
        candidates.article_b
    from _candidates as candidates
    join news as a on a.article_id = candidates.article_a
    join news as b on b.article_id = candidates.article_b
),

-- the weights of every term either article uses, and of those both use (see core.related_links)
union_weights as (
    select terms.article_a, terms.article_b, sum(weights.weight) as union_weight
    from (select article_a, article_b, unnest(list_distinct(a_terms || b_terms)) as term from pairs) as terms
    join core.term_weights as weights using (term)
    group by all
),

shared_weights as (
    select terms.article_a, terms.article_b, sum(weights.weight) as shared_weight
    from (select article_a, article_b, unnest(list_intersect(a_terms, b_terms)) as term from pairs) as terms
    join core.term_weights as weights using (term)
    group by all
),

weighed as (
    select union_weights.article_a, union_weights.article_b, shared_weights.shared_weight, union_weights.union_weight
    from union_weights
    left join shared_weights using (article_a, article_b)
),

text_edges as (
    select
        pairs.source_url,
        pairs.target_url,
        'text' as evidence,
        pairs.title_similarity,
        coalesce(round(weighed.shared_weight / weighed.union_weight, 4), 0) as text_similarity,
        coalesce(round(weighed.shared_weight, 4), 0) as shared_evidence,
        pairs.hours_apart,
        pairs.same_provider
    from pairs
    left join weighed using (article_a, article_b)
),

link_edges as (
    select
        articles.canonical_url as source_url,
        coalesce(targets.canonical_url, links.canonical_url) as target_url,
        'related_link' as evidence,
        links.title_similarity,
        links.text_similarity,
        links.shared_evidence,
        links.hours_apart,
        links.same_provider
    from core.related_links as links
    join news as articles using (article_id)
    left join news as targets on targets.article_id = links.target_article_id
    where links.relation = 'same_story'
        and links.canonical_url is not null
        -- a link to a corpus item of another kind (a video, a newsletter) joins no news story
        and (links.target_article_id is null or targets.article_id is not null)
),

final as (
    select
        *,
        round(greatest(title_similarity, text_similarity), 4) as similarity
    from (
        select * from link_edges
        union all
        select * from text_edges
        where story_relation(same_provider, hours_apart, title_similarity, shared_evidence) = 'same_story'
    )
    where source_url <> target_url
)

select * from final
order by source_url, target_url, evidence
