"""GE Data Docs: validation results as GE's static HTML site."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.quality.suites import ge_suite


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


class DataDocs:
    """GE Data Docs (static HTML) for validation results, in a file context under `root`.

    GE renders unexpected values into the HTML unescaped, and seed text is other people's data
    (a title may hold `<script>`): values are HTML-escaped before the results are stored.
    """

    def __init__(self, root: Path):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="file", project_root_dir=str(root))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)

    def add(self, table: str, suite: dict[str, Any], result: Any, run_name: str, run_time: datetime | None = None) -> None:
        """Store `result` under a run named `run_name` at `run_time` (GE names a run without a
        time `__none__` in its pages)."""
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        self.context.suites.add_or_update(ge_suite(suite))
        for expectation_result in result.results:
            expectation_result.result = _escaped(expectation_result.result)
        run_id = RunIdentifier(run_name=run_name, run_time=run_time or datetime.now(timezone.utc))
        # GE's pages name the run from the result's own meta, not from the key it is stored under
        result.meta["run_id"] = run_id
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=table),
            run_id=run_id,
            batch_identifier=table,
        )
        self.context.validation_results_store.set(key, result)

    def build(self) -> Path:
        """Render the site and return the path of its index.html."""
        self.context.build_data_docs()
        url = self.context.get_docs_sites_urls()[0]["site_url"]
        return Path(url.removeprefix("file://"))
