"""The sharded parse without Dagster: hash shards, immutable versions, the commit pointer, and the
snapshot a warehouse build reads, on a local staging folder and on a real S3 endpoint (moto)."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pytest

from pipeline.parse import PARSED_SEEDS, parse_rows
from pipeline.shards import (
    CommitError,
    Staging,
    commit,
    parse_shard,
    read_snapshot,
    shard_keys,
    shard_of,
    write_pointer,
)
from tests.conftest import PROJECT, TINY_SEEDS, upload, write_seeds

SAMPLE_PATHS = sorted(p.relative_to(PROJECT / "seeds").as_posix() for p in (PROJECT / "seeds").rglob("*") if p.is_file())


# -- hash shards ---------------------------------------------------------------------------------------

def test_a_shard_is_the_top_bits_of_sha256_of_the_path():
    for path in ("a.md", "sub/b.txt", "news/2024/x.md"):
        top_byte = hashlib.sha256(path.encode()).digest()[0]
        assert shard_of(path, 0) == 0
        assert shard_of(path, 1) == top_byte >> 7
        assert shard_of(path, 3) == top_byte >> 5
        assert shard_of(path, 8) == top_byte
    assert shard_keys(2) == ["0", "1", "2", "3"]


@pytest.mark.parametrize("bits", [0, 1, 2, 3, 5, 9])
def test_one_more_bit_splits_every_shard_in_two_and_moves_no_file_elsewhere(bits):
    for path in SAMPLE_PATHS:
        parent, child = shard_of(path, bits), shard_of(path, bits + 1)
        assert child in (2 * parent, 2 * parent + 1), path  # the two halves of its shard, nowhere else


def test_the_sample_fills_every_one_of_eight_shards():
    counts = [0] * 8
    for path in SAMPLE_PATHS:
        counts[shard_of(path, 3)] += 1
    assert sum(counts) == len(SAMPLE_PATHS) == 300 and min(counts) > 0


# -- versions and the commit, on a local staging folder -----------------------------------------------------

def _full_parse(root) -> pa.Table:
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return pa.Table.from_batches([parse_rows(root, paths)], PARSED_SEEDS)


def test_every_shard_parsed_and_committed_is_exactly_a_full_parse(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    staging = tmp_path / "staging"
    results = [parse_shard(seeds, staging, bits=2, shard=k, version=f"run{k}") for k in range(4)]
    assert sum(r.files_found for r in results) == sum(r.files_parsed for r in results) == len(TINY_SEEDS)
    assert all(r.files_reused == 0 for r in results)
    assert Staging(staging).current() is None  # parsed, not yet committed: nothing to read
    pointer = commit(seeds, staging, bits=2)
    assert pointer["number"] == 1
    assert {k: v["version"] for k, v in pointer["shards"].items()} == {"0": "run0", "1": "run1", "2": "run2", "3": "run3"}
    snapshot = read_snapshot(staging)
    assert snapshot.rows.equals(_full_parse(seeds))
    assert (staging / "shard=2" / "v=run2" / "part.parquet").is_file()
    assert json.loads((staging / "snapshots" / "0000000001.json").read_text())["shards"]["2"]["path"] == (
        "shard=2/v=run2/part.parquet"
    )


def test_a_backfill_missing_a_shard_or_killed_midway_is_never_committed(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    staging = tmp_path / "staging"
    for k in range(3):
        parse_shard(seeds, staging, bits=2, shard=k, version=f"run{k}")
    # shard 3's run was killed after writing its Parquet, before its done record: not a version
    parse_shard(seeds, staging, bits=2, shard=3, version="killed")
    (staging / "shard=3" / "v=killed" / "done.json").unlink()
    # another was killed while writing its record: half a JSON document
    parse_shard(seeds, staging, bits=2, shard=3, version="cut")
    record = staging / "shard=3" / "v=cut" / "done.json"
    record.write_bytes(record.read_bytes()[:20])
    with pytest.raises(CommitError, match=r"^shards 3 of 4 have no finished parse of .*: run them \(the backfill is not "
                       r"complete\); nothing was committed$"):
        commit(seeds, staging, bits=2)
    assert Staging(staging).current() is None
    parse_shard(seeds, staging, bits=2, shard=3, version="retry")  # the retry completes it
    assert commit(seeds, staging, bits=2)["shards"]["3"]["version"] == "retry"


def test_only_the_changed_shard_parses_again_and_the_snapshot_follows_the_files(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    staging = tmp_path / "staging"
    for k in range(4):
        parse_shard(seeds, staging, bits=2, shard=k, version=f"first{k}")
    commit(seeds, staging, bits=2)
    (seeds / "a.md").write_bytes(TINY_SEEDS["a.md"].replace(b"Robots learn", b"Robots master"))
    (seeds / "new.md").write_bytes(b"---\ntitle: New\nwebUrl: https://example.com/new\n---\n")
    changed = {shard_of("a.md", 2), shard_of("new.md", 2)}
    results = {k: parse_shard(seeds, staging, bits=2, shard=k, version=f"second{k}") for k in range(4)}
    expected_parsed = {k: (k == shard_of("a.md", 2)) + (k == shard_of("new.md", 2)) for k in range(4)}
    assert {k: r.files_parsed for k, r in results.items()} == expected_parsed
    assert all(results[k].files_parsed == 0 for k in set(range(4)) - changed)
    assert sum(r.files_reused for r in results.values()) == len(TINY_SEEDS) - 1
    assert commit(seeds, staging, bits=2)["number"] == 2
    assert read_snapshot(staging).rows.equals(_full_parse(seeds))


def test_a_commit_that_loses_the_race_is_refused_and_changes_nothing(tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    staging = tmp_path / "staging"
    parse_shard(seeds, staging, bits=0, shard=0, version="one")
    won = commit(seeds, staging, bits=0)
    store = Staging(staging)
    # another commit computed the same next number before the first wrote it
    with pytest.raises(CommitError, match=r"^another commit wrote snapshot 1 of .* first; nothing was committed"):
        write_pointer(store, {**won, "commit_id": "the loser"})
    assert store.current() == won


# -- the same on S3 -------------------------------------------------------------------------------------

def test_shards_and_commit_on_s3_with_a_conditional_write(s3, tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    upload(seeds, f"s3://{s3}/seeds")
    staging = f"s3://{s3}/staging"
    results = [parse_shard(f"s3://{s3}/seeds", staging, bits=1, shard=k, version=f"v{k}") for k in range(2)]
    assert sum(r.files_parsed for r in results) == len(TINY_SEEDS)
    won = commit(f"s3://{s3}/seeds", staging, bits=1)
    store = Staging(staging)
    with pytest.raises(CommitError, match="^another commit wrote snapshot 1 of"):
        write_pointer(store, {**won, "commit_id": "the loser"})  # S3 answered 412 to If-None-Match
    assert store.current() == won
    rows = read_snapshot(staging).rows
    local = _full_parse(seeds)
    # the same rows as parsing the files, but for each file's time: the object's (see pipeline.storage)
    assert rows.drop_columns(["modified_at"]).equals(local.drop_columns(["modified_at"]))
    assert rows.column("source_path").to_pylist() == sorted(TINY_SEEDS)


def test_the_default_staging_is_in_the_warehouses_state_folder(tmp_path):
    from pipeline.resources import SeedhouseResource

    resource = SeedhouseResource(warehouse_path=str(tmp_path / "wh" / "news.duckdb"), staging="")
    assert resource.staging_location == str(tmp_path / "wh" / ".seedhouse" / "news.duckdb" / "shards")
    assert SeedhouseResource(staging="s3://b/staging").staging_location == "s3://b/staging"
