"""`seedhouse replay --git REPO --paths DIRS`: article history from a repository's commits, in one pass.

Aggregators keep their seeds in git and rewrite them (heat scores above all); each commit is a
snapshot of the seeds. Replaying the commits oldest first through `seedhouse build --as-of
<commit time>`, one full build each, gives core.article_history; this does the same in one pass:

1. the commits that touch DIRS, oldest first (`git log --reverse`), each with its committer time;
2. for each, the seeds folder is brought to the commit's tree under DIRS (only the files the
   commit changed are written or removed), and the same ingest and the same SQL as a build make
   core.seed_files and core.articles from it (the parse reuses what did not change), then
   core.article_history is carried on at the commit's time;
3. the last snapshot is then built, checked and published as any build is, with the replayed
   history carried on (`history_from`) and the last commit's time as `as_of`.

No marts, checks or publishing happen per commit, which is where a build's time goes. The seeds
folder is the repository restricted to DIRS, with the repository's paths; the history is the
replay's alone (the published warehouse's is replaced).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.catalog import BY_NAME
from pipeline.ingest import ingest
from pipeline.warehouse import attach, build_model, connect, create_schemas


class ReplayError(RuntimeError):
    """The repository or its paths could not be read."""


@dataclass(frozen=True)
class Commit:
    sha: str
    time: datetime


def _git(repo: Path, *args: str, binary: bool = False) -> str | bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    except FileNotFoundError:
        raise ReplayError("git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise ReplayError(f"git {' '.join(args[:2])} failed in {repo}: {exc.stderr.decode(errors='replace').strip()}") from None
    return done.stdout if binary else done.stdout.decode()


def commits(repo: Path, paths: list[str]) -> list[Commit]:
    """The commits that touch `paths`, oldest first, with their committer times."""
    found = []
    for line in _git(repo, "log", "--reverse", "--format=%H %cI", "--", *paths).splitlines():
        sha, when = line.split(" ", 1)
        found.append(Commit(sha, datetime.fromisoformat(when)))
    if not found:
        raise ReplayError(f"no commit of {repo} touches {', '.join(paths)}")
    return found


def _checkout(repo: Path, commit: Commit, previous: Commit | None, paths: list[str], seeds: Path) -> None:
    """Bring `seeds` from `previous`'s tree under `paths` to `commit`'s: only what changed."""
    if previous is None:
        changed = [("A", name) for name in _git(repo, "ls-tree", "-r", "--name-only", "-z", commit.sha, "--", *paths).split("\0") if name]
    else:
        fields = _git(repo, "diff", "--name-status", "--no-renames", "-z", previous.sha, commit.sha, "--", *paths).split("\0")
        changed = [(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]
    for status, name in changed:
        target = seeds / name
        if status == "D":
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(repo, "show", f"{commit.sha}:{name}", binary=True))


def replay_history(
    repo: Path, paths: list[str], seeds: Path, history_file: Path, on_commit: Callable[[int, int, Commit], None] | None = None
) -> Commit:
    """Replay the commits into `seeds` (emptied first) and write core.article_history into
    `history_file`; returns the last commit."""
    found = commits(repo, paths)
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir(parents=True)
    history_file.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="seedhouse-replay-") as scratch:
        cache = Path(scratch) / "cache.duckdb"
        previous = None
        for number, commit in enumerate(found, start=1):
            _checkout(repo, commit, previous, paths, seeds)
            build, staging = Path(scratch) / f"build-{number}.duckdb", Path(scratch) / f"staging-{number}.duckdb"
            with connect(build) as con:
                attach(con, staging, "staging")
                create_schemas(con, "core", "analytics", "quality")
                ingest(con, seeds, run_id=f"replay-{commit.sha}", cache_path=cache if cache.exists() else None,
                       history_from=history_file if history_file.exists() else None, observed_at=commit.time)
                for name in ("core.seed_files", "core.articles", "core.article_history"):
                    build_model(con, BY_NAME[name])
                con.execute("checkpoint")
            # this commit's history is the next one's previous; its staging is the next one's parse cache
            shutil.move(build, history_file)
            shutil.move(staging, cache)
            if on_commit:
                on_commit(number, len(found), commit)
            previous = commit
    return found[-1]
