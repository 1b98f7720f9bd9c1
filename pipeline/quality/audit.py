"""The publish gate's rule, without Dagster: a build may be published only when every table it
built was checked in the same run and no critical expectation failed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pipeline.quality.outcomes import Outcome


class AuditFailedError(RuntimeError):
    """A build may not be published: critical expectations failed, or tables went unchecked."""

    # named by the package that exports it, as a failed run has always shown it
    # (`pipeline.quality.AuditFailedError: ...`)
    __module__ = "pipeline.quality"

    def __init__(self, failed: list[Outcome], unchecked: list[str]):
        self.failed, self.unchecked = failed, unchecked
        reasons = []
        if failed:
            reasons.append("critical expectations failed: " + ", ".join(f"{o.table}:{o.check_name}" for o in failed))
        if unchecked:
            reasons.append("built but not checked in this run: " + ", ".join(unchecked))
        super().__init__("; ".join(reasons))


def blocking(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """The outcomes that hold a build back: failed critical expectations, in the order given."""
    return [outcome for outcome in outcomes if outcome.blocks]


def audit_failure(built: Iterable[str], audited: Mapping[str, list[Outcome]]) -> AuditFailedError | None:
    """Why the build of the tables `built`, checked with the outcomes `audited` (table -> its
    outcomes), may not be published; None when it may. Failures are listed table by table in
    name order, unchecked tables by name."""
    built = set(built)
    failed = blocking(outcome for table in sorted(built) for outcome in audited.get(table, []))
    unchecked = sorted(built - audited.keys())
    return AuditFailedError(failed, unchecked) if failed or unchecked else None
