-- Every distinct URL the seeds give: each article's webUrl and originalUrl (core.seed_files
-- chooses between them) and each related item's. The URL map (url_map.sql) canonicalises each one once, however many rows carry it.
create or replace temp table _urls as
select distinct url from (
    select raw_text(web_url) as url from staging.parsed_seeds
    union all
    select raw_text(original_url) from staging.parsed_seeds
    union all
    select raw_text(item.web_url) from (select unnest(related) as item from staging.parsed_seeds)
)
where url is not null
