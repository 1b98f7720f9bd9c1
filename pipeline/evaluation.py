"""Precision and recall of the story rules against pairs labelled by reading the real corpus.

tests/fixtures holds the labels: `related_pairs.csv` (every related item of every file of
everyday-ai, labelled same_story, syndicated_copy or same_topic) and `file_pairs.csv` (pairs of
files without a link between them, chosen to be hard: same-day items, wire copies, template press
releases; labelled the same way, or unrelated). A pair counts as *same story* when it is labelled
same_story or syndicated_copy; the warehouse says so when the related link's `relation` is
same_story (related pairs) or the two articles are in one story (file pairs). Syndication is
scored on the file pairs and on related pairs whose item is a corpus article: the warehouse says
*copy* when both are in one syndication group.

Used by bench/stories.py (which prints the table) and by the tests (which hold the targets).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipeline.paths import PROJECT_ROOT
from pipeline.warehouse import connect

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SAME_STORY = {"same_story", "syndicated_copy"}


@dataclass(frozen=True)
class Score:
    name: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def _read(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _score(name: str, pairs: list[tuple[bool, bool]]) -> Score:
    tp = sum(said and read for said, read in pairs)
    fp = sum(said and not read for said, read in pairs)
    fn = sum(read and not said for said, read in pairs)
    return Score(name, tp, fp, fn, len(pairs) - tp - fp - fn)


def evaluate(warehouse: Path) -> dict[str, Score]:
    """same_story on related pairs, on file pairs and on both; syndicated_copy on both."""
    related, files = _read("related_pairs.csv"), _read("file_pairs.csv")
    with connect(warehouse, read_only=True) as con:
        relation = {
            (path, ordinal): (rel, target)
            for path, ordinal, rel, target in con.execute(
                "select a.source_path, l.ordinal, l.relation, l.target_article_id "
                "from core.related_links l join core.articles a using (article_id)"
            ).fetchall()
        }
        article = dict(con.execute("select source_path, article_id from core.articles").fetchall())
        story = dict(con.execute("select article_id, story_id from analytics.story_members where article_id is not null").fetchall())
        group = dict(con.execute("select article_id, syndication_group_id from core.articles").fetchall())

    def same_story_file(a: str, b: str) -> bool:
        x, y = story.get(article.get(a)), story.get(article.get(b))
        return x is not None and x == y

    def copies(a_id: str | None, b_id: str | None) -> bool:
        return a_id is not None and b_id is not None and group.get(a_id) == group.get(b_id)

    rel_story = [(relation[(r["source_path"], int(r["ordinal"]))][0] == "same_story", r["label"] in SAME_STORY) for r in related]
    file_story = [(same_story_file(r["source_path_a"], r["source_path_b"]), r["label"] in SAME_STORY) for r in files]
    syndication = [
        (copies(article.get(r["source_path_a"]), article.get(r["source_path_b"])), r["label"] == "syndicated_copy") for r in files
    ] + [
        (copies(article.get(r["source_path"]), target), r["label"] == "syndicated_copy")
        for r in related
        for target in [relation[(r["source_path"], int(r["ordinal"]))][1]]
        if target is not None
    ]
    return {
        "same_story (related pairs)": _score("same_story (related pairs)", rel_story),
        "same_story (file pairs)": _score("same_story (file pairs)", file_story),
        "same_story (all pairs)": _score("same_story (all pairs)", rel_story + file_story),
        "syndicated_copy": _score("syndicated_copy", syndication),
    }
