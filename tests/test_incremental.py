"""Incremental builds: reuse the last published parse, and end where a full rebuild ends."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

import pipeline.parse
from pipeline.build import run_build
from pipeline.catalog import TABLES
from pipeline.generate import generate
from pipeline.ingest import ingest, parser_sources
from pipeline.parse import discover
from pipeline.paths import PROJECT_ROOT, SQL_DIR
from pipeline.session import BuildSession
from pipeline.warehouse import Warehouse, quote_ident

# The history of what builds observed is the one thing a build's past changes: the incremental
# warehouse saw two builds, a fresh full one saw one (tests/test_history.py holds it).
HISTORY_TABLES = {"core.article_history", "analytics.heat_trajectory"}


def table_rows(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t.name: con.execute(f"select * from {quote_ident(t.name)}").fetchall()
            for t in TABLES if t.name not in HISTORY_TABLES
        }


@pytest.mark.slow
def test_incremental_rebuild_equals_full_rebuild(tmp_path, warm_ge):
    seeds = tmp_path / "seeds"
    generate(120, seeds, seed=7)
    files = sorted(p for p in seeds.rglob("*") if p.is_file())
    incremental = tmp_path / "inc" / "seedhouse.duckdb"

    first = run_build(seeds, incremental, ge=warm_ge)
    assert (first.published, first.parsed, first.reused) == (True, 120, 0)

    # change 3 files, delete 2, add 2 (one a copy of an existing article under a new name)
    for path in files[:3]:
        path.write_text(path.read_text().replace('title: "', 'title: "Updated: ', 1))
    files[3].unlink()
    files[4].unlink()
    (seeds / "new").mkdir()
    shutil.copyfile(files[10], seeds / "new" / "copy-of-ten.md")
    (seeds / "new" / "broken.md").write_text("---\ntitle: [\n---\n")

    second = run_build(seeds, incremental, ge=warm_ge)
    assert (second.published, second.parsed, second.reused) == (True, 5, 115)

    full = tmp_path / "full" / "seedhouse.duckdb"
    fresh = run_build(seeds, full, full=True, ge=warm_ge)
    assert (fresh.published, fresh.parsed, fresh.reused) == (True, 120, 0)
    assert table_rows(incremental) == table_rows(full)
    assert second.ledger == fresh.ledger


def test_nothing_changed_starts_no_build(tiny_seeds, tmp_path, warm_ge):
    path = tmp_path / "seedhouse.duckdb"
    assert run_build(tiny_seeds, path, ge=warm_ge).published
    mtime = path.stat().st_mtime_ns
    report = run_build(tiny_seeds, path, ge=warm_ge)
    assert (report.success, report.up_to_date, report.published, report.run_id) == (True, True, False, "")
    assert report.ledger == {"duplicate": 1, "loaded": 2, "quarantined": 6}
    assert path.stat().st_mtime_ns == mtime
    # --full always rebuilds
    assert run_build(tiny_seeds, path, full=True, ge=warm_ge).published


@pytest.mark.slow
def test_a_changed_suite_rebuilds_even_when_the_seeds_did_not(tiny_seeds, tmp_path, warm_ge):
    from pipeline.paths import EXPECTATIONS_DIR

    path = tmp_path / "seedhouse.duckdb"
    assert run_build(tiny_seeds, path, ge=warm_ge).published
    suites = tmp_path / "suites"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    (suites / "core.providers.json").write_text((suites / "core.providers.json").read_text().replace("outlet", "Outlet"))
    report = run_build(tiny_seeds, path, expectations_dir=suites, ge=warm_ge)
    assert (report.up_to_date, report.published, report.parsed, report.reused) == (False, True, 0, 9)


def test_the_manifest_a_build_read_is_taken_once_by_the_ingest_of_its_own_root(tiny_seeds, tmp_path, warm_ge):
    """`run_build` reads every file's status to tell whether anything changed and hands that
    manifest to its run's ingest through the run's session, which then does not read the
    statuses again."""
    path = tmp_path / "seedhouse.duckdb"
    assert run_build(tiny_seeds, path, ge=warm_ge).published
    root = tiny_seeds.resolve()
    five = discover(root).slice(0, 5)  # as if only the first five files had been found
    warehouse = Warehouse(path)
    session = BuildSession(manifest=(root, five))

    def files_found(run_id: str) -> int:
        with warehouse.new_build(run_id) as con:
            manifest = session.take_manifest(root)
            return ingest(con, root, run_id=run_id, cache_path=warehouse.parse_cache, manifest=manifest).files_found

    try:
        assert files_found("taken") == 5
        assert files_found("taken-once") == 9
        session = BuildSession(manifest=(tmp_path, five))  # another seeds root's manifest
        assert files_found("other-root") == 9
    finally:
        warehouse.close_build()
        warehouse.release_lock()


def test_the_parser_fingerprint_covers_every_module_of_the_parse_package():
    # a cached parse is reused only while the parser's code is unchanged: a module the fingerprint
    # left out could change the rows without invalidating the cache
    modules = sorted(Path(pipeline.parse.__file__).resolve().parent.glob("*.py"))
    others = [PROJECT_ROOT / "pipeline" / "urls.py", PROJECT_ROOT / "pipeline" / "ingest.py", SQL_DIR / "macros.sql"]
    staging = sorted((SQL_DIR / "staging").glob("*.sql"))  # the URL map is cached with the parse
    assert staging and parser_sources() == modules + others + staging
    loaded = {Path(m.__file__).resolve() for name, m in sys.modules.items() if name.startswith("pipeline.parse.")}
    assert loaded and loaded <= set(modules)


def _memo(cache: Path) -> dict[int, list[str]]:
    with duckdb.connect(str(cache), read_only=True) as con:
        return dict(con.execute("select text_key, terms from memo_term_mentions").fetchall())


def test_a_memo_serves_the_next_build_and_a_change_of_definitions_drops_it(tmp_path, warm_ge):
    """analytics.term_attention folds only the texts no earlier build folded: the terms each text
    mentions are kept in the parse cache (staging.memo_term_mentions) and trusted as they stand.
    A change of the definitions drops every memo, so the mart is computed afresh."""
    from pipeline.paths import EXPECTATIONS_DIR

    seeds = tmp_path / "seeds"
    generate(40, seeds, seed=3)
    path = tmp_path / "wh" / "seedhouse.duckdb"
    assert run_build(seeds, path, ge=warm_ge).published
    cache = Warehouse(path).parse_cache
    fresh = _memo(cache)
    with duckdb.connect(str(path), read_only=True) as con:
        news = "from core.articles where content_kind = 'news' and date_status = 'dated'"
        dated_news = con.execute(
            f"select count(distinct md5_number(coalesce(title, '') || ' ' || coalesce(excerpt, ''))) {news}"
        ).fetchone()[0]
        changed = Path(con.execute(f"select min(source_path) {news}").fetchone()[0])
    assert len(fresh) == dated_news > 20
    assert 0 < sum(1 for terms in fresh.values() if terms) < len(fresh)  # some texts mention a term, not all

    # Mark every remembered text as mentioning nothing, and change one text: the next build folds
    # that one, keeps the marks, and drops the changed text's old entry.
    with duckdb.connect(str(cache)) as con:
        con.execute("update memo_term_mentions set terms = []")
    changed = seeds / changed if not changed.is_absolute() else changed
    changed.write_text(changed.read_text().replace('title: "', 'title: "Tesla regulators: ', 1))
    assert run_build(seeds, path, ge=warm_ge).published
    kept = _memo(cache)
    [new_key] = set(kept) - set(fresh)
    assert {"regulation", "Tesla"} <= set(kept[new_key])
    assert len(kept) == len(fresh) and all(terms == [] for key, terms in kept.items() if key != new_key)
    with duckdb.connect(str(path), read_only=True) as con:
        by_term = dict(con.execute(
            "select term, sum(n_mentioning) from analytics.term_attention where grain = 'month' group by term"
        ).fetchall())
    assert {term for term, n in by_term.items() if n} == set(kept[new_key])

    # Changed definitions (here a suite): the memo is dropped and every text folded again.
    suites = tmp_path / "suites"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    (suites / "core.providers.json").write_text((suites / "core.providers.json").read_text().replace("outlet", "Outlet"))
    assert run_build(seeds, path, expectations_dir=suites, ge=warm_ge).published
    refolded = _memo(cache)
    assert {key: terms for key, terms in refolded.items() if key != new_key} == {
        key: terms for key, terms in fresh.items() if key in refolded
    }
    full = tmp_path / "full" / "seedhouse.duckdb"
    assert run_build(seeds, full, full=True, expectations_dir=suites, ge=warm_ge).published
    with duckdb.connect(str(path), read_only=True) as a, duckdb.connect(str(full), read_only=True) as b:
        query = "select * from analytics.term_attention order by all"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
