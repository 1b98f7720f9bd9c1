"""What a validation gives back: one `Outcome` per expectation, made of GE's results as plain,
picklable Python values (they travel back from the GE process)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipeline.quality.suites import CHECK_NAME_META, EXPECTS_META, expects, meaning

CRITICAL = "critical"
WARNING = "warning"
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation on one table."""

    table: str
    check_name: str
    expectation_type: str
    severity: str
    success: bool
    meaning: str
    unexpected_count: int | None = None
    observed_value: Any = None
    sample: list[Any] = field(default_factory=list)
    error: str | None = None
    # what the check asserts, as a sentence (see `pipeline.quality.suites.expects`)
    expects: str = ""

    @property
    def blocks(self) -> bool:
        return not self.success and self.severity == CRITICAL

    def describe(self) -> str:
        """One line for people: what failed, how badly, what it means, which rows."""
        found = (
            f"{self.unexpected_count} unexpected"
            if self.unexpected_count is not None
            else f"observed {self.observed_value}"
        )
        text = f"{self.table} {self.check_name} ({self.severity}): {found}. {self.meaning}"
        if self.sample:
            text += f" Sample: {json.dumps(self.sample, default=str, ensure_ascii=False)[:300]}"
        if self.error:
            text += f" Error: {self.error}"
        return text


def _sample(result: dict[str, Any], primary_key: list[str]) -> list[Any]:
    if primary_key and result.get("partial_unexpected_index_list"):
        rows = result["partial_unexpected_index_list"][:SAMPLE_SIZE]
        return [{k: _plain(v) for k, v in row.items()} for row in rows]
    return [_plain(v) for v in result.get("partial_unexpected_list", [])[:SAMPLE_SIZE]]


def _plain(value: Any) -> Any:
    """numpy/pandas scalars and NaN as plain JSON-able Python values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _outcomes(table: str, tagged: list[dict[str, Any]], results: Any, primary_key: list[str]) -> list[Outcome]:
    """One Outcome per (tagged) expectation, from GE's results for them."""
    by_name = {result.expectation_config.meta[CHECK_NAME_META]: result for result in results.results}
    outcomes = []
    for expectation in tagged:
        name = expectation["meta"][CHECK_NAME_META]
        result = by_name[name]
        info = result.exception_info or {}
        outcomes.append(
            Outcome(
                table=table,
                check_name=name,
                expectation_type=expectation["type"],
                severity=expectation.get("severity", CRITICAL),
                success=bool(result.success),
                meaning=meaning(expectation),
                unexpected_count=result.result.get("unexpected_count"),
                observed_value=_plain(result.result.get("observed_value")),
                sample=_sample(result.result, primary_key),
                error=info.get("exception_message") if info.get("raised_exception") else None,
                expects=expectation["meta"].get(EXPECTS_META) or expects(expectation),
            )
        )
    return outcomes
