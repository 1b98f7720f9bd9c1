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
select used.article_id, used.published_at, weights.term
from (
    select texts.article_id, articles.published_at, unnest(texts.terms) as term
    from core.text_features as texts
    join core.articles as articles using (article_id)
    where texts.ordinal = 0 and articles.content_kind = 'news' and articles.date_status = 'dated'
) as used
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
        articles.article_id,
        articles.canonical_url,
        articles.provider_id,
        articles.published_at,
        articles.date_status,
        texts.title_key as key,
        texts.terms
    from core.articles as articles
    join core.text_features as texts on texts.article_id = articles.article_id and texts.ordinal = 0
    where articles.content_kind = 'news'
),

-- the content terms' weights as one map (see core.related_links)
weights as (
    select term_weights_map(term, weight) as of_term from core.term_weights
),

-- the summed weight of each candidate's terms
totals as (
    select news.article_id, terms_weight(news.terms, weights.of_term) as total_weight
    from news
    cross join weights
    where news.article_id in (select article_a from _candidates union select article_b from _candidates)
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
        coalesce(a_totals.total_weight, 0) + coalesce(b_totals.total_weight, 0) as both_weights,
        candidates.article_a,
        candidates.article_b
    from _candidates as candidates
    join news as a on a.article_id = candidates.article_a
    join news as b on b.article_id = candidates.article_b
    left join totals as a_totals on a_totals.article_id = candidates.article_a
    left join totals as b_totals on b_totals.article_id = candidates.article_b
),

-- the weights of the terms both articles use; those either uses weigh both totals less these
-- (see core.related_links)
shared_weights as (
    select
        pairs.article_a,
        pairs.article_b,
        pairs.both_weights,
        coalesce(terms_weight(
            list_filter(pairs.a_terms, lambda term: list_contains(pairs.b_terms, term)),
            weights.of_term
        ), 0) as shared_weight
    from pairs
    cross join weights
),

weighed as (
    select
        article_a,
        article_b,
        shared_weight,
        both_weights - shared_weight as union_weight
    from shared_weights
),

text_edges as (
    select
        pairs.source_url,
        pairs.target_url,
        'text' as evidence,
        pairs.title_similarity,
        coalesce(round(weighed.shared_weight / nullif(weighed.union_weight, 0), 4), 0) as text_similarity,
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
