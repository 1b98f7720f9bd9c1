-- analytics.topic_pairs: one row per pair of topics that appear on the same news item
-- (topic_a < topic_b). lift = P(a and b) / (P(a) * P(b)) over all news items; jaccard =
-- |a and b| / |a or b|. Counts news only (content_kind = 'news').
with news as (
    select article_id from core.articles where content_kind = 'news'
),

news_topics as (
    select topics.article_id, topics.topic
    from core.article_topics as topics
    join news using (article_id)
),

totals as (
    select count(*) as n_all from news
),

per_topic as (
    select topic, count(*) as n_topic from news_topics group by topic
),

pairs as (
    select a.topic as topic_a, b.topic as topic_b, count(*) as n_articles
    from news_topics as a
    join news_topics as b on a.article_id = b.article_id and a.topic < b.topic
    group by all
),

final as (
    select
        pairs.topic_a,
        pairs.topic_b,
        pairs.n_articles,
        round(pairs.n_articles * totals.n_all / (ta.n_topic * tb.n_topic), 4) as lift,
        round(pairs.n_articles / (ta.n_topic + tb.n_topic - pairs.n_articles), 4) as jaccard
    from pairs
    cross join totals
    join per_topic as ta on ta.topic = pairs.topic_a
    join per_topic as tb on tb.topic = pairs.topic_b
)

select * from final
order by n_articles desc, topic_a, topic_b
