"""Data-quality checks: every expectation of every table's suite, as a Dagster asset check.

The checks belong to the step that builds and publishes the warehouse (`assets.publish`): it
builds every table, validates each suite with Great Expectations, and reports one check result
per expectation, with how many rows broke it and a sample of them. `critical` expectations are
Dagster-`blocking` checks: the step publishes only when none of them failed, and otherwise fails
with the failed expectations listed, leaving the published file as it was.

Each check is named by the sentence that says what it holds, the one `seedhouse check` prints
(`quality.expects`, from the expectation's type and arguments and what its parameters' queries
stand for); its description adds what a failure means (the suite's `meta.meaning`). The name recorded in
`quality.check_results`, which `seedhouse build` and `seedhouse check` print, stays the short one
(`not_in_set__date_status`): the check's metadata carries it as `recorded_as`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from pipeline import quality
from pipeline.catalog import TABLES, Table


def name_of(text: str) -> str:
    """A phrase as a Dagster check name (letters, digits and underscores)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _sentence(text: str) -> str:
    # not capitalised: a sentence often starts with a column's name, which is written as it is
    return text + "."


# how quality.expects names a parameter it does not resolve
UNRESOLVED = " (a query of the suite)"


def _bounds_by_name(suite: dict[str, Any]) -> dict[str, Any]:
    """`suite` as check names read it: a parameter that is a bare value (`select 100`) stays a name,
    so a check keeps its name, and its history in the UI, when a bound changes; the others (the
    sets a foreign key is checked against) are resolved as the sentence resolves them."""
    parameters = suite.get("meta", {}).get("parameters", {})
    kept = {k: v for k, v in parameters.items() if not re.fullmatch(r"\s*select\s+[-+\d.]+\s*", v, re.IGNORECASE)}
    return {**suite, "meta": {**suite.get("meta", {}), "parameters": kept}}


def named_expectations(table: Table, expectations_dir: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(check name, recorded name, sentence, expectation) for every expectation of `table`'s
    suite; the sentence is the one `seedhouse check` and the quality page print
    (`quality.expects`), and the check names are made unique within the table, as the recorded
    ones are."""
    named, seen = [], {}
    suite = quality.load_suite(table.name, expectations_dir)
    for recorded, expectation in quality.expectations(suite):
        sentence = quality.expects(expectation, suite)
        name = name_of(quality.expects(expectation, _bounds_by_name(suite)).replace(UNRESOLVED, ""))
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name}_{seen[name]}", recorded, sentence, expectation))
    return named


def _severity_text(severity: str) -> str:
    if severity == quality.CRITICAL:
        return "Critical: when it fails, the build is not published and the published warehouse stays as it was."
    return "Warning: reported; it never holds a build back."


def check_spec(table: Table, name: str, recorded: str, sentence: str, expectation: dict[str, Any]) -> AssetCheckSpec:
    severity = expectation.get("severity", quality.CRITICAL)
    meaning = quality.meaning(expectation)
    description = f"{_sentence(sentence)} {_severity_text(severity)}"
    if meaning:
        description += f" A failure means: {meaning}"
    return AssetCheckSpec(
        name=name,
        asset=AssetKey([table.schema, table.short_name]),
        description=description,
        blocking=severity == quality.CRITICAL,
        metadata={
            "severity": severity,
            "expectation_type": expectation["type"],
            "gates_publish": severity == quality.CRITICAL,
            "recorded_as": recorded,
        },
    )


class Checks:
    """Every table's checks, made from the suites in `expectations_dir`."""

    def __init__(self, expectations_dir: Path):
        self.specs: list[AssetCheckSpec] = []
        self._names: dict[tuple[str, str], str] = {}  # (table, recorded name) -> check name
        for table in TABLES:
            for name, recorded, sentence, expectation in named_expectations(table, expectations_dir):
                self.specs.append(check_spec(table, name, recorded, sentence, expectation))
                self._names[(table.name, recorded)] = name

    def result(self, outcome: quality.Outcome, status: str) -> AssetCheckResult:
        """`outcome` as the result of its check; `status` says whether its build was published."""
        metadata = {
            "build": status,
            "recorded_as": outcome.check_name,
            "severity": outcome.severity,
            "meaning": outcome.meaning,
            "unexpected_count": outcome.unexpected_count if outcome.unexpected_count is not None else -1,
            "sample": MetadataValue.json(outcome.sample),
        }
        if outcome.observed_value is not None:
            metadata["observed_value"] = str(outcome.observed_value)
        if outcome.error:
            metadata["error"] = outcome.error
        return AssetCheckResult(
            asset_key=AssetKey(outcome.table.split(".")),
            check_name=self._names[(outcome.table, outcome.check_name)],
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR if outcome.severity == quality.CRITICAL else AssetCheckSeverity.WARN,
            metadata=metadata,
        )

    def name(self, outcome: quality.Outcome) -> str:
        return self._names[(outcome.table, outcome.check_name)]
