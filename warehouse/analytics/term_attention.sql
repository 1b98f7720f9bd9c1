-- analytics.term_attention: one row per term of warehouse/terms.yml, grain and period of
-- analytics.article_volume: the dated news items whose title or excerpt mention the term, and
-- their share of all dated news in the period ("the share of stories mentioning X over time").
-- Counts news only (content_kind = 'news'). Every term is zero-filled over the corpus's whole
-- span, so that series of different terms line up; the terms are an analyst's short list, so the
-- rows stay within terms x periods.
--
-- Which terms a text mentions depends on the text alone, and folding every text (accents, case,
-- punctuation) was this mart's whole cost. So it is memoised: staging.memo_term_mentions keeps
-- each text's mentioned terms under a digest of exactly what term_text() reads (the title, a space,
-- the excerpt), travels with the parse cache to the next build, and only texts no earlier build
-- has seen are folded. The ingest drops every memo when the definitions changed (terms.yml, this
-- SQL, the macros: pipeline/ingest.py), and a full build starts without one, so the rows are
-- those a fresh computation gives. The counts themselves are summed over every text each build.
create table if not exists staging.memo_term_mentions (text_key uhugeint, terms varchar []);

create or replace temp table _news_texts as
select
    published_at,
    title,
    excerpt,
    md5_number(coalesce(title, '') || ' ' || coalesce(excerpt, '')) as text_key
from core.articles
where content_kind = 'news' and date_status = 'dated';

-- the texts no earlier build folded
insert into staging.memo_term_mentions
select
    text_key,
    [entry.term for entry in analysis_terms() if len(list_filter(
        entry.spellings, lambda spelling: contains(text, ' ' || spelling || ' ')
    )) > 0] as terms
from (
    select distinct on (text_key) text_key, term_text(title, excerpt) as text
    from _news_texts
    where text_key not in (select memo.text_key from staging.memo_term_mentions as memo)
);

-- and the memo keeps only the texts still in the corpus
delete from staging.memo_term_mentions
where text_key not in (select news.text_key from _news_texts as news);

with news as (
    select news.published_at, memo.terms
    from _news_texts as news
    join staging.memo_term_mentions as memo using (text_key)
),

terms as (
    select entry.term, entry.spellings from (select unnest(analysis_terms()) as entry)
),

mentions as (
    select unnest(news.terms) as term, news.published_at
    from news
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
