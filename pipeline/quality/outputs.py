"""Check outcomes for machines and people: one JSON document, JUnit XML for CI systems, and a
self-contained HTML page.

All three are made from a list of `Outcome`s and a `CheckRun` that says whose outcomes they are
(a `seedhouse check` at a time, or the build that recorded them in `quality.check_results`).

JUnit has no notion of a warning. A failed *critical* expectation is a `<failure>` (or an
`<error>` when it could not be evaluated): it is what makes `seedhouse check` exit 1. A failed
*warning* is `<skipped>` with a message that starts with `warning:`: CI systems show it apart
from the passed tests without counting a failure, as the exit code does not. Each testcase is
named by what the check expects, then its check name; its table is the classname and its suite.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.quality.outcomes import CRITICAL, WARNING, Outcome

JSON_FORMAT_VERSION = 1
# Marks a page as seedhouse's own, so a later check replaces it but never another file.
PAGE_GENERATOR = "seedhouse check"


@dataclass(frozen=True)
class CheckRun:
    """Whose outcomes these are: `name` says which run made them (`seedhouse check 2026-05-01
    12:00:00 UTC`, `build <run id>`); `build` is the run id of the build that made the warehouse;
    `differs` the (table, check name) pairs whose outcome is not the one the build recorded."""

    warehouse: str
    name: str
    build: str | None = None
    differs: frozenset[tuple[str, str]] = field(default_factory=frozenset)


def _counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    return {
        "expectations": len(outcomes),
        "passed": sum(o.success for o in outcomes),
        "failed": sum(not o.success for o in outcomes),
        "failed_critical": sum(not o.success and o.severity == CRITICAL for o in outcomes),
        "failed_warning": sum(not o.success and o.severity == WARNING for o in outcomes),
        "critical": sum(o.severity == CRITICAL for o in outcomes),
        "warning": sum(o.severity == WARNING for o in outcomes),
    }


def _tables(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """The outcomes by table, in the order given (the catalog's)."""
    tables: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        tables.setdefault(outcome.table, []).append(outcome)
    return tables


def _found(outcome: Outcome) -> str:
    """How badly it failed, in words."""
    if outcome.error:
        return f"could not be evaluated: {outcome.error}"
    if outcome.unexpected_count is not None:
        rows = outcome.unexpected_count
        return f"{rows} row{'' if rows == 1 else 's'} break{'s' if rows == 1 else ''} it"
    return f"observed {json.dumps(outcome.observed_value, default=str, ensure_ascii=False)}"


def as_json(outcomes: Sequence[Outcome], run: CheckRun) -> str:
    """One JSON document: the warehouse, the run, a summary and every expectation's outcome, in
    the catalog's table order and each suite's order."""
    document: dict[str, Any] = {
        "format_version": JSON_FORMAT_VERSION,
        "warehouse": run.warehouse,
        "run": run.name,
        "build": run.build,
        "passed": not any(o.blocks for o in outcomes),
        "summary": {**_counts(outcomes), "tables": len(_tables(outcomes)), "differs_from_build": len(run.differs)},
        "results": [
            {
                "table": o.table,
                "check": o.check_name,
                "expects": o.expects,
                "meaning": o.meaning,
                "severity": o.severity,
                "success": o.success,
                "unexpected_count": o.unexpected_count,
                "observed_value": o.observed_value,
                "sample": o.sample,
                "error": o.error,
                "expectation_type": o.expectation_type,
                "same_as_build": (o.table, o.check_name) not in run.differs,
            }
            for o in outcomes
        ],
    }
    return json.dumps(document, default=str, ensure_ascii=False, indent=1) + "\n"


def testcase_name(outcome: Outcome) -> str:
    """A JUnit testcase's name: the sentence first (what a person reads), then the stable check
    name (what a CI system keys its history on)."""
    return f"{outcome.expects} ({outcome.check_name})" if outcome.expects else outcome.check_name


def as_junit(outcomes: Sequence[Outcome], run: CheckRun) -> str:
    """JUnit XML: one testsuite per table, one testcase per expectation (see the module's
    docstring for how critical and warning failures are told apart)."""
    counts = _counts(outcomes)
    root = ET.Element(
        "testsuites",
        name=run.name,
        tests=str(counts["expectations"]),
        failures=str(sum(o.blocks and not o.error for o in outcomes)),
        errors=str(sum(o.blocks and bool(o.error) for o in outcomes)),
        time="0",
    )  # no `skipped` here: the JUnit schema CI tools follow has it on each testsuite only
    for table, mine in _tables(outcomes).items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=table,
            tests=str(len(mine)),
            failures=str(sum(o.blocks and not o.error for o in mine)),
            errors=str(sum(o.blocks and bool(o.error) for o in mine)),
            skipped=str(sum(not o.success and not o.blocks for o in mine)),
            time="0",
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (("warehouse", run.warehouse), ("run", run.name), ("build", run.build or "")):
            ET.SubElement(properties, "property", name=name, value=value)
        for o in mine:
            case = ET.SubElement(suite, "testcase", classname=table, name=testcase_name(o), time="0")
            if not o.success:
                message = f"{o.severity}: {_found(o)}. {o.meaning}".strip()
                tag = "skipped" if o.severity != CRITICAL else "error" if o.error else "failure"
                result = ET.SubElement(case, tag, message=message)
                if tag != "skipped":
                    result.set("type", o.severity)
                    result.text = o.describe()
            ET.SubElement(case, "system-out").text = (
                f"severity: {o.severity}\nexpects: {o.expects}\nmeaning: {o.meaning}\n"
                f"expectation: {o.expectation_type}\nresult: {'passed' if o.success else _found(o)}\n"
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1d2329;line-height:1.4}
h1{margin-bottom:.2em} h2{margin-top:2em;border-bottom:1px solid #d8dde3;padding-bottom:.2em}
.meta{color:#57606a} code{font-size:.85em;color:#57606a}
.verdict{padding:.8em 1em;border-radius:6px;font-weight:600;margin:1em 0}
.verdict.ok{background:#e6f4ea;color:#14532d;border:1px solid #9fd5ae}
.verdict.bad{background:#fdecea;color:#7f1d1d;border:1px solid #f1a9a0}
.cards{display:flex;gap:1em;flex-wrap:wrap} .card{border:1px solid #d8dde3;border-radius:6px;padding:.6em 1em;min-width:8em}
.card b{display:block;font-size:1.6em}
table.checks{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
table.checks th,table.checks td{text-align:left;vertical-align:top;padding:.35em .5em;border-bottom:1px solid #eaeef2}
table.checks th{font-weight:600;color:#57606a;font-size:.9em}
.status,.severity{display:inline-block;padding:.1em .5em;border-radius:1em;font-size:.85em;font-weight:600;white-space:nowrap}
.status.passed{background:#e6f4ea;color:#14532d} .status.failed{background:#fdecea;color:#9b1c1c}
.severity.critical{background:#1d2329;color:#fff} .severity.warning{background:#fff4d6;color:#7a4b00;border:1px solid #f0c766}
tr.failed.critical td{background:#fff5f4} tr.failed.warning td{background:#fffbeb}
.sample{font-family:ui-monospace,monospace;font-size:.8em;color:#57606a;word-break:break-all}
.differs{color:#9b1c1c;font-size:.85em}
details>summary{cursor:pointer;font-weight:600;margin:1em 0}
"""


def _row(o: Outcome, run: CheckRun) -> str:
    status = "passed" if o.success else "failed"
    found = "" if o.success and o.unexpected_count in (None, 0) and o.observed_value is None else _found(o)
    sample = (
        f'<div class="sample">{html.escape(json.dumps(o.sample, default=str, ensure_ascii=False)[:400])}</div>'
        if o.sample and not o.success
        else ""
    )
    differs = (
        f'<div class="differs">the build recorded it as {"failed" if o.success else "passed"}</div>'
        if (o.table, o.check_name) in run.differs
        else ""
    )
    return (
        f'<tr class="check {status} {html.escape(o.severity)}" data-table="{html.escape(o.table)}" '
        f'data-check="{html.escape(o.check_name)}" data-status="{status}" data-severity="{html.escape(o.severity)}">'
        f'<td><span class="status {status}">{"✓ passed" if o.success else "✗ failed"}</span></td>'
        f'<td><span class="severity {html.escape(o.severity)}">{html.escape(o.severity)}</span></td>'
        f"<td>{html.escape(o.expects or o.check_name)}<br><code>{html.escape(o.check_name)}</code>{differs}</td>"
        f"<td>{html.escape(o.meaning)}</td><td>{html.escape(found)}{sample}</td></tr>"
    )


def _table(outcomes: Sequence[Outcome], run: CheckRun) -> str:
    head = "<tr><th>status</th><th>severity</th><th>expects</th><th>what a failure means</th><th>found</th></tr>"
    return f'<table class="checks">{head}{"".join(_row(o, run) for o in outcomes)}</table>'


def section(outcomes: Sequence[Outcome], run: CheckRun, heading: str = "h2", folded: bool = False) -> str:
    """The checks as HTML (no script, styles in `STYLE`): the verdict, the counts, the failures,
    then every table's checks with their status (`folded`: in a `<details>` that opens on a
    click, for a page where the checks are one section of many)."""
    counts = _counts(outcomes)
    blocking = counts["failed_critical"]
    verdict = (
        f'<div class="verdict bad">{blocking} critical check{"s" if blocking != 1 else ""} failed: '
        "a build with these outcomes is not published</div>"
        if blocking
        else '<div class="verdict ok">every critical check passed</div>'
    )
    cards = "".join(
        f'<div class="card"><b>{counts[key]}</b>{label}</div>'
        for key, label in (
            ("expectations", "checks"), ("passed", "passed"), ("failed_critical", "critical failed"),
            ("failed_warning", "warnings failed"),
        )
    )
    failed = sorted((o for o in outcomes if not o.success), key=lambda o: o.severity != CRITICAL)
    failures = f"<{heading}>Failed checks</{heading}>{_table(failed, run)}" if failed else ""
    tables = "".join(
        f'<{heading} id="table-{html.escape(table)}">{html.escape(table)} '
        f'<span class="meta">{sum(o.success for o in mine)} of {len(mine)} passed</span></{heading}>'
        f"{_table(mine, run)}"
        for table, mine in _tables(outcomes).items()
    )
    if folded:
        tables = f"<details><summary>Every check, by table ({counts['expectations']})</summary>{tables}</details>"
    return f'{verdict}<div class="cards">{cards}</div>{failures}{tables}'



def written_by(path, generator: str) -> bool:
    """Whether `path` is an HTML page whose head names `generator` (a page seedhouse wrote, which
    it may replace)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return f'<meta name="generator" content="{generator}">'.encode() in head


def is_page(path) -> bool:
    """Whether `path` is a quality page that seedhouse wrote."""
    return written_by(path, PAGE_GENERATOR)


def as_page(outcomes: Sequence[Outcome], run: CheckRun, generated: str) -> str:
    """A self-contained HTML page of every check: styles inline, no script, no request to any
    network, every value from the seeds escaped."""
    build = f" · build {html.escape(run.build)}" if run.build else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{PAGE_GENERATOR}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data quality: {html.escape(run.name)}</title><style>{STYLE}</style></head>
<body><h1>Data quality</h1>
<p class="meta">{html.escape(run.warehouse)}{build}<br>{html.escape(run.name)} · generated {html.escape(generated)}</p>
{section(outcomes, run)}
</body></html>
"""
