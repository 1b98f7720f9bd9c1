-- analytics.term_attention: one row per term of warehouse/terms.yml, grain and period of
-- analytics.article_volume: the dated news items whose title or excerpt mention the term, and
-- their share of all dated news in the period ("the share of stories mentioning X over time").
-- Counts news only (content_kind = 'news'). Every term is zero-filled over the corpus's whole
-- span, so that series of different terms line up; the terms are an analyst's short list, so the
-- rows stay within terms x periods.
with news as (
    select published_at, term_text(title, excerpt) as text
    from core.articles
    where content_kind = 'news' and date_status = 'dated'
),

terms as (
    select entry.term, entry.spellings from (select unnest(analysis_terms()) as entry)
),

mentions as (
    select terms.term, news.published_at
    from news
    cross join terms
    where len(list_filter(terms.spellings, lambda spelling: contains(news.text, ' ' || spelling || ' '))) > 0
),

counts as (
    select
        mentions.term,
        grains.grain,
        period_of(grains.grain, mentions.published_at) as period_start,
        count(*) as n_mentioning
    from mentions
    cross join (select distinct grain from analytics.article_volume) as grains
    group by all
),

final as (
    select
        terms.term,
        volume.grain,
        volume.period_start,
        volume.n_articles,
        coalesce(counts.n_mentioning, 0) as n_mentioning,
        round(coalesce(counts.n_mentioning, 0) / nullif(volume.n_articles, 0), 6) as share_mentioning
    from terms
    cross join analytics.article_volume as volume
    left join counts using (term, grain, period_start)
)

select * from final
order by term, grain, period_start
