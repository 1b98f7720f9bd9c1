"""The peer: dlt loading the same seed files into DuckDB, for bench/run.py to time beside seedhouse.

    python bench/peer_dlt.py SEEDS DB       # load once and print dlt's own summary

dlt (data load tool) is what a team would reach for instead of seedhouse: a resource yields each
file's front matter (python-frontmatter, as the naive baseline reads it) and dlt infers a schema,
flattens nested objects into columns (`provider__name`) and unnests lists into child tables
(`seeds__topics`, `seeds__related`, `seeds__images`, ...). It types and loads; it does not
canonicalise URLs, join related items to articles, build marts or check anything.

dlt runs in its own virtual environment, `bench/.venv-dlt`, made on first use from the pinned
`bench/dlt-requirements.txt` with pip (and made again when that file changes), so that its
dependencies never move seedhouse's. dlt's anonymous telemetry is turned off
(`RUNTIME__DLTHUB_TELEMETRY=false`): this machine has no network, and a load must not wait on one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-dlt"
REQUIREMENTS = HERE / "dlt-requirements.txt"
STAMP = VENV / "requirements.sha256"  # the requirements the venv was made from

# The load, run by the venv's Python: SEEDS DB PIPELINES_DIR. Every file found is one row of
# `seeds` (a file python-frontmatter cannot read is a row with its error, as seedhouse keeps a
# ledger row), with its path, so the two load the same files.
LOADER = textwrap.dedent(
    """
    import os, sys
    import dlt, frontmatter
    root, db, pipelines_dir = sys.argv[1], sys.argv[2], sys.argv[3]

    @dlt.resource(name="seeds", write_disposition="replace")
    def seeds():
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                row = {"source_path": os.path.relpath(path, root)}
                try:
                    row.update(frontmatter.load(path).metadata)
                except Exception as exc:
                    row["load_error"] = repr(exc)
                yield row

    pipeline = dlt.pipeline(
        pipeline_name="seeds", destination=dlt.destinations.duckdb(db), dataset_name="seeds",
        pipelines_dir=pipelines_dir,
    )
    info = pipeline.run(seeds())
    info.raise_on_failed_jobs()
    """
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def python() -> Path:
    """The dlt venv's Python, making the venv first when it is missing or was made from other
    requirements."""
    executable = VENV / "bin" / "python"
    if executable.exists() and STAMP.exists() and STAMP.read_text() == _digest(REQUIREMENTS):
        return executable
    shutil.rmtree(VENV, ignore_errors=True)
    print(f"making {VENV} from {REQUIREMENTS.name} (once)", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(executable), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(_digest(REQUIREMENTS))
    return executable


def environment() -> dict[str, str]:
    """The environment of a dlt load: no telemetry, and no dlt settings from the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLT_", "DESTINATION__", "RUNTIME__"))}
    return {**env, "RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING"}


def command(seeds: Path, db: Path, pipelines_dir: Path) -> list[str]:
    """The command that loads `seeds` into a new DuckDB file `db`, keeping dlt's pipeline state in
    `pipelines_dir` (never the user's ~/.dlt). Delete both first for a cold load."""
    return [str(python()), "-c", LOADER, str(seeds), str(db), str(pipelines_dir)]


def tables(db: Path) -> dict[str, int]:
    """The tables dlt made in `db` and their rows (its own `_dlt_*` bookkeeping left out)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'seeds' "
                "and table_name not like '\\_dlt%' escape '\\' order by 1"
            ).fetchall()
        ]
        return {name: con.execute(f'select count(*) from seeds."{name}"').fetchone()[0] for name in names}


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    seeds, db = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    pipelines = db.with_name(db.name + ".dlt-pipelines")
    shutil.rmtree(pipelines, ignore_errors=True)
    db.unlink(missing_ok=True)
    subprocess.run(command(seeds, db, pipelines), check=True, env=environment())
    for name, rows in tables(db).items():
        print(f"{name:<40} {rows:>9,}")


if __name__ == "__main__":
    main()
