"""A seedhouse project: a folder whose `seedhouse.toml` says where its seeds, warehouse and
expectation suites are, and how its builds are made.

Every command finds its project the same way (`locate`): `--project DIR`, else the
`SEEDHOUSE_PROJECT` environment variable, else the current folder or the nearest folder above it
that holds a `seedhouse.toml`. Relative paths in the file are relative to the project's folder.
The SQL models are not a project's: they come with the package (see `pipeline.paths`), together
with the catalog, the docs and the parse that depend on them; the suites are, to customise.

Only the standard library is imported here: the command line reads a project before it decides
whether to import Dagster.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.paths import EXPECTATIONS_DIR

CONFIG_FILE = "seedhouse.toml"
ENV_VAR = "SEEDHOUSE_PROJECT"

# `[build]` settings: fields of pipeline.resources.SeedhouseResource that belong to a project
# rather than to one run (a test holds them to the resource's fields and types)
BUILD_SETTINGS: dict[str, type] = {
    "storage_version": str,
    "max_file_bytes": int,
    "max_value_chars": int,
    "max_list_items": int,
    "max_depth": int,
    "max_values": int,
    "max_topics": int,
    "max_related": int,
    "shrink_threshold": float,
}
_PATHS = ("seeds", "warehouse", "expectations")

TEMPLATE = """\
# A seedhouse project. Every `seedhouse` command run in this folder (or a folder below it), or
# given `--project` / SEEDHOUSE_PROJECT naming it, reads this file. Paths are relative to this
# folder; --seeds, --warehouse and --expectations override them for one command.

# the folder of seed files, read recursively
seeds = "seeds"
# the published DuckDB file analysts open; each build's state is kept in .seedhouse/ beside it
warehouse = "warehouse/seedhouse.duckdb"
# the expectation suites (<schema>.<table>.json) a build checks and `seedhouse check` runs; leave
# this line out to use the suites that come with the installed seedhouse
expectations = "expectations"

[build]
# DuckDB storage version of the published file: v1.4.0 opens in DuckDB 1.4 and later (DBeaver's
# drivers, older CLIs); a newer one may not
storage_version = "v1.4.0"
# Left out, a setting takes its default (shown). Input limits: a seed file over them is quarantined.
# max_file_bytes = 5000000
# max_value_chars = 100000
# max_list_items = 1000
# max_depth = 20
# max_values = 20000
# max_topics = 100
# max_related = 200
# A build that loads fewer than this share of the published articles is not published without
# --allow-shrink.
# shrink_threshold = 0.5
"""

WORKSPACE = """\
# `dagster dev` in this folder loads seedhouse's definitions, which read ./seedhouse.toml
load_from:
  - python_module:
      module_name: pipeline.definitions
      location_name: seedhouse
"""

GITIGNORE = """\
# seedhouse build outputs
*.duckdb
*.duckdb.wal
*-report.html
.seedhouse/
"""


class ProjectError(Exception):
    """No project where one was looked for, or a `seedhouse.toml` that cannot be used."""


class NoProjectError(ProjectError):
    """No `seedhouse.toml` in the current folder or above it, and none named: a command given all
    its paths can still run."""


NOT_FOUND = (
    "no seedhouse project here: no {file} in {where} or any folder above it. Run `seedhouse init DIR` "
    "to make one, or name one with --project DIR or the {env} environment variable"
)


@dataclass(frozen=True)
class Project:
    root: Path
    seeds: Path
    warehouse: Path
    expectations: Path
    settings: dict[str, Any] = field(default_factory=dict)  # the [build] table

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @classmethod
    def load(cls, root: Path | str) -> Project:
        """The project whose `seedhouse.toml` is in `root` (or is `root`)."""
        root = Path(root).expanduser().absolute()
        if root.name == CONFIG_FILE and root.is_file():
            root = root.parent
        config = root / CONFIG_FILE
        if not config.is_file():
            raise ProjectError(f"{root} is not a seedhouse project: it holds no {CONFIG_FILE} (run `seedhouse init {root}`)")
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProjectError(f"{config} cannot be read: {exc}") from None
        settings = data.pop("build", {})
        unknown = sorted(set(data) - set(_PATHS))
        if unknown:
            raise ProjectError(f"{config}: unknown setting(s) {', '.join(unknown)} (known: {', '.join(_PATHS)} and [build])")
        for key in _PATHS:
            if key in data and not (isinstance(data[key], str) and data[key]):
                raise ProjectError(f"{config}: {key} must be a path (a non-empty string)")
        if not isinstance(settings, dict):
            raise ProjectError(f"{config}: build must be a table ([build])")
        for key, value in settings.items():
            kind = BUILD_SETTINGS.get(key)
            if kind is None:
                raise ProjectError(f"{config}: unknown [build] setting {key} (known: {', '.join(BUILD_SETTINGS)})")
            # TOML's integers are floats' equals for a share; a bool is an int to Python, never here
            if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else kind):
                raise ProjectError(f"{config}: [build] {key} must be a {kind.__name__}, not {value!r}")

        def path(key: str, default: str) -> Path:
            return root / Path(data.get(key, default)).expanduser()

        return cls(
            root=root,
            seeds=path("seeds", "seeds"),
            warehouse=path("warehouse", "warehouse/seedhouse.duckdb"),
            expectations=path("expectations", str(EXPECTATIONS_DIR)),
            settings=dict(settings),
        )


def find(start: Path | str) -> Path | None:
    """The nearest folder, `start` or above it, that holds a `seedhouse.toml`; None if none does."""
    start = Path(start).absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def locate(project: Path | str | None = None, *, cwd: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Project:
    """The project a command works on: `project` (`--project`), else `$SEEDHOUSE_PROJECT`, else
    the nearest one at or above `cwd` (the current folder); `ProjectError` when there is none."""
    environ = os.environ if environ is None else environ
    named = project or environ.get(ENV_VAR) or None
    if named:
        return Project.load(named)
    where = Path(cwd) if cwd is not None else Path.cwd()
    root = find(where)
    if root is None:
        raise NoProjectError(NOT_FOUND.format(file=CONFIG_FILE, where=where.absolute(), env=ENV_VAR))
    return Project.load(root)


def current() -> Project | None:
    """The project of this process (see `locate`), or None when there is none; a project whose
    `seedhouse.toml` cannot be used is still an error."""
    if not os.environ.get(ENV_VAR) and find(Path.cwd()) is None:
        return None
    return locate()


def init(directory: Path | str, *, samples: int = 0, seed: int = 0) -> Project:
    """Make `directory` a project: `seedhouse.toml`, a `seeds/` folder (with `samples` generated
    seed files), a copy of the default suites in `expectations/` to customise, a `workspace.yaml`
    for `dagster dev`, and a `.gitignore` for build outputs. Refuses (ProjectError) a folder that
    already is a project, or holds an `expectations/` folder or files in `seeds/` it would mix
    with."""
    root = Path(directory).expanduser().absolute()
    if (root / CONFIG_FILE).exists():
        raise ProjectError(f"{root} already is a seedhouse project ({CONFIG_FILE} exists)")
    if (root / "expectations").exists():
        raise ProjectError(f"{root / 'expectations'} exists: refusing to mix the default suites into it")
    seeds = root / "seeds"
    if samples and seeds.is_dir() and any(seeds.iterdir()):
        raise ProjectError(f"{seeds} is not empty: refusing to add sample seeds to it")
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a folder")
    seeds.mkdir(parents=True, exist_ok=True)
    (root / "warehouse").mkdir(exist_ok=True)
    shutil.copytree(EXPECTATIONS_DIR, root / "expectations", ignore=lambda _dir, names: [n for n in names if not n.endswith(".json")])
    for name, text in (("workspace.yaml", WORKSPACE), (".gitignore", GITIGNORE)):
        if not (root / name).exists():
            (root / name).write_text(text, encoding="utf-8")
    if samples:
        from pipeline.generate import generate

        generate(samples, seeds, seed=seed)
    # written last: a folder is a project only once everything it names is there
    (root / CONFIG_FILE).write_text(TEMPLATE, encoding="utf-8")
    return Project.load(root)
