"""`Limits`: the input limits a seed must keep within; a file over one is quarantined.

A limit is checked where its value is at hand: `max_file_bytes` before a file is read
(pipeline/parse/files.py), list lengths, topics and related items as the known fields are
flattened (pipeline/parse/fields.py), and the rest by `Limits.check` on a loaded front matter
that could hold more than its text shows (pipeline/parse/front_matter.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.parse.errors import SeedError


@dataclass(frozen=True)
class Limits:
    """Input limits; a file over one is quarantined with the limit named.

    The defaults are far above anything a real seed holds (the largest real front matter has a
    few hundred values) and far below what would hurt a build.
    """

    max_file_bytes: int = 5_000_000
    max_value_chars: int = 100_000
    max_list_items: int = 1_000
    max_depth: int = 20
    # counted with repeats, so an alias "bomb" (a few lines that expand to billions) stops here
    max_values: int = 20_000
    # What one seed may add to the tables downstream: every topic is a series of the zero-filled
    # analytics.topic_attention and pairs with each other topic of the seed in
    # analytics.topic_pairs (100 topics: at most 4,950 pairs), every related item is a link and a
    # story member. The real seeds list at most 5 topics and 18 related items (everyday-ai; the
    # sample seeds: 5 and 5), so these leave twenty and ten times that. Under max_list_items
    # alone (1,000), ten seeds of 1,000 topics made 23 million topic_attention rows.
    max_topics: int = 100
    max_related: int = 200

    def check(self, data: Any) -> None:
        """Walk the loaded front matter once, within budget; raise on the first limit crossed."""
        stack: list[tuple[Any, int]] = [(data, 1)]
        seen = 0
        while stack:
            value, depth = stack.pop()
            seen += 1
            if seen > self.max_values:
                raise SeedError(
                    "limit_exceeded",
                    f"the front matter holds more than {self.max_values} values (max_values); "
                    "YAML aliases that repeat large blocks count every time they are used",
                )
            if depth > self.max_depth:
                raise SeedError("limit_exceeded", f"the front matter nests deeper than {self.max_depth} levels (max_depth)")
            if isinstance(value, str):
                if len(value) > self.max_value_chars:
                    raise SeedError(
                        "limit_exceeded",
                        f"a value of {len(value)} characters is over {self.max_value_chars} (max_value_chars)",
                    )
            elif isinstance(value, dict):
                stack.extend((v, depth + 1) for v in value.values())
            elif isinstance(value, list):
                if len(value) > self.max_list_items:
                    raise SeedError(
                        "limit_exceeded",
                        f"a list of {len(value)} items is over {self.max_list_items} (max_list_items)",
                    )
                stack.extend((v, depth + 1) for v in value)
