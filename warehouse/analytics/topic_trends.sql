-- analytics.topic_trends: one row per topic and calendar month (UTC) with at least one dated
-- article: the months of analytics.topic_attention that are not zero-filled.
select topic, period_start as month_date, n_articles, avg_heat
from analytics.topic_attention
where grain = 'month' and n_articles > 0
order by topic, month_date
