"""The `seedhouse` command line: thin wrappers over pipeline.build, pipeline.quality and
pipeline.generate. Heavy imports (Dagster, Great Expectations) happen inside the commands, so
`seedhouse --help` answers at once.
"""

from __future__ import annotations

import csv
import difflib
import functools
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from rich.markup import escape

from pipeline.paths import default_report_path
from pipeline.project import ENV_VAR, NoProjectError, Project, ProjectError, locate

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _console(*, stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # wide enough for table names and check names when the output is a log, not a terminal;
    # an error stays on one line, whole, for whoever greps the log
    return Console(highlight=False, stderr=stderr, soft_wrap=stderr, width=None if stream.isatty() else 160)


class _BarReporter:
    """Adapts a rich progress bar to pipeline.session.Reporter."""

    def __init__(self, progress):
        self.progress, self.task = progress, None

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("parsing seed files", total=total)

    def advance(self, done: int) -> None:
        self.progress.advance(self.task, done)


def _print_failures(console, failures) -> None:
    if failures:
        console.print("Failed expectations:")
        for failure in failures:
            console.print(f"  - {failure.describe()}", markup=False)


_PROJECT = "seedhouse.project"  # ctx.meta key: the project, once found


def _project(required: bool = True) -> Project | None:
    """The project of this command (`--project`, SEEDHOUSE_PROJECT, or the current folder and up),
    found once; a usage error (exit 2) when there is none and `required`, and whenever the one
    found or named cannot be used."""
    meta = click.get_current_context().meta
    if _PROJECT not in meta:
        try:
            meta[_PROJECT] = locate(meta.get("seedhouse.project_option"))
        except ProjectError as exc:
            meta[_PROJECT] = exc
    found = meta[_PROJECT]
    if isinstance(found, NoProjectError) and not required:
        return None
    if isinstance(found, ProjectError):
        _usage(str(found))
    return found


def _project_settings() -> dict:
    """The project's [build] settings for a build's resource config; none outside a project
    (a build given --seeds and --warehouse)."""
    project = _project(required=False)
    return dict(project.settings) if project else {}


def _default_expectations() -> Path:
    # outside a project, a command given its other paths checks with the package's suites
    from pipeline.paths import EXPECTATIONS_DIR

    project = _project(required=False)
    return project.expectations if project else EXPECTATIONS_DIR


class SeedsLocation(click.ParamType):
    """A seeds folder (a path), or a URL (s3://bucket/prefix) kept as written: a Path would fold
    its `//`."""

    name = "folder|url"

    def convert(self, value, param, ctx):
        from pipeline.storage import is_url

        return value if isinstance(value, Path) or is_url(value) else Path(value)


def seeds_option(help: str):
    return click.option(
        "--seeds",
        "seeds_root",
        type=SeedsLocation(),
        default=lambda: _project().seeds,
        show_default="the project's seeds",
        help=help,
    )


def warehouse_option(help: str):
    return click.option(
        "--warehouse",
        "warehouse_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: _project().warehouse,
        show_default="the project's warehouse",
        help=help,
    )


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _usage(message: str):
    """Stop on a user's mistake: one `error:` line on stderr saying what to do, exit 2."""
    _error(message)
    sys.exit(EXIT_USAGE)


def _fail(message: str):
    """Stop on a failure that is not a mistake in the command (an SQL error, a failed write): exit 1."""
    _error(message)
    sys.exit(EXIT_FAILED)


def _refuse_to_overwrite(out: Path, kind: str, is_ours, force: bool) -> None:
    """Stop with a usage error when `out` holds a file that is not a seedhouse `kind` (the
    warehouse itself, its parse cache, a CSV), unless `force`, or when its folder is missing."""
    if not out.parent.is_dir():
        _usage(f"the folder {out.parent} does not exist: create it, or give --out a path in an existing folder")
    if force or not out.exists():
        return
    if out.is_dir() or not is_ours(out):
        _usage(f"{out} exists and is not a seedhouse {kind}: refusing to overwrite it (use --force)")


def _write_out(write, out: Path):
    """Run `write()`, turning an operating system error (no permission, a full disk) into exit 1."""
    from pipeline.warehouse import describe_write_error

    try:
        return write()
    except OSError as exc:
        _fail(describe_write_error(exc, out))


def out_option(help: str, kind: str):
    """`--out FILE` and the `--force` that lets it replace a file that is not a seedhouse `kind`."""
    out = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help=help)
    force = click.option("--force", is_flag=True, help=f"Overwrite --out even if it is not a seedhouse {kind}.")
    return lambda command: out(force(command))


def _require_warehouse(path: Path) -> None:
    """Stop with a usage error (exit 2) when `path` is not a seedhouse warehouse: missing, not a
    DuckDB file, or a DuckDB file that no seedhouse build published; exit 1 when it cannot be
    opened (another program holds it for writing, no permission)."""
    import duckdb

    from pipeline.warehouse import is_seedhouse_warehouse

    if not path.is_file():
        _usage(f"no warehouse at {path}: run `seedhouse build` first, or pass --warehouse")
    if is_seedhouse_warehouse(path):
        return
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        if "not a valid DuckDB database file" in str(exc):
            _usage(f"{path} is not a DuckDB file: pass the file that `seedhouse build` published as --warehouse")
        _fail(f"cannot open {path}: {_first_line(exc)}")
    _usage(f"{path} is a DuckDB file but not a seedhouse warehouse: pass the file that `seedhouse build` published as --warehouse")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# -- result output: a table on a terminal, tab-separated values through a pipe ------------------------

FORMATS = {
    "table": "Print a table (the default on a terminal).",
    "tsv": "Print tab-separated values with a header line (the default when stdout is not a terminal).",
    "csv": "Print CSV with a header line.",
    "json": "Print a JSON array of objects.",
    "nl": "Print newline-delimited JSON: one object per line.",
}


def output_options(command):
    """`--table/--tsv/--csv/--json/--nl`, at most one, passed to `command` as `fmt`."""

    @functools.wraps(command)
    def with_format(*args, **kwargs):
        chosen = [name for name in FORMATS if kwargs.pop(f"fmt_{name}")]
        if len(chosen) > 1:
            _usage(f"choose one output format, not {' and '.join('--' + name for name in chosen)}")
        fmt = chosen[0] if chosen else "table" if sys.stdout.isatty() else "tsv"
        return command(*args, fmt=fmt, **kwargs)

    for name, help in reversed(FORMATS.items()):
        with_format = click.option(f"--{name}", f"fmt_{name}", is_flag=True, help=help)(with_format)
    return with_format


def _text(value) -> str:
    """A value in text output: NULL as nothing, booleans as SQL writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _emit(columns: list[str], batches: Iterable[list[tuple]], fmt: str) -> None:
    """Print rows as they come, in `fmt`. Only the terminal table holds them all, to size its
    columns; every other format streams, so `| head` stops a large result early."""
    out = sys.stdout
    if fmt in ("csv", "tsv"):
        writer = csv.writer(out, dialect="excel-tab" if fmt == "tsv" else "excel", lineterminator="\n")
        writer.writerow(columns)
        for batch in batches:
            writer.writerows([_text(v) for v in row] for row in batch)
    elif fmt in ("json", "nl"):
        first = True
        if fmt == "json":
            out.write("[")
        for batch in batches:
            for row in batch:
                line = json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False)
                if fmt == "nl":
                    out.write(line + "\n")
                else:
                    out.write(("\n" if first else ",\n") + line)
                first = False
        if fmt == "json":
            out.write("]\n" if first else "\n]\n")
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table()
        for column in columns:
            table.add_column(Text(column), overflow="fold")  # wrap a long URL, never cut it
        n = 0
        for batch in batches:
            for row in batch:
                table.add_row(*(Text(_text(v)) for v in row))
                n += 1
        console = _console()
        console.print(table)
        console.print(f"{n} row{'' if n == 1 else 's'}")


def _batches(cursor, size: int = 2048) -> Iterator[list[tuple]]:
    while batch := cursor.fetchmany(size):
        yield batch


def _stdout_gone() -> None:
    """The reader of stdout went away (`| head`): send what is still buffered, and anything
    printed on the way out, to /dev/null instead of failing on it, as a pipeline expects."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _stdout_gone()
            ctx.exit(EXIT_OK)  # the reader had what it wanted; click itself would exit 1


expectations_option = click.option(
    "--expectations",
    "expectations_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=_default_expectations,
    show_default="the project's suites",
    help="Directory of expectation suites (<schema>.<table>.json).",
)

# commands that need no project: they make one, or write files where they are told
_WITHOUT_PROJECT = {"init", "generate"}


class _Seedhouse(_Group):
    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        # help for a command needs no usable project (read before the group's callback runs)
        ctx.meta["seedhouse.help"] = bool({"-h", "--help"} & set(rest))
        return name, command, rest


@click.group(cls=_Seedhouse, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="seedhouse")
@click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_VAR, show_envvar=True,
    default=None, help="The project folder (holding seedhouse.toml) [default: the current folder or the nearest above it].",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """seedhouse: news seed files -> a checked DuckDB analytics warehouse.

    Every command but init and generate works on a project: a folder whose seedhouse.toml names
    its seeds, warehouse and expectation suites (`seedhouse init DIR` makes one). Options such as
    --seeds and --warehouse override the project's paths for one command.
    """
    ctx.meta["seedhouse.project_option"] = project_dir
    if ctx.invoked_subcommand not in _WITHOUT_PROJECT and not ctx.meta.get("seedhouse.help"):
        # a project found or named must be usable, whatever the command's other options: its
        # settings are never dropped without a word
        _project(required=False)


@main.command()
@seeds_option(
    "Directory of seed files, read recursively, or a URL such as s3://bucket/prefix (endpoint and credentials "
    "from the standard AWS environment: AWS_ENDPOINT_URL, AWS_PROFILE, ...).",
)
@warehouse_option("The DuckDB file to publish.")
@expectations_option
@click.option("--full", is_flag=True, help="Parse every file again instead of only new and changed ones.")
@click.option(
    "--verify", is_flag=True,
    help="Hash every seed file, and parse again those whose bytes changed although size and time did not.",
)
@click.option(
    "--allow-shrink", is_flag=True,
    help="Publish even if the build loads far fewer articles than the published warehouse (seeds really removed).",
)
@click.option("--force", is_flag=True, help="Replace a file at --warehouse that is not a seedhouse warehouse.")
@click.option(
    "--as-of", "as_of", default="", metavar="TIME",
    help="When the seeds were observed (ISO 8601, e.g. 2024-05-01T12:00:00Z): article history dates this build's "
    "versions at it. Default: now. For replaying past snapshots of a seeds folder.",
)
@click.option(
    "--from-staging", "from_staging", default="", metavar="URL",
    help="Build from the committed snapshot of a sharded parse's staging (a folder or s3://... URL) instead of "
    "parsing --seeds.",
)
def build(
    seeds_root: Path | str, warehouse_path: Path, expectations_dir: Path, full: bool, verify: bool,
    allow_shrink: bool, force: bool, as_of: str, from_staging: str,
) -> None:
    """Parse every seed, build all tables, check them, and publish the warehouse if they pass.

    Runs the Dagster asset graph in-process (the same assets `dagster dev` shows). The published
    file is only replaced when every critical expectation passes, when the build does not lose
    more than half of the published articles (unless --allow-shrink), and when the new file reads
    back complete. Files unchanged since the last published build are not parsed again; when
    nothing changed at all, no build runs. A missing or empty seeds folder is an error (exit 2).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline import storage
    from pipeline.build import run_build
    from pipeline.ingest import SeedsRootError, check_seeds_root
    from pipeline.warehouse import left_as_it_was

    console = _console()
    shown_root = seeds_root
    try:
        if from_staging:
            from pipeline.shards import NoSnapshotError, Staging

            pointer = Staging(from_staging).current()
            if pointer is None:
                raise NoSnapshotError(
                    f"{from_staging} holds no committed staging snapshot: parse the shards and commit them first"
                )
            shown_root = f"{pointer['seeds']} (staging snapshot {pointer['number']} of {from_staging})"
        elif storage.is_url(seeds_root):
            # the objects are synced into a mirror beside the warehouse, which the build then parses
            from pipeline.warehouse import Warehouse

            seeds_root = storage.seeds_folder(seeds_root, Warehouse(warehouse_path).state_dir)
        else:
            check_seeds_root(seeds_root)
    except SeedsRootError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    if as_of:
        from pipeline.resources import parse_as_of

        try:
            parse_as_of(as_of)
        except ValueError as exc:
            _error(f"--as-of: {exc}")
            sys.exit(EXIT_USAGE)
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        # a bar is for a terminal: in a log, rich would leave an empty line where it was drawn
        console=console, transient=True, disable=not console.is_terminal,
    )
    options = {
        **_project_settings(), "verify": verify, "allow_shrink": allow_shrink, "force": force, "as_of": as_of,
        "from_staging": from_staging,
    }
    with bar:
        report = run_build(
            seeds_root, warehouse_path, full=full, expectations_dir=expectations_dir, resource_config=options,
            reporter=_BarReporter(bar),
        )
    errors = _console(stderr=True)
    for warning in report.warnings:
        errors.print(f"[yellow]warning:[/yellow] {escape(warning)}")

    if report.ledger:
        files = sum(report.ledger.values())
        ledger = ", ".join(f"{n} {status}" for status, n in report.ledger.items())
        console.print(f"{files} seed files from {shown_root}: {ledger}")
        if not report.up_to_date:
            console.print(f"  parsed {report.parsed} new or changed files, reused {report.reused} unchanged ones")
        for kind, n in report.quarantine.items():
            console.print(f"  quarantined {n} x {kind}  (see core.seed_files.error_message)")
    _print_failures(console, report.failed_checks)
    if report.up_to_date:
        console.print(f"nothing changed since the last build: {report.warehouse} is current ({report.seconds:.1f}s)")
        return
    if report.published:
        counts = ", ".join(f"{name} {n}" for name, n in report.row_counts.items())
        console.print(f"published {report.warehouse} in {report.seconds:.1f}s")
        html_report = default_report_path(report.warehouse)
        if html_report.exists():
            console.print(f"  report: {html_report}")
        console.print(f"  rows: {counts}")
        return
    for error in report.errors:
        errors.print(f"[red]error:[/red] {escape(error)}")
    blocking = report.blocking_failures
    if blocking:
        names = ", ".join(f"{f.table}:{f.check_name}" for f in blocking)
        errors.print(f"[red]build failed:[/red] critical expectations failed: {names}")
    errors.print(f"[red]not published:[/red] {escape(left_as_it_was(report.warehouse))}")
    sys.exit(EXIT_FAILED)


@main.command()
@seeds_option("Directory of seed files to watch, recursively.")
@warehouse_option("The DuckDB file to publish.")
@expectations_option
@click.option("--debounce", "debounce_ms", type=click.IntRange(min=0), default=300, show_default=True, metavar="MS",
              help="Wait until the folder has been quiet this long before building, so a burst of files is one build.")
@click.option(
    "--allow-shrink", is_flag=True,
    help="Publish even if a build loads far fewer articles than the published warehouse (seeds really removed).",
)
def watch(seeds_root: Path, warehouse_path: Path, expectations_dir: Path, debounce_ms: int, allow_shrink: bool) -> None:
    """Build now, then publish every change to the seeds folder as it lands, until Ctrl-C.

    One long-lived process: Dagster's definitions and a Great Expectations process stay warm, the
    folder is watched through the operating system's file events, and each burst of changes runs
    the incremental build `seedhouse build` runs, printing what it published and how long after
    the change. A failed build leaves the published warehouse as it was and the watch goes on.
    Holds the warehouse's build lock while it waits: a `seedhouse build` meanwhile refuses.
    """
    from pipeline.ingest import SeedsRootError, check_seeds_root
    from pipeline.storage import is_url
    from pipeline.warehouse import left_as_it_was
    from pipeline.watch import Publish, Watcher, WatchLockedError

    console, errors = _console(), _console(stderr=True)
    if is_url(seeds_root):
        _usage(f"seedhouse watch follows a local folder's file events; {seeds_root} is a URL: build it with seedhouse build")
    try:
        check_seeds_root(seeds_root)
    except SeedsRootError as exc:
        _usage(str(exc))

    def published(event: Publish) -> None:
        report = event.report
        when = time.strftime("%H:%M:%S")
        after = "" if event.latency_s is None else f", {event.latency_s:.1f}s after the change"
        changed = f"{event.changes} file event(s): " if event.changes else ""
        for warning in report.warnings:
            errors.print(f"[yellow]warning:[/yellow] {escape(warning)}")
        if report.up_to_date:
            console.print(f"{when} {changed}nothing to build: {report.warehouse} is current", soft_wrap=True)
        elif report.published:
            articles = report.row_counts.get("core.articles", 0)
            # one line a publish, however long the path, for whoever follows the log
            console.print(f"{when} {changed}published {report.warehouse} ({articles} articles) "
                          f"in {report.seconds:.1f}s{after}", soft_wrap=True)
        else:
            for error in report.errors:
                errors.print(f"[red]error:[/red] {escape(error)}")
            for failure in report.blocking_failures:
                errors.print(f"  - {escape(failure.describe())}")
            errors.print(f"{when} [red]not published:[/red] {escape(left_as_it_was(report.warehouse))}; "
                         + ("stopping" if event.stopping else "watching for the next change"))

    watcher = Watcher(seeds_root, warehouse_path, expectations_dir=expectations_dir, debounce_ms=debounce_ms,
                      resource_config={**_project_settings(), "allow_shrink": allow_shrink})
    try:
        watcher.run(published, on_ready=lambda: console.print(f"watching {seeds_root} (Ctrl-C to stop)"))
    except WatchLockedError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print(f"stopped during a build: {warehouse_path} holds the last build that published")
        return
    console.print("stopped")


@main.command()
@click.option("--git", "repo", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A git repository whose commits are snapshots of a seeds folder.")
@click.option("--paths", "paths", required=True, multiple=True, metavar="DIRS",
              help="The folders of the repository that hold seeds (comma-separated, or repeat the option).")
@warehouse_option("The DuckDB file to publish.")
@expectations_option
@click.option("--seeds", "seeds_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the last snapshot's seeds are kept, for later builds. Default: beside the warehouse, "
              "in .seedhouse/<file name>/replay-seeds.")
@click.option("--allow-shrink", is_flag=True,
              help="Publish even if the last snapshot loads far fewer articles than the published warehouse.")
def replay(repo: Path, paths: tuple[str, ...], warehouse_path: Path, expectations_dir: Path, seeds_dir: Path | None,
           allow_shrink: bool) -> None:
    """Rebuild article history from a repository's commits, then build and publish the last one.

    Walks the commits that touch DIRS oldest first and carries core.article_history on at each
    commit's time, in one pass (no marts or checks per commit), then builds, checks and publishes
    the last snapshot as `seedhouse build` does. The same history as building every commit with
    `seedhouse build --as-of <commit time>`; the published warehouse's history is replaced.
    """
    from pipeline.build import run_build
    from pipeline.replay import ReplayError, replay_history
    from pipeline.warehouse import Warehouse, left_as_it_was

    console = _console()
    dirs = [part.strip().strip("/") for value in paths for part in value.split(",") if part.strip()]
    state = Warehouse(warehouse_path).state_dir
    seeds = seeds_dir or state / "replay-seeds"
    history = state / "replay-history.duckdb"
    state.mkdir(parents=True, exist_ok=True)

    def progress(number: int, total: int, commit) -> None:
        click.echo(f"commit {number}/{total} {commit.sha[:10]} {commit.time.isoformat()}", err=True)

    try:
        last = replay_history(repo, dirs, seeds, history, on_commit=progress)
    except ReplayError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    options = {**_project_settings(), "as_of": last.time.isoformat(), "history_from": str(history), "allow_shrink": allow_shrink}
    report = run_build(seeds, warehouse_path, full=True, expectations_dir=expectations_dir, resource_config=options)
    _print_failures(console, report.failed_checks)
    if report.published:
        console.print(f"published {report.warehouse} in {report.seconds:.1f}s: history of {len(dirs)} folder(s) "
                      f"up to {last.sha[:10]} ({last.time.isoformat()}); seeds in {seeds}")
        return
    errors = _console(stderr=True)
    for error in report.errors:
        errors.print(f"[red]error:[/red] {escape(error)}")
    errors.print(f"[red]not published:[/red] {escape(left_as_it_was(report.warehouse))}")
    sys.exit(EXIT_FAILED)


@main.command()
@warehouse_option("The DuckDB file to check (opened read-only).")
@click.option(
    "--docs",
    "docs_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Great Expectations project folder for the Data Docs [default: the warehouse's .seedhouse/<file name>/ folder].",
)
@expectations_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text", show_default=True,
    help="text for people; json (one document: summary and every outcome) or junit (JUnit XML) for CI.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the --format output to FILE instead of standard output (the text summary is still printed).",
)
@click.option(
    "--page", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where to write the quality page (HTML) [default: <warehouse name>-quality.html beside the warehouse].",
)
def check(
    warehouse_path: Path, docs_root: Path | None, expectations_dir: Path, fmt: str, out: Path | None, page: Path | None
) -> None:
    """Run every expectation suite against an existing warehouse, without rebuilding.

    Exit 0 when all critical expectations pass, 1 when any fails, 2 on usage errors. Writes a
    self-contained quality page (every check with its status; opens offline) and prints its path
    first, then Great Expectations Data Docs. --format json or junit gives CI a document of every
    outcome, on standard output or in --out FILE.
    """
    from datetime import datetime, timezone

    import duckdb
    from rich.table import Table

    from pipeline import quality
    from pipeline.catalog import TABLES
    from pipeline.quality import outputs
    from pipeline.warehouse import Warehouse, connect

    _require_warehouse(warehouse_path)
    page = page or warehouse_path.with_name(f"{warehouse_path.stem}-quality.html")
    _refuse_to_overwrite(page, "quality page", outputs.is_page, False)
    # a document on standard output is all that goes there: the lines for people go to stderr
    console = _console() if fmt == "text" or out is not None else _check_console(sys.stderr)
    started = datetime.now(timezone.utc)
    run_name = f"seedhouse check {started:%Y-%m-%d %H:%M:%S} UTC"
    docs = quality.DataDocs(docs_root or Warehouse(warehouse_path).state_dir)
    outcomes = []
    with connect(warehouse_path, read_only=True) as con:
        for table in TABLES:
            table_outcomes, result = quality.validate_with_result(con, table.name, expectations_dir)
            outcomes.extend(table_outcomes)
            docs.add(table.name, quality.load_suite(table.name, expectations_dir), result, run_name, started)
        try:
            recorded = quality.audit.outcomes(con)
            build = con.execute("select run_id from quality.build_info").fetchone()[0]
        except duckdb.Error:
            recorded, build = None, None  # a warehouse from before check results were recorded
    then = {(o.table, o.check_name): o.success for o in recorded or []}
    differs = frozenset(
        (o.table, o.check_name) for o in outcomes if then.get((o.table, o.check_name), o.success) != o.success
    )
    run = outputs.CheckRun(warehouse=str(warehouse_path.resolve()), name=run_name, build=build, differs=differs)
    page.write_text(outputs.as_page(outcomes, run, f"{started:%Y-%m-%d %H:%M UTC}"), encoding="utf-8")
    console.print(f"quality page: {page.resolve()}", markup=False, soft_wrap=True)
    index = docs.build()

    if fmt != "text" or out is not None:
        document = {"json": outputs.as_json, "junit": outputs.as_junit}.get(fmt)
        if out is not None:
            if document is None:
                with open(out, "w", encoding="utf-8") as handle:
                    _print_check_summary(_check_console(handle), outcomes, TABLES, recorded, differs, Table)
            else:
                out.write_text(document(outcomes, run), encoding="utf-8")
            console.print(f"{fmt}: {out.resolve()}", markup=False, soft_wrap=True)
        else:
            sys.stdout.write(document(outcomes, run))
            sys.stdout.flush()
    if fmt == "text" or out is not None:
        _print_check_summary(console, outcomes, TABLES, recorded, differs, Table)
    console.print(f"Data Docs: {index}", markup=False, soft_wrap=True)
    console.print("  (Great Expectations' own pages: their index loads its scripts from the network)")
    if quality.blocking(outcomes):
        console.print("[red]critical expectations failed[/red]")
        sys.exit(EXIT_FAILED)
    console.print("all critical expectations passed")


def _check_console(file):
    """A console writing to `file` (standard error, or the --out file of `--format text`)."""
    from rich.console import Console

    return Console(highlight=False, file=file, width=None if file.isatty() else 160)


def _print_check_summary(console, outcomes, tables, recorded, differs, Table) -> None:  # noqa: N803
    """The text `seedhouse check` prints: counts per table, the failures, and whether the
    outcomes are the ones the build recorded."""
    summary = Table("table", "expectations", "passed", "failed critical", "failed warning", title="Expectations")
    for table in tables:
        mine = [o for o in outcomes if o.table == table.name]
        summary.add_row(
            table.name,
            str(len(mine)),
            str(sum(o.success for o in mine)),
            str(sum(o.blocks for o in mine)),
            str(sum(not o.success and not o.blocks for o in mine)),
        )
    console.print(summary)
    _print_failures(console, [o for o in outcomes if not o.success])
    if recorded is not None:
        if differs:
            changed = ", ".join(sorted(f"{table}:{check}" for table, check in differs))
            console.print(f"differs from what the build recorded (quality.check_results): {changed}", markup=False)
        else:
            console.print("the same outcomes as the build recorded in quality.check_results")


def _param(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name:
            _usage(f"--param wants NAME=VALUE (bound to $NAME in the SQL), not {value!r}")
        if name in params:
            _usage(f"--param {name} is given twice")
        params[name] = text
    return params


@main.command()
@click.argument("sql")
@warehouse_option("The DuckDB file to query (opened read-only).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind $NAME in the SQL to VALUE, as text (repeat for more; cast with $NAME::int where needed).")
@output_options
def query(sql: str, warehouse_path: Path, params: tuple[str, ...], fmt: str) -> None:
    """Run SQL against the published warehouse, read-only, and print the result.

    SQL "-" reads the SQL from stdin. The file is opened read-only with file access switched off
    (no ATTACH, COPY, read_csv or settings that turn it back on), so a query can never change the
    warehouse or any other file, and runs while a build is writing its next version.

    \b
    Example:
      seedhouse query "select * from analytics.topic_stats where n_articles > $n" -p n=5
    """
    import duckdb

    from pipeline.warehouse import connect_for_query

    if sql == "-":
        sql = sys.stdin.read()
    if not sql.strip():
        _usage("no SQL given: pass a query, or - to read it from stdin")
    bound = _param(params)
    _require_warehouse(warehouse_path)
    try:
        with connect_for_query(warehouse_path) as con:
            cursor = con.execute(sql, bound) if bound else con.execute(sql)
            if cursor is None:
                _usage("the SQL holds no statement, only comments or semicolons")
            # rows stream out as they are fetched: a type error can surface while fetching
            _emit([d[0] for d in cursor.description or []], _batches(cursor), fmt)
    except duckdb.Error as exc:
        # DuckDB's first line says what is wrong; the lines after it point at the place in the SQL
        _fail(str(exc).strip())


_RELATIONS = """
    select schema_name, table_name as name, 'table' as kind, comment from duckdb_tables()
    where database_name = current_database() and not temporary and not internal
    union all
    select schema_name, view_name, 'view', comment from duckdb_views()
    where database_name = current_database() and not temporary and not internal
    order by schema_name, name
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@main.command()
@warehouse_option("The DuckDB file to read (opened read-only).")
@output_options
def tables(warehouse_path: Path, fmt: str) -> None:
    """List every table and view of the warehouse with its row count and its description.

    The descriptions are the ones docs/warehouse.md shows (COMMENT ON, from the .yml beside each
    model). Example: seedhouse tables --csv
    """
    from pipeline.warehouse import connect_for_query

    _require_warehouse(warehouse_path)
    with connect_for_query(warehouse_path) as con:
        rows = [
            (f"{schema}.{name}", kind, con.execute(f"select count(*) from {_quote(schema)}.{_quote(name)}").fetchone()[0],
             comment)
            for schema, name, kind, comment in con.execute(_RELATIONS).fetchall()
        ]
    _emit(["table", "kind", "rows", "comment"], [rows], fmt)


@main.command()
@click.argument("table")
@warehouse_option("The DuckDB file to read (opened read-only).")
@output_options
def schema(table: str, warehouse_path: Path, fmt: str) -> None:
    """List the columns of TABLE (a table or view: core.articles, or articles when the name is
    in one schema only) with their type, whether they may be NULL, and their description.

    Example: seedhouse schema analytics.topic_stats
    """
    from pipeline.warehouse import connect_for_query

    _require_warehouse(warehouse_path)
    with connect_for_query(warehouse_path) as con:
        relations = [(schema_name, name) for schema_name, name, _, _ in con.execute(_RELATIONS).fetchall()]
        wanted = table.lower()
        found = [r for r in relations if f"{r[0]}.{r[1]}".lower() == wanted or ("." not in wanted and r[1].lower() == wanted)]
        if len(found) > 1:
            _usage(f"{table} is in more than one schema: name one of {', '.join(f'{s}.{n}' for s, n in found)}")
        if not found:
            names = [f"{s}.{n}" for s, n in relations]
            similar = difflib.get_close_matches(wanted, names, n=5, cutoff=0.6) or [
                f"{s}.{n}" for s, n in relations
                if n in difflib.get_close_matches(wanted.rpartition(".")[2], [n for _, n in relations], n=5, cutoff=0.6)
            ]
            hint = f"did you mean {', '.join(similar)}?" if similar else "`seedhouse tables` lists them"
            _usage(f"no table or view {table} in {warehouse_path}: {hint}")
        (schema_name, name), = found
        rows = con.execute(
            "select column_name, data_type, is_nullable, comment from duckdb_columns() "
            "where database_name = current_database() and schema_name = $schema and table_name = $name "
            "order by column_index",
            {"schema": schema_name, "name": name},
        ).fetchall()
    _emit(["column", "type", "nullable", "comment"], [rows], fmt)


@main.command()
@warehouse_option("The DuckDB file to report on (opened read-only).")
@out_option("Where to write the HTML [default: <warehouse name>-report.html beside the warehouse].", "report")
def report(warehouse_path: Path, out: Path | None, force: bool) -> None:
    """Write a self-contained HTML report (charts of providers, topics, coverage, stories, quarantine).

    The file embeds its JavaScript, so it opens offline; every text from the seeds is escaped.
    An existing file at --out is only replaced when it is a seedhouse report (or with --force).
    """
    from pipeline.report import default_report_path, is_report, write_report

    _require_warehouse(warehouse_path)
    out = out or default_report_path(warehouse_path)
    _refuse_to_overwrite(out, "report", is_report, force)
    click.echo(f"wrote {_write_out(lambda: write_report(warehouse_path, out), out)}")


@main.command("export-graph")
@warehouse_option("The DuckDB file to read (opened read-only).")
@click.option("--format", "fmt", type=click.Choice(["gexf", "graphml"]), default="gexf", show_default=True,
              help="GEXF for Gephi; GraphML for most other graph tools.")
@out_option("Where to write [default: seedhouse-coverage.<format> beside the warehouse].", "graph export")
@click.option("--self-links", is_flag=True, help="Keep links from an outlet to itself (left out by default).")
def export_graph(warehouse_path: Path, fmt: str, out: Path | None, self_links: bool, force: bool) -> None:
    """Write the outlet-to-outlet coverage network: outlets sized by articles, edges weighted by links.

    An existing file at --out is only replaced when it is a seedhouse graph export (or with --force)."""
    from pipeline.graph import export_graph as write_graph
    from pipeline.graph import is_graph_export

    _require_warehouse(warehouse_path)
    out = out or warehouse_path.with_name(f"seedhouse-coverage.{fmt}")
    _refuse_to_overwrite(out, "graph export", is_graph_export, force)
    graph = _write_out(lambda: write_graph(warehouse_path, out, fmt, self_links=self_links), out)
    click.echo(f"wrote {out}: {graph.number_of_nodes()} outlets, {graph.number_of_edges()} edges")


@main.command()
@click.argument("n", type=click.IntRange(min=0))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same files.")
def generate(n: int, out_dir: Path, seed: int) -> None:
    """Write N realistic synthetic seed files under OUT_DIR (deterministic)."""
    from pipeline.generate import generate as write_seeds

    written = _write_out(lambda: write_seeds(n, out_dir, seed=seed), out_dir)
    click.echo(f"wrote {written} seed files under {out_dir}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--samples", type=click.IntRange(min=0), default=0, show_default=True,
              help="Write this many generated sample seeds into seeds/ to try the project with.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the sample seeds.")
def init(directory: Path, samples: int, seed: int) -> None:
    """Make DIRECTORY a seedhouse project: seedhouse.toml, seeds/, expectations/ and workspace.yaml.

    seedhouse.toml names the seeds folder, the warehouse file, the expectation suites and the
    build settings (paths relative to the project); seeds/ starts empty unless --samples;
    expectations/ is a copy of the default suites to customise; workspace.yaml lets `dagster dev`
    in the folder load the project. A folder that already is a project is left alone (exit 2).
    """
    from pipeline.project import init as make_project

    try:
        project = make_project(directory, samples=samples, seed=seed)
    except ProjectError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    suites = len(list(project.expectations.glob("*.json")))
    seeds = f"{samples} sample seed files" if samples else "empty: put your seed files there"
    click.echo(f"created the seedhouse project {project.root}")
    click.echo(f"  {project.config.name}: settings  seeds/: {seeds}  expectations/: {suites} suites  workspace.yaml: for dagster dev")
    click.echo(f"next: cd {project.root} && seedhouse build")


def run() -> None:
    """The `seedhouse` command: `main`, leaving the process without the interpreter's teardown
    (a second of a build's wall time; see `pipeline.workers.exit_without_teardown`)."""
    from pipeline.workers import exit_without_teardown

    code = [1]  # an exception that escapes `main` exits 1, as Python's own handling would
    exit_without_teardown(lambda: code[0])
    try:
        main()
    except SystemExit as done:
        code[0] = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        try:
            sys.stdout.flush()  # here, not on the way out, where a closed pipe could not be caught
        except BrokenPipeError:
            _stdout_gone()
        raise


if __name__ == "__main__":
    run()
