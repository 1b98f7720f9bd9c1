"""Data-quality checks: every expectation of every table's suite, as a Dagster asset check.

The checks belong to the step that builds and publishes the warehouse (`assets.publish`): it
builds every table, validates each suite with Great Expectations, and reports one check result
per expectation, with how many rows broke it and a sample of them. `critical` expectations are
Dagster-`blocking` checks: the step publishes only when none of them failed, and otherwise fails
with the failed expectations listed, leaving the published file as it was.

Each check is named by a sentence that says what it holds (`date_status_is_never_missing_or_
implausible_in_at_least_90_percent_of_rows`), derived from the expectation's type and arguments;
its description adds what a failure means (the suite's `meta.meaning`). The name recorded in
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

# more values than this are counted, not listed, in a check's name
LISTED_VALUES = 3


def _value(value: Any) -> str:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return str(value["$PARAMETER"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _listed(values: list[Any], conjunction: str) -> str:
    words = [_value(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _range(low: Any, high: Any) -> str:
    if isinstance(low, dict) and low == high:
        return f"equal to {_value(low)}"
    if low is not None and high is not None:
        return f"between {_value(low)} and {_value(high)}"
    if low is not None:
        return f"at least {_value(low)}"
    return f"at most {_value(high)}"


def _set_phrase(column: str, values: Any, *, member: bool) -> str:
    if isinstance(values, dict):  # a parameter: the query that fills it names the set
        return f"{column} is among {_value(values)}" if member else f"no {column} is among {_value(values)}"
    if len(values) > LISTED_VALUES:
        return f"{column} is {'one' if member else 'none'} of the {len(values)} {'allowed' if member else 'excluded'} values"
    return f"{column} is {_listed(values, 'or')}" if member else f"{column} is never {_listed(values, 'or')}"


def phrase(expectation: dict[str, Any]) -> str:
    """What the expectation holds, as a sentence without its full stop
    (`expect_column_values_to_be_unique(feed_id)` -> `feed_id is unique`)."""
    kind = expectation["type"].removeprefix("expect_")
    kw = expectation.get("kwargs", {})
    column = kw.get("column")
    if kind == "column_values_to_not_be_null":
        text = f"{column} is never null"
    elif kind == "column_values_to_be_unique":
        text = f"{column} is unique"
    elif kind == "compound_columns_to_be_unique":
        text = f"{_listed(kw['column_list'], 'and')} together are unique"
    elif kind == "column_values_to_be_between":
        text = f"{column} is {_range(kw.get('min_value'), kw.get('max_value'))}"
    elif kind == "column_sum_to_be_between":
        low, high = kw.get("min_value"), kw.get("max_value")
        text = f"{column} adds up to {_value(low)}" if low == high else f"the sum of {column} is {_range(low, high)}"
    elif kind == "column_values_to_be_in_set":
        text = _set_phrase(column, kw["value_set"], member=True)
    elif kind == "column_values_to_not_be_in_set":
        text = _set_phrase(column, kw["value_set"], member=False)
    elif kind == "column_pair_values_a_to_be_greater_than_b":
        text = f"{kw['column_A']} is {'at least' if kw.get('or_equal') else 'greater than'} {kw['column_B']}"
    elif kind == "table_row_count_to_equal":
        value = kw["value"]
        text = f"the row count equals {_value(value)}" if isinstance(value, dict) else f"the table has {value} rows"
    elif kind == "column_values_to_match_regex":
        text = f"{column} matches its pattern"  # the pattern itself is in the description
    elif kind == "column_value_lengths_to_be_between":
        text = f"{column} is {_range(kw.get('min_value'), kw.get('max_value'))} characters long"
    elif kind == "column_proportion_of_unique_values_to_be_between":
        low = kw.get("min_value")
        text = f"at least {_value(round(low * 100, 2))} percent of {column} values are distinct"
    else:  # an expectation type no suite used when this was written: its own words
        text = " ".join(kind.replace("_", " ").split() + [str(column or "")]).strip()
    mostly = kw.get("mostly")
    if mostly is not None and mostly < 1:
        text += f" in at least {_value(round(mostly * 100, 2))} percent of rows"
    return text


def name_of(text: str) -> str:
    """A phrase as a Dagster check name (letters, digits and underscores)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _sentence(text: str) -> str:
    # not capitalised: a sentence often starts with a column's name, which is written as it is
    return text + "."


def named_expectations(table: Table, expectations_dir: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(check name, recorded name, expectation) for every expectation of `table`'s suite; the
    check names are made unique within the table, as the recorded ones are."""
    named, seen = [], {}
    for recorded, expectation in quality.expectations(quality.load_suite(table.name, expectations_dir)):
        name = name_of(phrase(expectation))
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name}_{seen[name]}", recorded, expectation))
    return named


def _severity_text(severity: str) -> str:
    if severity == quality.CRITICAL:
        return "Critical: when it fails, the build is not published and the published warehouse stays as it was."
    return "Warning: reported; it never holds a build back."


def check_spec(table: Table, name: str, recorded: str, expectation: dict[str, Any]) -> AssetCheckSpec:
    severity = expectation.get("severity", quality.CRITICAL)
    meaning = quality.meaning(expectation)
    description = f"{_sentence(phrase(expectation))} {_severity_text(severity)}"
    if "regex" in expectation.get("kwargs", {}):
        description = f"{_sentence(phrase(expectation))} The pattern is {expectation['kwargs']['regex']}. {_severity_text(severity)}"
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
            for name, recorded, expectation in named_expectations(table, expectations_dir):
                self.specs.append(check_spec(table, name, recorded, expectation))
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
