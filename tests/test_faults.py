"""A bad day never costs the good warehouse: full disks, empty or vanished seeds folders, other
programs writing to the published file, damaged caches, output paths that are not ours.

Every fault is made for real: a small tmpfs for the full disk (root only, as CI runs), a second
process holding DuckDB's write lock, bytes overwritten in the files themselves.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import psutil
import pytest

from pipeline.build import run_build
from pipeline.catalog import TABLES
from pipeline.warehouse import Warehouse, sha256_file
from tests.conftest import PROJECT, TINY_SEEDS, query, write_seeds

CLI = [sys.executable, "-m", "pipeline.cli"]

# each fault is a real build (or several) against real files and processes: CI's second step
pytestmark = pytest.mark.slow


def seedhouse(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# the catalog's tables (its views are not tables), quality.build_info and quality.check_results
PUBLISHED_TABLES = sum(not table.view for table in TABLES) + 2


def tables(path: Path) -> int:
    return query(path, "select count(*) from duckdb_tables()")[0][0]


@pytest.fixture()
def published(tiny_warehouse, tmp_path) -> Path:
    """A warehouse published by a real build of the tiny seeds, with its state folder: a copy of
    the session's `tiny_warehouse` folder, as each test damages or rebuilds it. The state names
    no path of its own (the file is known by size and sha256, the seeds by their paths under the
    same root), so the copy is what that build would have left here."""
    shutil.copytree(tiny_warehouse.parent, tmp_path / "wh")
    return tmp_path / "wh" / "seedhouse.duckdb"


# -- a full disk ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tmpfs(tmp_path_factory):
    """Mounts small tmpfs file systems on demand (root only); unmounts them all afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill it needs root (CI runs as root)")
    mounted = []

    def mount(size_bytes: int) -> Path:
        point = tmp_path_factory.mktemp("tmpfs")
        kib = max(64, size_bytes // 1024)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture(scope="module")
def sample_state(tmp_path_factory) -> tuple[Path, int]:
    """A warehouse published from the project's sample seeds, and how many bytes a build of it
    writes beside the published state (its build file and staging file)."""
    folder = tmp_path_factory.mktemp("sample_state")
    report = run_build(PROJECT / "seeds", folder / "seedhouse.duckdb")
    assert report.published, report.errors
    state = Warehouse(folder / "seedhouse.duckdb")
    written = (folder / "seedhouse.duckdb").stat().st_size + state.parse_cache.stat().st_size
    return folder, written


def state_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@pytest.mark.parametrize("share", [0.1, 0.4, 0.6, 0.8, 1.5])
def test_a_disk_that_fills_during_a_rebuild_never_replaces_the_published_file(tmpfs, sample_state, share):
    """Free space for a share of what a build writes: the build fails wherever it runs out
    (parse, tables, the final checkpoint) and the published file stays byte for byte, or it fits
    and publishes a complete warehouse. Either way the build leaves no files of its own behind."""
    good, written = sample_state
    mount = tmpfs(state_bytes(good) + int(share * written))
    shutil.copytree(good, mount / "wh")
    published = mount / "wh" / "seedhouse.duckdb"
    before = digest(published)

    report = run_build(PROJECT / "seeds", published, full=True)

    builds = Warehouse(published).builds_dir
    assert sorted(p.name for p in builds.iterdir()) == []
    if report.published:
        assert share >= 1
        assert tables(published) == PUBLISHED_TABLES
        assert query(published, "select count(*) from core.articles") == [(297,)]
        return
    assert digest(published) == before
    assert tables(published) == PUBLISHED_TABLES
    assert len(report.errors) >= 1
    for error in report.errors:
        assert f"no space left on device on {mount}" in error, error


def test_the_publish_checkpoint_failing_is_reported_as_a_full_disk(tmpfs, sample_state):
    """The case that used to publish an empty file: the tables are built, the disk fills when the
    build file is checkpointed. The CLI names the cause, and "left as it was" is true."""
    good, written = sample_state
    mount = tmpfs(state_bytes(good) + int(0.6 * written))
    shutil.copytree(good, mount / "wh")
    published = mount / "wh" / "seedhouse.duckdb"
    before = digest(published)

    result = seedhouse("build", "--full", "--seeds", str(PROJECT / "seeds"), "--warehouse", str(published))

    assert result.returncode == 1, result.stdout + result.stderr
    out = " ".join(result.stderr.split())
    assert f"error: published_warehouse: no space left on device on {mount}" in out, out
    assert f"not published: {published} was left as it was" in out
    assert digest(published) == before
    assert query(published, "select count(*) from core.articles") == [(297,)]


# -- empty and vanished seeds folders, and builds that would shrink the warehouse -------------------

def test_an_empty_or_vanished_seeds_folder_is_an_error_and_builds_nothing(published, tmp_path):
    before = digest(published)
    empty = tmp_path / "empty"
    (empty / ".git").mkdir(parents=True)  # only a hidden folder: nothing a build would read
    for root in (empty, tmp_path / "unmounted"):
        result = seedhouse("build", "--seeds", str(root), "--warehouse", str(published))
        assert result.returncode == 2, result.stdout + result.stderr
        assert digest(published) == before
    assert result.stderr.strip() == (
        f"error: the seeds root {tmp_path / 'unmounted'} does not exist or is not a directory: "
        "nothing was built, and nothing was published"
    )
    result = seedhouse("build", "--seeds", str(empty), "--warehouse", str(published))
    assert " ".join(result.stderr.split()) == (
        f"error: the seeds root {empty} holds no seed files (an unmounted share?): nothing was built, "
        "and nothing was published"
    )


def test_a_build_that_loses_every_article_is_not_published_without_allow_shrink(published, tmp_path):
    only_bad = write_seeds(tmp_path / "bad", {name: TINY_SEEDS[name] for name in ("d.md", "e.md", "f.md")})
    before = digest(published)

    refused = run_build(only_bad, published)

    assert (refused.success, refused.published) == (False, False)
    assert refused.errors == [
        "published_warehouse: this build loads 0 articles against 2 in the published "
        "warehouse, fewer than 50% of them: not published (seeds folder unmounted or emptied?). If the seeds "
        "really shrank, build again with --allow-shrink (allow_shrink in the launchpad)"
    ]
    assert digest(published) == before
    # held back by a guard, like a failed check: the build file stays for inspection
    assert sorted(p.name for p in Warehouse(published).builds_dir.iterdir()) == [
        f"{refused.run_id}.duckdb", f"{refused.run_id}.staging.duckdb"
    ]

    allowed = seedhouse("build", "--allow-shrink", "--seeds", str(only_bad), "--warehouse", str(published))
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert query(published, "select status, count(*) from core.seed_files group by 1") == [("quarantined", 3)]


def test_the_sensor_starts_nothing_for_an_empty_or_missing_seeds_root(tmp_path):
    from dagster import DagsterInstance, SkipReason, build_sensor_context

    from assets.ingest.sensors import seeds_changed
    from pipeline.resources import SeedhouseResource

    (tmp_path / "empty").mkdir()
    for root in (tmp_path / "empty", tmp_path / "missing"):
        resources = {"seedhouse": SeedhouseResource(seeds_root=str(root))}
        with build_sensor_context(cursor=None, resources=resources, instance=DagsterInstance.ephemeral()) as context:
            assert isinstance(seeds_changed(context), SkipReason)


# -- other programs writing to the published file ---------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])  # read-write, as DBeaver opens a file by default
    con.execute("create table main.my_notes as select 42 as answer")
    print("ready", flush=True)
    if sys.argv[2] == "hold":
        sys.stdin.readline()
        con.close()
    else:
        time.sleep(600)  # killed with unsaved changes in the write-ahead log
    """
)


def start_writer(path: Path, mode: str) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "ready"
    return writer


def test_a_build_refuses_to_start_while_another_program_writes_to_the_warehouse(published, tiny_seeds):
    writer = start_writer(published, "hold")
    try:
        before = digest(published)
        report = run_build(tiny_seeds, published, full=True)
        assert (report.success, report.published, report.run_id) == (False, False, "")
        assert len(report.errors) == 1
        assert report.errors[0].startswith(f"{published} is open for writing by another program (")
        assert report.errors[0].endswith(
            "; close that connection (analysts: open the file read-only) and build again"
        )
        assert digest(published) == before
    finally:
        writer.communicate("done\n", timeout=60)

    # the writer closed cleanly: its table is in the file, which is no longer the one published;
    # the next build rebuilds it and keeps the changed file rather than losing the analyst's table
    report = run_build(tiny_seeds, published)
    assert (report.published, report.up_to_date) == (True, False)
    kept = [p for p in Warehouse(published).state_dir.glob("changed-*.duckdb")]
    assert len(kept) == 1
    assert report.warnings == [
        f"{published} had been changed since it was published; the changed file was kept as {kept[0]}"
    ]
    assert query(kept[0], "select answer from main.my_notes") == [(42,)]
    assert query(published, "select count(*) from duckdb_tables() where table_name = 'my_notes'") == [(0,)]


def test_a_write_ahead_log_left_by_another_program_is_neither_replayed_nor_discarded(published, tiny_seeds):
    writer = start_writer(published, "die")
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    wal = published.with_name(published.name + ".wal")
    assert wal.exists()
    before, wal_before = digest(published), digest(wal)

    report = run_build(tiny_seeds, published)

    assert report.errors == [
        f"{wal} holds changes that another program wrote to {published} and has not saved into it (a DuckDB "
        "write-ahead log); seedhouse neither replays nor discards them. Close that program, or open the file "
        "once with DuckDB and close it, then build again"
    ]
    assert (digest(published), digest(wal)) == (before, wal_before)


def test_query_cannot_write_any_file(published, tmp_path):
    target = tmp_path / "out.csv"
    for sql in (
        f"copy (select 1) to '{target}'",
        f"attach '{published.parent / '.seedhouse' / published.name / 'parsed.duckdb'}' as cache",
        "set enable_external_access = true",
        "create table core.mine as select 1",
    ):
        result = seedhouse("query", sql, "--warehouse", str(published))
        assert result.returncode == 1, (sql, result.stdout)
        assert result.stderr.startswith("error: "), result.stderr
    assert not target.exists()
    assert seedhouse("query", "select count(*) as n from core.articles", "--warehouse", str(published), "--csv").stdout == "n\n2\n"


# -- output paths that are not ours -------------------------------------------------------------------

def test_outputs_never_overwrite_a_file_that_is_not_theirs(published, tiny_seeds, tmp_path):
    cache = Warehouse(published).parse_cache
    before = {path: digest(path) for path in (published, cache)}
    for args in (
        ("report", "--out", str(published)),
        ("report", "--out", str(cache)),
        ("export-graph", "--out", str(published)),
    ):
        result = seedhouse(*args, "--warehouse", str(published))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "is not a seedhouse" in result.stderr and "refusing to overwrite it (use --force)" in result.stderr
    assert {path: digest(path) for path in before} == before

    # their own earlier outputs are replaced as before
    for args in (("report", "--out", str(tmp_path / "r.html")), ("export-graph", "--out", str(tmp_path / "g.gexf"))):
        for _ in range(2):
            assert seedhouse(*args, "--warehouse", str(published)).returncode == 0

    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n")
    report = run_build(tiny_seeds, csv)
    assert report.errors == [
        f"{csv} exists and is not a seedhouse warehouse: refusing to replace it (choose another --warehouse, "
        "or pass --force to replace it)"
    ]
    assert csv.read_text() == "a,b\n1,2\n"
    forced = seedhouse("build", "--force", "--seeds", str(tiny_seeds), "--warehouse", str(csv))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert query(csv, "select count(*) from core.articles") == [(2,)]


def test_two_warehouses_in_one_folder_share_no_state(tiny_seeds, tmp_path):
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    holder = Warehouse(first)
    holder.acquire_lock("a-build-of-first")
    try:
        report = run_build(tiny_seeds, second)  # not blocked by the first warehouse's lock
        assert report.published, report.errors
    finally:
        holder.release_lock()
    assert Warehouse(first).state_dir != Warehouse(second).state_dir
    assert Warehouse(second).parse_cache == tmp_path / ".seedhouse" / "second.duckdb" / "parsed.duckdb"
    assert (tmp_path / "second-report.html").is_file() and not (tmp_path / "first-report.html").exists()


# -- damaged caches and published files heal ----------------------------------------------------------

def _truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "something").write_text("x")


def _another_schema(path: Path) -> None:
    path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create table cache_info as select 'x' as run_id")


@pytest.mark.parametrize("damage", [_truncate, _empty, _folder, _another_schema])
def test_a_damaged_parse_cache_is_moved_aside_and_the_build_parses_everything(published, tiny_seeds, damage):
    cache = Warehouse(published).parse_cache
    damage(cache)

    report = run_build(tiny_seeds, published)

    assert report.published, report.errors
    assert (report.parsed, report.reused) == (9, 0)
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"the parse cache {cache} could not be read (")
    assert report.warnings[0].endswith("); moved it to parsed.duckdb.damaged and parsed every file")
    assert cache.is_file()  # this build's parse is the next one's cache
    assert run_build(tiny_seeds, published).up_to_date


def test_a_published_file_changed_on_disk_is_rebuilt_not_trusted(published, tiny_seeds):
    assert run_build(tiny_seeds, published).up_to_date
    size = published.stat().st_size
    with open(published, "r+b") as handle:  # a damaged block in the middle of the file
        handle.seek(size // 2)
        handle.write(b"\xde\xad\xbe\xef" * 64)

    report = run_build(tiny_seeds, published)

    assert (report.published, report.up_to_date) == (True, False)
    assert query(published, "select count(*) from core.articles") == [(2,)]
    assert sha256_file(published) == Warehouse(published).record()["sha256"]


def test_verify_finds_a_change_that_kept_size_and_time(published, tiny_seeds, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(tiny_seeds, seeds)
    assert run_build(seeds, published).published
    path = seeds / "a.md"
    status = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Robots learn to fold laundry", b"Robots learn to fold LAUNDRY"))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # as `cp -p` or a restore would

    assert run_build(seeds, published).up_to_date  # size and time alone cannot see it
    report = run_build(seeds, published, resource_config={"verify": True})
    assert (report.published, report.parsed, report.reused) == (True, 1, 8)
    assert query(published, "select title from core.articles where source_path = 'a.md'") == [
        ("Robots learn to fold LAUNDRY",)
    ]


def test_files_of_interrupted_builds_are_removed_by_the_next_build_even_with_nothing_to_do(published, tiny_seeds):
    builds = Warehouse(published).builds_dir
    (builds / "killed-run.duckdb").write_bytes(b"x" * 1000)
    (builds / "killed-run.duckdb.wal").write_bytes(b"x")
    # DuckDB's spill folder, which a build killed while it spilled leaves beside its file
    (builds / "killed-run.duckdb.tmp").mkdir()
    (builds / "killed-run.duckdb.tmp" / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x" * 1000)
    assert run_build(tiny_seeds, published).up_to_date
    assert list(builds.iterdir()) == []


def test_a_build_spills_beside_its_file_not_in_the_current_folder(tmp_path):
    from pipeline.warehouse import connect

    with connect(tmp_path / "build.duckdb") as con:
        assert con.execute("select current_setting('temp_directory')").fetchone() == (str(tmp_path / "build.duckdb.tmp"),)


# -- too little memory -------------------------------------------------------------------------------

def test_running_out_of_memory_says_where_and_what_to_change(published, tiny_seeds):
    """DuckDB's first line (not its closing link), the memory limit and the setting that raises
    it; and the published file stays as it was."""
    before = digest(published)
    env = {**os.environ, "SEEDHOUSE_DUCKDB_MEMORY_LIMIT": "1MB"}
    result = subprocess.run(
        [*CLI, "build", "--full", "--seeds", str(tiny_seeds), "--warehouse", str(published)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = " ".join(result.stderr.split())
    assert "error: staging__parsed_seeds: OutOfMemoryException: Out of Memory Error: " in out, out
    assert (
        "(DuckDB's memory limit is 1MB: raise it with SEEDHOUSE_DUCKDB_MEMORY_LIMIT; "
        "every step is meant to spill to disk beyond it)"
    ) in out
    assert f"not published: {published} was left as it was" in out
    assert digest(published) == before


def test_a_table_that_cannot_be_built_is_named(tiny_warehouse, tmp_path):
    from pipeline.warehouse import TableBuildError, build_model, connect

    shutil.copyfile(tiny_warehouse, tmp_path / "copy.duckdb")
    with connect(tmp_path / "copy.duckdb") as con:
        con.execute("set memory_limit = '1MB'")
        expected = r"^analytics\.provider_stats could not be built: OutOfMemoryException: Out of Memory Error: "
        with pytest.raises(TableBuildError, match=expected):
            build_model(con, next(t for t in TABLES if t.name == "analytics.provider_stats"))


# -- the sensor and a build from the shell ------------------------------------------------------------

def test_a_sensor_run_that_loses_the_lock_to_a_shell_build_is_asked_for_again(published, tiny_seeds, tmp_path):
    from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

    from assets.ingest.sensors import seeds_changed
    from pipeline.definitions import defs
    from pipeline.resources import SeedhouseResource

    seeds = tmp_path / "seeds"
    shutil.copytree(tiny_seeds, seeds)
    instance = DagsterInstance.ephemeral()
    resource = SeedhouseResource(seeds_root=str(seeds), warehouse_path=str(published))

    def tick(cursor):
        with build_sensor_context(cursor=cursor, resources={"seedhouse": resource}, instance=instance) as context:
            return seeds_changed(context), context.cursor

    def launch(request):
        job = defs.resolve_job_def("build_warehouse")
        return job.execute_in_process(
            run_config={"resources": {"seedhouse": {"config": {"seeds_root": str(seeds), "warehouse_path": str(published)}}}},
            instance=instance,
            tags={"dagster/run_key": request.run_key},
            raise_on_error=False,
        )

    children = {child.pid for child in psutil.Process().children(recursive=True)}
    request, cursor = tick(None)
    assert isinstance(request, RunRequest)
    # a tick starts no Great Expectations process (nor any other)
    assert {child.pid for child in psutil.Process().children(recursive=True)} <= children

    shell_build = Warehouse(published)
    shell_build.acquire_lock("a-shell-build")  # `seedhouse build` from a shell holds the lock
    try:
        (seeds / "new.md").write_text("---\ntitle: Added during the shell build\nwebUrl: https://n.example.com/x\n---\n")
        assert not launch(request).success  # the sensor's run fails on the lock
    finally:
        shell_build.release_lock()

    retry, cursor = tick(cursor)
    assert isinstance(retry, RunRequest) and retry.run_key != request.run_key
    assert launch(retry).success
    assert query(published, "select count(*) from core.seed_files where source_path = 'new.md'") == [(1,)]

    done, _ = tick(cursor)
    assert isinstance(done, SkipReason)
    assert done.skip_message == f"no seed file changed under {seeds}"
