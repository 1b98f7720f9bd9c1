"""The publish gate's refusal: a build may be published only when every table it built was
checked in the same run and no critical expectation failed."""

from __future__ import annotations

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

