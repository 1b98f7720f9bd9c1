-- The build that produced the warehouse, one row: written by the ingest, read by the models
-- (the date rules compare with started_at, article history dates versions at observed_at) and
-- the ledger's checks (files_found).
create or replace table quality.build_info as
select $run_id::varchar as run_id, $started_at::timestamptz as started_at, $seeds_root::varchar as seeds_root,
       $files_found::bigint as files_found, $files_parsed::bigint as files_parsed,
       $files_reused::bigint as files_reused, $seedhouse_version::varchar as seedhouse_version,
       $observed_at::timestamptz as observed_at
