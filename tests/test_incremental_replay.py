"""Incremental builds end exactly where full builds end, proven by replaying changes.

A seeds folder goes through a sequence of changes: files added, a file's heat and title changed, a
file deleted, a file renamed, then a new item whose related coverage joins two separate stories
into one, and an edit of that item that splits them again. After each change the same folder is
built twice, into two warehouses:

* `incremental`: the normal build, reusing the parse cache of the build before it;
* `full`: `full=True` (`seedhouse build --full`), which parses every file again.

Every table and view of the two warehouses (listed from DuckDB's catalog, not from a list kept by
hand) must then hold the same rows, and every check of the build the same outcome. Both chains get
the same `as_of` at each step, so `core.article_history` and `analytics.heat_trajectory`, which
keep what earlier builds saw, must agree too: the full chain saw the same builds. A one-shot full
build of the last folder is a third warehouse, equal to both in every table but those two (it saw
only one build, so its history legitimately differs).

Both replays make several real builds a step and run in the slow suite: one change a step, and
the same changes in three steps (the story merge and split among them). The default suite keeps
the test that the comparison itself sees a changed row, and tests/test_incremental.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipeline import quality
from pipeline.build import BuildReport, run_build
from pipeline.catalog import TABLES
from pipeline.compare import HISTORY_TABLES, IGNORED_COLUMNS, differences, relations
from pipeline.generate import generate
from pipeline.quality import expectations, load_suite
from tests.conftest import PROJECT, query
from tests.test_stories import seed

# What is compared, and the only columns left out (each with its reason), is pipeline/compare.py's:
# the benchmark compares its warehouses at 100,000 seeds with the same function.


def check_outcomes(path: Path) -> list[tuple]:
    """Every check the build that made `path` ran: which, on what, and what it found."""
    return query(
        path,
        "select table_name, check_name, severity, success, unexpected_count, observed_value "
        "from quality.check_results order by table_name, ordinal",
    )


# --- the seeds ----------------------------------------------------------------------------------

# Two separate stories in 2018, before every generated date (2019-2024), so that no generated
# article falls within the 7 days that story evidence looks at. In each, the second outlet's item
# lists the first's as related coverage under its headline: a same_story link (story_relation in
# warehouse/macros.sql: another outlet, within 7 days, headlines agreeing).
CRANES = ("Rotterdam harbour cranes switch to battery power", "The port authority retrofits forty quay cranes with lithium packs")
GLACIER = ("Patagonia glacier survey finds record ice melt", "Scientists measured the southern ice field from the air for a decade")
STORY_SEEDS = {
    "stories/cranes-1.md": seed("harbour.example", "cranes", *CRANES, "2018-05-14T08:00:00Z"),
    "stories/cranes-2.md": seed(
        "dockside.example", "cranes", "Port of Rotterdam cranes switch to battery power",
        "Forty quay cranes get lithium packs as the port cuts diesel", "2018-05-14T12:00:00Z",
        related=(("harbour.example", "cranes", *CRANES, "2018-05-14T08:00:00Z"),),
    ),
    "stories/glacier-1.md": seed("glacier.example", "survey", *GLACIER, "2018-05-15T09:00:00Z"),
    "stories/glacier-2.md": seed(
        "andes.example", "melt", "Record ice melt found by Patagonia glacier survey",
        "A decade of flights over the southern ice field shows the loss", "2018-05-15T16:00:00Z",
        related=(("glacier.example", "survey", *GLACIER, "2018-05-15T09:00:00Z"),),
    ),
}
# A roundup whose headline carries both events and whose related coverage lists both first
# items under their own headlines: each link is same_story (the roundup's headline holds every
# word of each), so the two stories become one.
BRIDGE = "stories/roundup.md"
MERGING = seed(
    "roundup.example", "week", f"{CRANES[0]} as {GLACIER[0].lower()}", "Our weekly digest of climate and industry",
    "2018-05-16T07:00:00Z",
    related=(
        ("harbour.example", "cranes", *CRANES, "2018-05-14T08:00:00Z"),
        ("glacier.example", "survey", *GLACIER, "2018-05-15T09:00:00Z"),
    ),
)
# The same roundup corrected to the cranes alone: the link to the glacier story is gone, and no
# word of the glacier story is left in its text to join them by, so the stories part again.
SPLITTING = seed(
    "roundup.example", "week", f"{CRANES[0]}, and what it costs", "Our weekly digest of climate and industry",
    "2018-05-16T07:00:00Z",
    related=(("harbour.example", "cranes", *CRANES, "2018-05-14T08:00:00Z"),),
)


def write(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def news_files(root: Path) -> list[Path]:
    """The generated news files, in a fixed order (stories/ and renamed/ are the test's own)."""
    return sorted((root / "news").rglob("*.md"))


# --- the changes --------------------------------------------------------------------------------


@dataclass
class Change:
    """One change to the seeds folder; `apply` returns how many files the next build must parse."""

    name: str
    apply: Callable[[Path], int]


def add_stories(root: Path) -> int:
    for name, data in STORY_SEEDS.items():
        write(root, name, data)
    return len(STORY_SEEDS)


def add_files(root: Path) -> int:
    """The four story seeds and one more generated article."""
    add_stories(root)
    extra = root.parent / "extra"
    generate(5, extra, seed=99)
    shutil.copyfile(news_files(extra)[0], root / "news" / "added.md")
    return len(STORY_SEEDS) + 1


def modify_heat_and_title(root: Path) -> int:
    """One article's heat and title change: its history gets a new version."""
    path = next(p for p in news_files(root) if re.search(r"^heat: \d+$", p.read_text(), re.M))
    text = re.sub(r"^heat: (\d+)$", lambda m: f"heat: {int(m.group(1)) + 500}", path.read_text(), count=1, flags=re.M)
    path.write_text(text.replace('title: "', 'title: "Updated: ', 1))
    return 1


def delete_file(root: Path) -> int:
    news_files(root)[1].unlink()
    return 0


def rename_file(root: Path) -> int:
    """One article moves to another folder and name: the same article under a new source_path."""
    (root / "renamed").mkdir(exist_ok=True)
    news_files(root)[2].rename(root / "renamed" / "moved.md")
    return 1


def merge_stories(root: Path) -> int:
    write(root, BRIDGE, MERGING)
    return 1


def split_stories(root: Path) -> int:
    write(root, BRIDGE, SPLITTING)
    return 1


# --- what the stories are -------------------------------------------------------------------------


def stories(path: Path) -> tuple[int, dict[str, str]]:
    """The number of stories, and the story of each of the test's story seeds by file name."""
    (n,) = query(path, "select count(*) from analytics.stories")[0]
    members = dict(
        query(
            path,
            "select a.source_path, m.story_id from analytics.story_members m join core.articles a using (article_id) "
            "where a.source_path like 'stories/%'",
        )
    )
    return n, members


def story_groups(members: dict[str, str]) -> set[frozenset[str]]:
    """The story seeds grouped by story, by file name without folder and extension."""
    groups: dict[str, set[str]] = {}
    for source_path, story_id in members.items():
        groups.setdefault(story_id, set()).add(Path(source_path).stem)
    return {frozenset(group) for group in groups.values()}


# --- the replay -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ge():
    """One Great Expectations process for every build of the module, as `seedhouse watch` keeps one:
    it validates the same suites, and spares each build the seconds of starting GE."""
    process = quality.new_ge_process()
    yield process
    process.close()


def n_checks() -> int:
    return sum(len(expectations(load_suite(t.name))) for t in TABLES)


def build(seeds: Path, warehouse: Path, step: int, ge, *, full: bool) -> BuildReport:
    # both chains observe the seeds at the same time at each step, so their histories can agree
    report = run_build(seeds, warehouse, full=full, ge=ge, resource_config={"as_of": f"2026-01-01T{step:02d}:00:00Z"})
    assert report.published, (report.errors, [f.describe() for f in report.blocking_failures])
    return report


def replay(tmp_path: Path, steps: list[list[Change]], ge) -> tuple[Path, Path, Path, list[tuple[int, set]]]:
    """Generate the seeds, build both chains, then apply each step's changes and build both again,
    asserting after every build that the two warehouses are equal. Returns the seeds folder, the
    two warehouses and, per build, the number of stories and how the story seeds are grouped."""
    seeds = tmp_path / "seeds"
    generate(40, seeds, seed=7)
    incremental, full = tmp_path / "incremental" / "seedhouse.duckdb", tmp_path / "full" / "seedhouse.duckdb"
    seen = []
    for step, changes in enumerate([[], *steps]):
        to_parse = sum(change.apply(seeds) for change in changes)
        n_files = sum(1 for p in seeds.rglob("*") if p.is_file())
        inc = build(seeds, incremental, step, ge, full=False)
        # the incremental build reused the cache: it parsed only what changed
        assert (inc.parsed, inc.reused) == ((n_files, 0) if step == 0 else (to_parse, n_files - to_parse)), [c.name for c in changes]
        whole = build(seeds, full, step, ge, full=True)
        assert (whole.parsed, whole.reused) == (n_files, 0)
        assert differences(incremental, full) == {}, [c.name for c in changes]
        assert check_outcomes(incremental) == check_outcomes(full)
        assert len(check_outcomes(incremental)) == n_checks()
        n, members = stories(incremental)
        seen.append((n, story_groups(members)))
    return seeds, incremental, full, seen


CRANES_ALONE, GLACIER_ALONE = frozenset({"cranes-1", "cranes-2"}), frozenset({"glacier-1", "glacier-2"})


@pytest.mark.slow
def test_replayed_changes_build_the_same_warehouse_incrementally_and_in_full(tmp_path, ge):
    """The default suite's replay: the changes in three steps, the story merge and split among them."""
    # the stories are there from the first build, so that the merge has two stories to join
    add_stories(tmp_path / "seeds")
    steps = [
        [Change("modify heat and title", modify_heat_and_title), Change("delete", delete_file), Change("rename", rename_file),
         Change("merge two stories", merge_stories)],
        [Change("split them again", split_stories)],
    ]
    _, _, _, seen = replay(tmp_path, steps, ge)
    (before, groups_before), (merged, groups_merged), (split, groups_split) = seen
    assert groups_before == {CRANES_ALONE, GLACIER_ALONE}
    assert groups_merged == {CRANES_ALONE | GLACIER_ALONE | {"roundup"}}
    assert merged == before - 1  # the roundup joined the two stories: one story fewer
    assert groups_split == {CRANES_ALONE | {"roundup"}, GLACIER_ALONE}
    assert split == merged + 1


def test_the_comparison_covers_every_relation_and_sees_a_changed_row(tmp_path, tiny_warehouse):
    """`differences` compares every table and view of the catalog and both quality tables, leaves
    out only columns that exist, and finds a changed row and a duplicated one."""
    with duckdb.connect() as con:
        con.execute(f"attach '{tiny_warehouse}' as w (read_only)")
        found = relations(con, "w")
    assert set(found) == {t.name for t in TABLES} | {"quality.build_info", "quality.check_results"}
    for schema, table, column in IGNORED_COLUMNS:
        assert column in dict(found[f"{schema}.{table}"])
    assert differences(tiny_warehouse, tiny_warehouse) == {}

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(tiny_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update core.articles set heat = heat + 1 where article_id = (select min(article_id) from core.articles)")
        con.execute("insert into analytics.topic_pairs select * from analytics.topic_pairs limit 1")
    assert differences(tiny_warehouse, copy) == {
        "core.articles": {"rows only in the first": 1, "rows only in the second": 1},
        "analytics.article_details": {"rows only in the first": 1, "rows only in the second": 1},  # a view of it
        "analytics.topic_pairs": {"rows only in the first": 0, "rows only in the second": 1},
    }


@pytest.mark.slow
def test_every_change_alone_builds_the_same_warehouse_incrementally_and_in_full(tmp_path, ge):
    """The full replay, one change a step; then a one-shot full build of the last folder and
    `seedhouse check --format json` on the warehouses."""
    steps = [
        [Change("add files", add_files)],
        [Change("modify heat and title", modify_heat_and_title)],
        [Change("delete", delete_file)],
        [Change("rename", rename_file)],
        [Change("merge two stories", merge_stories)],
        [Change("split them again", split_stories)],
    ]
    seeds, incremental, full, seen = replay(tmp_path, steps, ge)
    groups = [g for _, g in seen]
    counts = [n for n, _ in seen]
    assert groups[0] == set() and groups[1] == groups[2] == groups[3] == groups[4] == {CRANES_ALONE, GLACIER_ALONE}
    assert groups[5] == {CRANES_ALONE | GLACIER_ALONE | {"roundup"}} and counts[5] == counts[4] - 1
    assert groups[6] == {CRANES_ALONE | {"roundup"}, GLACIER_ALONE} and counts[6] == counts[5] + 1
    # the history saw every step: the modified article has two versions, the deleted one is closed
    assert query(incremental, "select count(*) from core.article_history where title like 'Updated: %'") == [(1,)]
    assert query(incremental, "select count(*) from core.article_history where valid_to is not null") != [(0,)]

    # a warehouse built once from the last folder: equal but for the history it never saw
    once = tmp_path / "once" / "seedhouse.duckdb"
    build(seeds, once, len(steps), ge, full=True)
    assert differences(incremental, once, skip=frozenset(HISTORY_TABLES)) == {}
    assert differences(incremental, once) != {}  # its history is one build long: the comparison sees it

    # the outcomes `seedhouse check` reports on each warehouse, as CI reads them: every check the
    # same, the same success and unexpected count, and each the same as its build recorded it
    def check(path: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "check", "--warehouse", str(path), "--format", "json",
             "--page", str(path.with_suffix(".html")), "--docs", str(path.parent / "docs")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT,
        )

    def checked(process: subprocess.Popen) -> list[tuple]:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        results = json.loads(stdout)["results"]
        assert all(r["same_as_build"] for r in results)
        return [(r["table"], r["check"], r["severity"], r["success"], r["unexpected_count"]) for r in results]

    # three independent processes, each writing beside its own warehouse: run at once, one's
    # start (importing GE) overlaps another's validation
    of_incremental, of_full, of_once = (checked(process) for process in [check(incremental), check(full), check(once)])
    assert len(of_incremental) == n_checks()
    assert of_full == of_incremental
    assert of_once == of_incremental
