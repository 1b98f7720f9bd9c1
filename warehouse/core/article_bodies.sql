-- core.article_bodies: the text after an item's front matter, one row per item that has one,
-- kept whole so that it can be searched with SQL (`where body ilike '%…%'`). The format is
-- sniffed, not declared: html when the text opens with a tag (`<html>`, `<!DOCTYPE`, `<p>` …),
-- markdown otherwise (what Jekyll repositories hold), text when it has no markup at all.
with items as (
    select articles.article_id, parsed.body
    from core.articles as articles
    join staging.parsed_seeds as parsed using (source_path)
    where trimmed(parsed.body) <> ''
),

final as (
    select
        article_id,
        body,
        case
            when regexp_matches(ltrim(body), '^<(!doctype|html|head|body|div|p|table|section|article|h[1-6])\b', 'i') then 'html'
            when regexp_matches(body, '(^|\n)(#{1,6} |[*-] |> |```)|\[[^\]]+\]\(|\*\*[^*]+\*\*') then 'markdown'
            else 'text'
        end as format,
        length(body) as n_chars
    from items
)

select * from final
order by article_id
