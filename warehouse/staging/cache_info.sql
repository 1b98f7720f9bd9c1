-- What made this staging file: the next build reuses it as its parse cache only when the same
-- parser made it, and skips the build when the definitions and the seeds are the same too
-- (pipeline/ingest.py).
create or replace table staging.cache_info as
select $run_id::varchar as run_id, $parser_fingerprint::varchar as parser_fingerprint,
       $definitions_fingerprint::varchar as definitions_fingerprint
