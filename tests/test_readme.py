"""The README's example queries give, on a fresh build of the sample seeds, exactly the output the
README shows (the convention is in scripts/readme_examples.py; `--write` there rewrites them)."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from tests.conftest import PROJECT


def _load_script():
    # scripts/ is a folder of scripts, not a package: load the one the README's comment names
    spec = importlib.util.spec_from_file_location("readme_examples", PROJECT / "scripts" / "readme_examples.py")
    module = importlib.util.module_from_spec(spec)
    # registered before it runs: dataclasses look their module up by name
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


readme_examples = _load_script()
EXAMPLES = readme_examples.examples(readme_examples.README.read_text())


@pytest.fixture(scope="module")
def sample_outputs(sample_warehouse) -> list[str]:
    return readme_examples.outputs(EXAMPLES, sample_warehouse)


def test_every_sql_block_of_the_section_is_an_example():
    """Counted apart from the script's parser, so that a change of the section's layout that the
    parser misreads does not leave an example unchecked."""
    text = readme_examples.README.read_text()
    section = text[text.index(readme_examples.SECTION + "\n") + len(readme_examples.SECTION) :]
    section = section[: re.search(r"^#{1,3} ", section, re.M).start()]
    assert len(EXAMPLES) == section.count("\n```sql\n") > 0


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=[f"line{e.line}" for e in EXAMPLES])
def test_readme_example_output(index, sample_outputs):
    example = EXAMPLES[index]
    assert sample_outputs[index] == example.output, (
        f"{example.name}: the README's output is stale; after `seedhouse build`, "
        "run `python scripts/readme_examples.py --write` and read the example's sentence again"
    )


def test_write_rewrites_the_output_blocks_only():
    """Rewriting the README with the outputs it already holds changes nothing, and a changed output
    lands in its own block, the SQL untouched."""
    text = readme_examples.README.read_text()
    outputs = [e.output for e in EXAMPLES]
    assert readme_examples.rewritten(text, EXAMPLES, outputs) == text
    changed = [*outputs]
    changed[0] = changed[0].replace("│", "|")
    again = readme_examples.examples(readme_examples.rewritten(text, EXAMPLES, changed))
    assert [e.output for e in again] == changed
    assert [e.sql for e in again] == [e.sql for e in EXAMPLES]
