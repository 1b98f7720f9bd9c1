"""A warehouse built from a committed staging snapshot of seeds on S3 (moto's real server) is the
warehouse a local build of the same files gives, table by table, before and after 1% of the
objects change; and only the changed shards parse again."""

from __future__ import annotations

import shutil

import duckdb
import pytest
import s3fs

from pipeline import compare
from pipeline.build import run_build
from pipeline.shards import commit, parse_shard, read_snapshot, shard_of
from pipeline.storage import Mirror
from tests.conftest import PROJECT, upload

BITS = 2
FIRST, SECOND = "2024-05-01T12:00:00Z", "2024-05-02T12:00:00Z"


# The quality tables record how each build ran, and these two builds read their seeds from
# different places (a bucket's staging snapshot, a folder); their columns are still compared.
# tests/test_incremental_replay.py compares them between builds of the same seeds.
BUILD_RECORDS = frozenset({"quality.build_info", "quality.check_results"})


def differences(left, right) -> dict[str, object]:
    """What differs between two warehouses in every table and view but the build records (see
    pipeline/compare.py); empty when the two are equal."""
    return compare.differences(left, right, skip=BUILD_RECORDS)


def build(seeds, warehouse, as_of, **config):
    report = run_build(seeds, warehouse, resource_config={"as_of": as_of, **config}, full=True)
    assert report.published, (report.errors, [f.describe() for f in report.failed_checks])
    return report


def parse_all(seeds_url, staging, version):
    return {k: parse_shard(seeds_url, staging, bits=BITS, shard=k, version=f"{version}{k}") for k in range(2**BITS)}


@pytest.mark.slow
def test_a_build_from_staging_equals_a_local_build_before_and_after_a_change(s3, tmp_path):
    seeds_url, staging = f"s3://{s3}/seeds", f"s3://{s3}/staging"
    upload(PROJECT / "seeds", seeds_url)
    first = parse_all(seeds_url, staging, "first")
    assert sum(r.files_parsed for r in first.values()) == 300
    commit(seeds_url, staging, bits=BITS)
    from_staging = tmp_path / "staged" / "seedhouse.duckdb"
    report = build("unused", from_staging, FIRST, from_staging=staging)
    assert report.ledger == {"loaded": 297, "duplicate": 2, "quarantined": 1}

    # the same files, locally: the mirror gives each file its object's status
    local_seeds = tmp_path / "local-seeds"
    shutil.copytree(Mirror(seeds_url, tmp_path / "state").sync(), local_seeds)
    local = tmp_path / "local" / "seedhouse.duckdb"
    build(local_seeds, local, FIRST)
    assert differences(from_staging, local) == {}

    # 1% of the objects change: three seeds get a new title
    fs = s3fs.S3FileSystem()
    changed = sorted(read_snapshot(staging).rows.column("source_path").to_pylist())[::100][:3]
    for rel in changed:
        data = fs.cat_file(f"{s3}/seeds/{rel}")
        assert b'\ntitle: "' in data
        data = data.replace(b'\ntitle: "', b'\ntitle: "Updated: ', 1)
        fs.pipe_file(f"{s3}/seeds/{rel}", data)
    second = parse_all(seeds_url, staging, "second")
    expected = {k: sum(shard_of(rel, BITS) == k for rel in changed) for k in range(2**BITS)}
    assert {k: r.files_parsed for k, r in second.items()} == expected
    assert sum(r.files_reused for r in second.values()) == 297
    assert commit(seeds_url, staging, bits=BITS)["number"] == 2
    build("unused", from_staging, SECOND, from_staging=staging)

    shutil.rmtree(local_seeds)
    shutil.copytree(Mirror(seeds_url, tmp_path / "state").sync(), local_seeds)
    build(local_seeds, local, SECOND)
    assert differences(from_staging, local) == {}
    with duckdb.connect(str(from_staging), read_only=True) as con:
        titles = con.execute(
            "select count(*) from core.articles where title like 'Updated:%' and list_contains(?, source_path)", [changed]
        ).fetchone()[0]
    assert titles == len(changed)
