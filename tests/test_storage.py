"""Seeds under a URL: listing the objects of a real S3 endpoint (moto's server on the loopback),
the status that tells a changed object, the local mirror a build parses, and the one-line errors
of a missing bucket, missing credentials and an endpoint that does not answer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import s3fs

from pipeline.parse import discover
from pipeline.storage import Mirror, StorageError, is_url, list_seeds, object_time
from tests.conftest import TINY_SEEDS, free_port, upload, write_seeds

SEEDHOUSE = os.path.join(os.path.dirname(sys.executable), "seedhouse")


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("s3://bucket/prefix", True),
        ("memory://x", True),
        ("gcs://b/p", True),
        ("seeds", False),
        ("/abs/seeds", False),
        ("file:///abs/seeds", False),  # a local folder written as a URL: the fast local path
        ("C:/odd", False),
    ],
)
def test_what_counts_as_a_url(location, url):
    assert is_url(location) is url


def test_listing_objects_gives_the_paths_and_sizes_discover_gives_for_the_files(s3, tmp_path):
    seeds = write_seeds(tmp_path / "seeds", {**TINY_SEEDS, ".git/config": b"x", "sub/.hidden.md": b"---\n---\n"})
    upload(seeds, f"s3://{s3}/team/seeds")
    listed = list_seeds(f"s3://{s3}/team/seeds/")
    found = discover(seeds)
    assert listed.column("source_path").to_pylist() == found.column("source_path").to_pylist()
    assert listed.column("size_bytes").to_pylist() == found.column("size_bytes").to_pylist()
    assert ".git/config" not in listed.column("source_path").to_pylist()  # hidden folders, as discover skips them


def test_an_objects_time_changes_with_its_etag_within_the_same_second():
    from datetime import datetime, timezone

    when = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
    first, second = object_time(when, '"aaa"'), object_time(when, '"bbb"')
    assert first // 1_000_000 == second // 1_000_000 == int(when.timestamp())
    assert first != second and object_time(when, '"aaa"') == first


def test_a_rewritten_object_of_the_same_size_gets_a_new_time(s3):
    fs = s3fs.S3FileSystem()
    fs.pipe_file(f"{s3}/p/a.md", b"one")
    before = list_seeds(f"s3://{s3}/p").column("modified_at").to_pylist()
    fs.pipe_file(f"{s3}/p/a.md", b"two")
    after = list_seeds(f"s3://{s3}/p").column("modified_at").to_pylist()
    assert before != after


def test_the_mirror_downloads_only_what_changed_and_drops_what_is_gone(s3, tmp_path):
    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    upload(seeds, f"s3://{s3}/seeds")
    mirror = Mirror(f"s3://{s3}/seeds", tmp_path / "state")
    folder = mirror.sync()
    assert {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == TINY_SEEDS
    kept = folder / "sub" / "b.txt"
    kept_inode = kept.stat().st_ino
    fs = s3fs.S3FileSystem()
    fs.pipe_file(f"{s3}/seeds/a.md", b"---\ntitle: changed\n---\n")
    fs.rm_file(f"{s3}/seeds/c.md")
    mirror.sync()
    assert (folder / "a.md").read_bytes() == b"---\ntitle: changed\n---\n"
    assert not (folder / "c.md").exists()
    assert kept.stat().st_ino == kept_inode  # not downloaded again
    # the files' status is the objects': a parse of the mirror records what the listing says
    listed = list_seeds(f"s3://{s3}/seeds")
    assert discover(folder).equals(listed)


def test_a_missing_bucket_or_an_empty_prefix_says_so(s3):
    with pytest.raises(StorageError, match=r"^s3://no-such-bucket/seeds does not exist \(no such bucket or prefix\)$"):
        list_seeds("s3://no-such-bucket/seeds")
    with pytest.raises(StorageError, match=rf"^the seeds root s3://{s3}/empty holds no seed files \(a wrong prefix\?\)"):
        list_seeds(f"s3://{s3}/empty")


def test_no_credentials_says_which_settings_give_them(s3, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    s3fs.S3FileSystem.clear_instance_cache()
    with pytest.raises(StorageError, match=rf"^no credentials to read s3://{s3}/seeds: set AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE$"):
        list_seeds(f"s3://{s3}/seeds")


def test_an_endpoint_that_does_not_answer_names_the_setting(s3, monkeypatch):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    s3fs.S3FileSystem.clear_instance_cache()
    with pytest.raises(StorageError, match=rf"^cannot reach {closed} to read s3://{s3}/seeds \(EndpointConnectionError: "
                       r".*\): check AWS_ENDPOINT_URL$"):
        list_seeds(f"s3://{s3}/seeds")


def test_the_cli_reports_a_bad_bucket_in_one_line_and_builds_nothing(s3, tmp_path):
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    result = subprocess.run(
        [SEEDHOUSE, "build", "--seeds", "s3://no-such-bucket/seeds", "--warehouse", str(warehouse)],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "error: s3://no-such-bucket/seeds does not exist (no such bucket or prefix)\n"
    )
    assert not warehouse.exists()


@pytest.mark.slow
def test_a_build_from_a_bucket_is_incremental_and_keys_the_ledger_by_the_objects_keys(s3, tmp_path):
    from tests.conftest import query

    seeds = write_seeds(tmp_path / "seeds", TINY_SEEDS)
    upload(seeds, f"s3://{s3}/seeds")
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"

    def build() -> subprocess.CompletedProcess:
        return subprocess.run([SEEDHOUSE, "build", "--seeds", f"s3://{s3}/seeds", "--warehouse", str(warehouse)],
                              capture_output=True, text=True, timeout=600, env=os.environ.copy())

    first = build()
    assert first.returncode == 0, first.stderr
    assert f"{len(TINY_SEEDS)} seed files from s3://{s3}/seeds:" in first.stdout
    assert f"parsed {len(TINY_SEEDS)} new or changed files, reused 0 unchanged ones" in first.stdout
    assert [row[0] for row in query(warehouse, "select source_path from core.seed_files order by 1")] == sorted(TINY_SEEDS)
    assert query(warehouse, "select seeds_root from quality.build_info") == [(f"s3://{s3}/seeds",)]
    again = build()
    assert again.returncode == 0 and "nothing changed since the last build" in again.stdout
    # the same size, a new ETag: parsed again, everything else reused
    data = TINY_SEEDS["a.md"].replace(b"Robots learn", b"Robots teach")
    assert len(data) == len(TINY_SEEDS["a.md"])
    s3fs.S3FileSystem().pipe_file(f"{s3}/seeds/a.md", data)
    third = build()
    assert third.returncode == 0, third.stderr
    assert f"parsed 1 new or changed files, reused {len(TINY_SEEDS) - 1} unchanged ones" in third.stdout
    assert query(warehouse, "select title from core.articles where source_path = 'a.md'") == [("Robots teach to fold laundry",)]


def test_a_staging_location_without_a_commit_is_a_usage_error_and_builds_nothing(s3, tmp_path):
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    result = subprocess.run(
        [SEEDHOUSE, "build", "--from-staging", f"s3://{s3}/staging", "--warehouse", str(warehouse)],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"error: s3://{s3}/staging holds no committed staging snapshot: parse the shards and commit them first\n"
    )
    assert not warehouse.exists()


def test_watch_refuses_a_url_saying_what_to_use(tmp_path):
    result = subprocess.run(
        [SEEDHOUSE, "watch", "--seeds", "s3://bucket/seeds", "--warehouse", str(tmp_path / "seedhouse.duckdb")],
        capture_output=True, text=True, timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "error: seedhouse watch follows a local folder's file events; s3://bucket/seeds is a URL: build it with "
        "seedhouse build\n",
    )


@pytest.mark.slow
def test_the_launchpads_seeds_root_and_run_build_take_a_url(s3, tmp_path):
    from dagster import DagsterInstance

    from pipeline.build import run_build
    from pipeline.definitions import defs
    from tests.conftest import query

    upload(write_seeds(tmp_path / "seeds", TINY_SEEDS), f"s3://{s3}/seeds")
    warehouse = tmp_path / "wh" / "seedhouse.duckdb"
    # a run from the launchpad, seeds_root set to the URL
    result = defs.resolve_job_def("build_warehouse").execute_in_process(
        run_config={"resources": {"seedhouse": {"config": {"seeds_root": f"s3://{s3}/seeds", "warehouse_path": str(warehouse)}}}},
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
    )
    assert result.success
    assert query(warehouse, "select files_found, seeds_root from quality.build_info") == [(len(TINY_SEEDS), f"s3://{s3}/seeds")]
    # the library's entry point, on the published warehouse: nothing changed, nothing built
    assert run_build(f"s3://{s3}/seeds", warehouse).up_to_date
    missing = run_build("s3://no-such-bucket/seeds", warehouse)
    assert (missing.success, missing.errors) == (False, ["s3://no-such-bucket/seeds does not exist (no such bucket or prefix)"])
