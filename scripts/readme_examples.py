"""Check, or rewrite, the outputs of README.md's example queries against the sample warehouse.

Convention: in README.md's "### Example queries" section (up to the next heading), every ```sql
block is an example, and the fenced block right after it, which has no language tag, is its
output: the result as the duckdb Python package draws it (`str(relation)`, `relation.show()`),
on the warehouse `seedhouse build` makes from the sample seeds, in the session `seedhouse query`
opens (read-only, UTC). An ```sql block without such a block after it is an error, so that no
example goes unchecked; other blocks are left alone. The width is fixed, because DuckDB otherwise
fits the table to the terminal and drops columns on a narrow one.

    seedhouse build
    python scripts/readme_examples.py --check    # exit 1, with a diff for each example that differs
    python scripts/readme_examples.py --write    # rewrite every output block from the warehouse

tests/test_readme.py holds every output equal to what a fresh build of the sample gives.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
SECTION = "### Example queries"
# wider than any example: the box is drawn at its natural width, whatever the terminal
WIDTH = 10_000


class ReadmeError(Exception):
    """The README's section does not follow the convention above."""


@dataclass(frozen=True)
class Example:
    line: int  # 1-based line of the ```sql fence, to name the example
    sql: str
    output: str
    output_start: int  # 0-based index of the output block's first line
    output_end: int  # 0-based index of its closing fence

    @property
    def name(self) -> str:
        return f"README.md:{self.line} {self.sql.splitlines()[0]}"


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(language tag, index of the opening fence, index of the closing fence) of every fenced block
    in the Example queries section. Fences are followed so that a `#` line inside a block (a shell
    comment in an output) is not taken for the next heading."""
    try:
        start = lines.index(SECTION)
    except ValueError:
        raise ReadmeError(f"README.md has no line {SECTION!r}") from None
    blocks = []
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            break
        if line.startswith("```"):
            tag = line[3:].strip()
            close = next((i for i in range(index + 1, len(lines)) if lines[i].rstrip() == "```"), None)
            if close is None:
                raise ReadmeError(f"README.md:{index + 1}: a fenced block that is never closed")
            blocks.append((tag, index, close))
            index = close
        index += 1
    return blocks


def examples(text: str) -> list[Example]:
    lines = text.split("\n")
    blocks = _blocks(lines)
    found = []
    for position, (tag, open_, close) in enumerate(blocks):
        if tag != "sql":
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        if following is None or following[0] != "":
            raise ReadmeError(f"README.md:{open_ + 1}: an sql block without an output block (a fence with no language) after it")
        found.append(Example(
            line=open_ + 1,
            sql="\n".join(lines[open_ + 1 : close]),
            output="\n".join(lines[following[1] + 1 : following[2]]),
            output_start=following[1] + 1,
            output_end=following[2],
        ))
    return found


def run(con, sql: str) -> str:
    """The result of `sql` as `relation.show()` draws it, without the newline print adds."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        con.sql(sql).show(max_width=WIDTH)
    return buffer.getvalue().rstrip("\n")


def outputs(found: list[Example], warehouse: Path) -> list[str]:
    from pipeline.warehouse import connect_for_query

    with connect_for_query(warehouse) as con:
        return [run(con, example.sql) for example in found]


def differences(found: list[Example], actual: list[str]) -> list[str]:
    """One unified diff (README as written -> the warehouse) for each example that differs."""
    diffs = []
    for example, output in zip(found, actual, strict=True):
        if output != example.output:
            diff = difflib.unified_diff(
                example.output.split("\n"), output.split("\n"),
                fromfile=f"{example.name} (README)", tofile=f"{example.name} (warehouse)", lineterm="",
            )
            diffs.append("\n".join(diff))
    return diffs


def rewritten(text: str, found: list[Example], actual: list[str]) -> str:
    lines = text.split("\n")
    # from the last example up, so that the earlier ones' line indices still hold
    for example, output in reversed(list(zip(found, actual, strict=True))):
        lines[example.output_start : example.output_end] = output.split("\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from pipeline.paths import DEFAULT_WAREHOUSE

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1, with a diff for each example whose output differs")
    mode.add_argument("--write", action="store_true", help="rewrite every example's output block from the warehouse")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="a warehouse built from the sample seeds")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        print(f"error: no warehouse at {args.warehouse}; build the sample first with `seedhouse build`", file=sys.stderr)
        return 2
    text = args.readme.read_text()
    try:
        found = examples(text)
    except ReadmeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    actual = outputs(found, args.warehouse)
    diffs = differences(found, actual)
    if args.write:
        if diffs:
            args.readme.write_text(rewritten(text, found, actual))
        print(f"rewrote {len(diffs)} of {len(found)} example outputs in {args.readme}")
        return 0
    for diff in diffs:
        print(diff + "\n")
    print(f"{len(diffs)} of {len(found)} example outputs differ from {args.warehouse}", file=sys.stderr if diffs else sys.stdout)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
