-- core.related_links: one row per related item of an article (other outlets' coverage of the
-- same story, or only of its topic), resolved to the related item's own article when it is in
-- the corpus: the article with the same URL identity key (url_key), so an AMP, http or www.
-- variant of an article's URL finds it. An article is found by the URL that keys it: when its
-- webUrl and originalUrl disagree, the other one is another outlet's article, which a related
-- item naming it must not be credited to.
-- Each link carries its evidence: whether the related item reports the same story as the article
-- or is only related coverage (`relation`, the rule is story_relation in warehouse/macros.sql),
-- and the scores that rule reads. The aggregator's lists changed meaning over its formats (same
-- event in older files, "more on this topic" in newer ones), so the list alone decides nothing.

-- the links, resolved and typed, before their evidence is weighed
create or replace temp table _related as
with build as (
    select started_at from quality.build_info
),

articles as (
    select
        articles.article_id,
        articles.source_path,
        articles.canonical_url,
        latest_publish_time(files.modified_at, build.started_at) as latest_plausible
    from core.articles as articles
    join core.seed_files as files using (source_path)
    cross join build
),

items as (
    select
        articles.article_id,
        articles.latest_plausible,
        generate_subscripts(parsed.related, 1)::integer as ordinal,
        unnest(parsed.related) as related
    from articles
    join staging.parsed_seeds as parsed using (source_path)
),

cleaned as (
    select
        article_id,
        latest_plausible,
        ordinal,
        clean_text(related.title) as title,
        clean_text(related.excerpt) as excerpt,
        raw_text(related.web_url) as web_url,
        raw_text(related.amp_url) as amp_url,
        list_filter(list_transform(related.images, lambda image: raw_text(image.url)), lambda url: url is not null)
            as image_urls,
        -- as cast (infinite, BC or past 9999 included) for date_status; `final` stores it
        cast_timestamp(related.published) as published_as_cast,
        related.provider_domain as declared_domain,
        raw_text(related.provider_name) as provider_name,
        parse_int(related.quality) as quality,
        raw_text(related.type) as type
    from items
),

final as (
    select
        cleaned.article_id,
        cleaned.ordinal,
        cleaned.title,
        cleaned.excerpt,
        cleaned.web_url,
        urls.canonical_url,
        cleaned.amp_url,
        cleaned.image_urls,
        storable_timestamp(cleaned.published_as_cast) as published_at,
        (storable_timestamp(cleaned.published_as_cast) at time zone 'UTC')::date as published_date,
        date_status(cleaned.published_as_cast, cleaned.latest_plausible) as date_status,
        coalesce(declared.provider_id, urls.host) as provider_id,
        cleaned.provider_name,
        cleaned.quality,
        cleaned.type,
        targets.article_id as target_article_id
    from cleaned
    left join staging.url_map as urls on urls.raw_url = cleaned.web_url
    left join staging.declared_domains as declared on declared.declared_domain = cleaned.declared_domain
    left join core.articles as targets on targets.url_key = urls.url_key
)

select * from final;

with weights as (
    -- the content terms' weights (a few hundred) as one map, looked up term by term below
    select term_weights_map(term, weight) as of_term from core.term_weights
),

texts as materialized (
    -- each text reduced once (core.text_features), with the summed weight of its terms
    select
        texts.article_id,
        texts.ordinal,
        texts.title_key,
        texts.terms,
        terms_weight(texts.terms, weights.of_term) as total_weight
    from core.text_features as texts
    cross join weights
),

listing as (
    select
        articles.article_id,
        articles.provider_id as article_provider_id,
        articles.published_at as article_published_at,
        articles.date_status as article_date_status,
        texts.title_key as article_key,
        texts.terms as article_terms,
        coalesce(texts.total_weight, 0) as article_weight
    from core.articles as articles
    join texts on texts.article_id = articles.article_id and texts.ordinal = 0
    where articles.article_id in (select article_id from _related)
),

-- the evidence is weighed on narrow rows (keys, terms, weights, dates), then joined back to the
-- links once: carrying every link's texts, URLs and images through each join of the weighing
-- spilled gigabytes at a million seeds
sides as (
    select
        related.article_id,
        related.ordinal,
        related.provider_id,
        related.published_at,
        related.date_status,
        listing.* exclude (article_id),
        texts.title_key as related_key,
        texts.terms as related_terms,
        coalesce(texts.total_weight, 0) as related_weight
    from _related as related
    join listing using (article_id)
    join texts using (article_id, ordinal)
),

-- the weights of the terms both sides use; the terms either side uses weigh the two sides'
-- totals less these. Each side's terms are distinct, so filtering one side's by the other's is
-- their intersection, at a quarter of list_intersect's cost.
weighed as (
    select
        sides.*,
        coalesce(terms_weight(
            list_filter(sides.article_terms, lambda term: list_contains(sides.related_terms, term)),
            weights.of_term
        ), 0) as shared_weight
    from sides
    cross join weights
),

scored as (
    select
        article_id,
        ordinal,
        coalesce(title_similarity(article_key, related_key), 0) as title_similarity,
        coalesce(round(shared_weight / nullif(article_weight + related_weight - shared_weight, 0), 4), 0)
            as text_similarity,
        coalesce(round(shared_weight, 4), 0) as shared_evidence,
        case when article_date_status = 'dated' and date_status = 'dated' then
            round(abs(date_diff('second', article_published_at, published_at)) / 3600.0, 2)
        end as hours_apart,
        provider_id = article_provider_id as same_provider
    from weighed
),

final as (
    select
        related.*,
        scored.* exclude (article_id, ordinal),
        round(greatest(scored.title_similarity, scored.text_similarity), 4) as similarity,
        story_relation(
            coalesce(scored.same_provider, false), scored.hours_apart, scored.title_similarity, scored.shared_evidence
        ) as relation
    from _related as related
    join scored using (article_id, ordinal)
)

select * from final
order by article_id, ordinal
