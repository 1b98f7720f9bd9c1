"""Article history across builds, and `seedhouse replay --git` giving the same history in one pass.

A real git repository is made here: four commits of a small seeds folder that rewrite a heat score
and a headline, add an article and remove one, each at its own committer time. Building every
commit with `seedhouse build --as-of <commit time>` and replaying the repository must give the
same core.article_history, row for row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

from tests.conftest import built_warehouse, query, write_seeds

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


def seed(slug: str, title: str, heat: int, when: str = "2024-05-06T10:00:00Z") -> bytes:
    return (f'---\ntitle: "{title}"\npublishedDateTime: {when}\nwebUrl: https://www.example.com/{slug}\n'
            f"category: news\nheat: {heat}\nprovider:\n  domain: example.com\n---\n").encode()


# (committer time, files written, files removed)
COMMITS = [
    ("2024-05-06T12:00:00+00:00", {"news/a.md": seed("a", "Alpha launches a model", 10),
                                   "news/b.md": seed("b", "Beta raises money", 20),
                                   "news/c.md": seed("c", "Gamma opens a lab", 30)}, []),
    ("2024-05-07T12:00:00+00:00", {"news/a.md": seed("a", "Alpha launches a model", 55)}, []),
    ("2024-05-08T12:00:00+00:00", {"news/b.md": seed("b", "Beta raises more money", 20),
                                   "news/d.md": seed("d", "Delta hires", 5)}, []),
    ("2024-05-09T12:00:00+00:00", {"news/a.md": seed("a", "Alpha launches a model", 90)}, ["news/c.md"]),
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    (root / "README.md").write_text("not a seed: outside the replayed paths\n")
    for when, written, removed in COMMITS:
        write_seeds(root, written)
        for name in removed:
            (root / name).unlink()
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", when], check=True,
                       env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return root


def snapshot(repo: Path, sha: str, folder: Path) -> Path:
    """The commit's tree under news/, as a checkout would leave it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", sha, "news"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(folder, filter="data")
    return folder


HISTORY = ("select article_id, version, valid_from, valid_to, title, heat, source_path, first_seen_at, last_seen_at "
           "from core.article_history order by article_id, version")


@pytest.fixture(scope="module")
def built_commit_by_commit(repo, tmp_path_factory, warm_ge) -> Path:
    from pipeline.build import run_build

    shas = subprocess.run(["git", "-C", str(repo), "log", "--reverse", "--format=%H %cI"], check=True,
                          capture_output=True, text=True).stdout.split("\n")
    work = tmp_path_factory.mktemp("by_commit")
    warehouse = work / "seedhouse.duckdb"
    for line in filter(None, shas):
        sha, when = line.split(" ")
        seeds = snapshot(repo, sha, work / "seeds")
        report = run_build(seeds, warehouse, resource_config={"as_of": when}, ge=warm_ge)
        assert report.published, (report.errors, [f.describe() for f in report.failed_checks])
    return warehouse


def test_history_fills_as_files_change(built_commit_by_commit):
    rows = query(built_commit_by_commit, "select source_path, version, valid_from::varchar, valid_to::varchar, heat, title "
                                         "from core.article_history order by source_path, version")
    assert rows == [
        ("news/a.md", 1, "2024-05-06 12:00:00+00", "2024-05-07 12:00:00+00", 10, "Alpha launches a model"),
        ("news/a.md", 2, "2024-05-07 12:00:00+00", "2024-05-09 12:00:00+00", 55, "Alpha launches a model"),
        ("news/a.md", 3, "2024-05-09 12:00:00+00", None, 90, "Alpha launches a model"),
        ("news/b.md", 1, "2024-05-06 12:00:00+00", "2024-05-08 12:00:00+00", 20, "Beta raises money"),
        ("news/b.md", 2, "2024-05-08 12:00:00+00", None, 20, "Beta raises more money"),
        ("news/c.md", 1, "2024-05-06 12:00:00+00", "2024-05-09 12:00:00+00", 30, "Gamma opens a lab"),  # removed
        ("news/d.md", 1, "2024-05-08 12:00:00+00", None, 5, "Delta hires"),
    ]
    assert query(built_commit_by_commit, "select h.source_path, h.first_seen_at::varchar, h.last_seen_at::varchar "
                                         "from core.article_history h where version = 1 order by 1") == [
        ("news/a.md", "2024-05-06 12:00:00+00", "2024-05-09 12:00:00+00"),
        ("news/b.md", "2024-05-06 12:00:00+00", "2024-05-09 12:00:00+00"),
        ("news/c.md", "2024-05-06 12:00:00+00", "2024-05-09 12:00:00+00"),  # gone since then
        ("news/d.md", "2024-05-08 12:00:00+00", "2024-05-09 12:00:00+00"),
    ]
    assert query(built_commit_by_commit, "select a.source_path, t.version, t.heat, t.heat_change, t.hours_held "
                                         "from analytics.heat_trajectory t join core.article_history a using (article_id, version) "
                                         "where a.source_path = 'news/a.md' order by 2") == [
        ("news/a.md", 1, 10, None, 24.0), ("news/a.md", 2, 55, 45, 48.0), ("news/a.md", 3, 90, 35, 0.0)]


def test_replay_gives_the_same_history_in_one_pass(repo, built_commit_by_commit, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    warehouse = tmp_path / "replayed.duckdb"
    result = CliRunner().invoke(main, ["replay", "--git", str(repo), "--paths", "news", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "commit 4/4" in result.output
    assert query(warehouse, HISTORY) == query(built_commit_by_commit, HISTORY)
    # the last snapshot is what later builds read: the repository restricted to news/
    seeds = warehouse.parent / ".seedhouse" / warehouse.name / "replay-seeds"
    assert sorted(p.relative_to(seeds).as_posix() for p in seeds.rglob("*") if p.is_file()) == [
        "news/a.md", "news/b.md", "news/d.md"]


def test_a_first_build_starts_the_history(tmp_path):
    warehouse = built_warehouse(write_seeds(tmp_path / "seeds", {"x.md": seed("x", "Xi", 1)}), tmp_path / "wh")
    assert query(warehouse, "select version, valid_to, first_seen_at = valid_from from core.article_history") == [(1, None, True)]


def test_replay_of_paths_no_commit_touches_is_a_usage_error(repo, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["replay", "--git", str(repo), "--paths", "nowhere", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "no commit of" in result.output
