"""Stories and syndication: how right (against reading) and how costly (against the full build).

    python bench/stories.py                     # quality on everyday-ai; cost at 50,000 and 100,000 seeds
    python bench/stories.py --sizes 5000 10000  # quick look
    python bench/stories.py --quality-only

Quality: builds the real corpus beside the project (../shared/corpora/everyday-ai) and scores the
warehouse against the pairs labelled by reading it (tests/fixtures, pipeline/evaluation.py):
precision and recall of same_story and of syndicated_copy. The targets are precision >= 0.9 and
recall >= 0.8 for same_story, precision >= 0.95 for syndication.

Cost: generates seeds, builds each size with `seedhouse build --full` (timed from outside), then
re-runs, on a copy of the built file (its staging is the parse cache kept beside it), the SQL of
the steps that find stories and copies, one statement at a time: the syndication groups, the texts
with their terms, the term weights, the related links' evidence and the text edges; and, in this
process, the parse's share: reducing every text to its headline key and terms. What a build did
before (resolving the links, the story components) is timed for the record. What they add to the rest of the build,
at two sizes, says whether they stay within 20% and grow like the build does (sub-quadratic: the
blocking keeps candidate pairs in proportion to the articles). Compare the ratios, not the
seconds: the machine is shared. Each ratio is given in wall time and in CPU time (the build's
processes and threads, the steps' DuckDB threads); on a loaded machine the CPU ratio moves least.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import pyarrow as pa  # noqa: E402

from pipeline.evaluation import evaluate  # noqa: E402
from pipeline.parse.schemas import PARSED_SEEDS  # noqa: E402
from pipeline.parse.texts import text_columns  # noqa: E402
from pipeline.paths import model_path  # noqa: E402
from pipeline.warehouse import connect  # noqa: E402

CORPUS = PROJECT.parent / "shared" / "corpora" / "everyday-ai"
SEEDHOUSE = [sys.executable, "-m", "pipeline.cli"]
TARGETS = {"same_story (all pairs)": (0.9, 0.8), "syndicated_copy": (0.95, None)}

# the statements of the story and syndication steps: (model, which of its statements)
ARTICLES_SYNDICATION = ("core", "articles", slice(1, 5))  # _headlines .. _copy_groups
# the steps this evidence adds to a build: each text reduced once, the term weights, the related
# links' evidence (the model's last statement; its first resolves and types the links, as
# before), the text edges
ADDED = [("core", "text_features", slice(None)), ("core", "term_weights", slice(None)),
         ("core", "related_links", slice(1, None)),
         ("analytics", "story_edges", slice(None))]
# what a build did before, timed for the record: resolving the links, the story components
BEFORE = [("core", "related_links", slice(0, 1)), ("analytics", "story_members", slice(None)),
          ("analytics", "stories", slice(None))]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(seeds: Path, warehouse: Path) -> tuple[float, float]:
    """The wall time and the CPU time (every process and thread of the build) of a full build."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run([*SEEDHOUSE, "build", "--full", "--seeds", str(seeds), "--warehouse", str(warehouse)],
                   check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
    return time.perf_counter() - started, children_cpu() - cpu


def quality(workdir: Path) -> dict:
    warehouse = workdir / "everyday-ai" / "seedhouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    build(CORPUS, warehouse)
    scores = evaluate(warehouse)
    print(f"{'against reading (everyday-ai)':32} {'pairs':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}  target")
    for name, s in scores.items():
        target = TARGETS.get(name)
        wanted = "" if target is None else f"P >= {target[0]}" + ("" if target[1] is None else f", R >= {target[1]}")
        print(f"{name:32} {s.n:>6} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>10.3f} {s.recall:>7.3f}  {wanted}")
    return {name: {"n": s.n, "tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": round(s.precision, 4),
                   "recall": round(s.recall, 4)} for name, s in scores.items()}


def timed_statements(con, schema: str, name: str, which: slice) -> tuple[float, float]:
    """Wall and CPU seconds of some statements of a model (CPU: every DuckDB thread of this process)."""
    statements = con.extract_statements(model_path(schema, name).read_text())
    wall = cpu = 0.0
    for index, statement in list(enumerate(statements))[which]:
        sql = statement.query
        if index == len(statements) - 1 and not sql.lstrip().lower().startswith("create"):
            sql = f"create or replace temp table _timed as {sql}"
        started, cpu_started = time.perf_counter(), time.process_time()
        con.execute(sql)
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return wall, cpu


def reduced_in_parse(con) -> tuple[float, float]:
    """What reducing the texts costs the parse (pipeline/parse/texts.py), redone here on the
    build's own staging rows: the reduction and its Arrow columns, CPU measured in this process.
    The parse spreads it over its worker processes, one per core, so its wall time is estimated
    as the CPU time over the cores."""
    rows = con.sql(
        "select title, excerpt, [{'title': r.title, 'excerpt': r.excerpt} for r in related] as related "
        "from staging.parsed_seeds where error_kind is null"
    ).to_arrow_table().to_pylist()
    gc.disable()  # as the parse does (pipeline/parse/batches.py)
    started = time.process_time()
    reduced = [text_columns(row) for row in rows]
    pa.RecordBatch.from_pylist(reduced, schema=pa.schema([PARSED_SEEDS.field("texts"), PARSED_SEEDS.field("excerpt_key")]))
    cpu = time.process_time() - started
    gc.enable()
    return cpu / (os.cpu_count() or 1), cpu


def cost(workdir: Path, sizes: list[int]) -> dict:
    results = {}
    for n in sizes:
        seeds = workdir / f"seeds-{n}"
        if not seeds.exists():
            subprocess.run([*SEEDHOUSE, "generate", str(n), str(seeds)], check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
        warehouse = workdir / f"wh-{n}" / "seedhouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        build_s, build_cpu = build(seeds, warehouse)
        scratch = workdir / f"scratch-{n}.duckdb"
        shutil.copyfile(warehouse, scratch)
        with connect(scratch) as con:
            # the build's staging tables are kept as the next build's parse cache
            staging = warehouse.parent / ".seedhouse" / warehouse.name / "parsed.duckdb"
            con.execute(f"attach '{staging}' as staging (read_only)")
            # the articles' syndication statements read the typed articles the model makes first
            statements = con.extract_statements(model_path("core", "articles").read_text())
            con.execute(statements[0].query)
            steps = {"syndication": timed_statements(con, *ARTICLES_SYNDICATION)}
            before = {}
            for schema, name, which in BEFORE[:1] + ADDED + BEFORE[1:]:
                seconds = timed_statements(con, schema, name, which)
                if (schema, name, which) in ADDED:
                    steps[f"{schema}.{name}" + (" (evidence)" if name == "related_links" else "")] = seconds
                else:
                    before[f"{schema}.{name}" + (" (links resolved)" if name == "related_links" else "")] = seconds
            steps["texts reduced in the parse"] = reduced_in_parse(con)
            candidates = con.execute("select count(*) from _candidates").fetchone()[0]
            articles = con.execute("select count(*) from core.articles").fetchone()[0]
        scratch.unlink()
        story_s = sum(wall for wall, _ in steps.values())
        story_cpu = sum(cpu for _, cpu in steps.values())
        added = story_s / (build_s - story_s)
        # CPU time is what a loaded machine changes least: the share of the build's work
        added_cpu = story_cpu / (build_cpu - story_cpu)
        results[n] = {"build_s": round(build_s, 2), "build_cpu_s": round(build_cpu, 2), "story_steps_s": round(story_s, 2),
                      "story_steps_cpu_s": round(story_cpu, 2),
                      "steps_s": {k: round(v[0], 2) for k, v in steps.items()},
                      "steps_cpu_s": {k: round(v[1], 2) for k, v in steps.items()},
                      "before_s": {k: round(v[0], 2) for k, v in before.items()},
                      "added_to_build": round(added, 3), "added_to_build_cpu": round(added_cpu, 3),
                      "articles": articles, "text_candidate_pairs": candidates}
        print(f"{n:>9,} seeds: build {build_s:6.1f} s ({build_cpu:.1f} s CPU); story and syndication steps {story_s:5.1f} s "
              f"({story_cpu:.1f} s CPU), adding {added:.1%} to the rest of the build ({added_cpu:.1%} of its CPU); "
              f"{candidates:,} text candidate pairs for {articles:,} articles")
        for k, (wall, cpu) in steps.items():
            print(f"{'':16}{k:36} {wall:6.2f} s {cpu:6.2f} s CPU")
        for k, (wall, cpu) in before.items():
            print(f"{'':16}{k:36} {wall:6.2f} s {cpu:6.2f} s CPU  (a build did this before)")
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        growth = results[b]["story_steps_s"] / max(results[a]["story_steps_s"], 1e-9)
        print(f"story steps grow {growth:.2f}x from {a:,} to {b:,} seeds ({b / a:.1f}x the seeds; all pairs would be {(b / a) ** 2:.1f}x)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seedhouse-bench-stories"))
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures = {"quality": quality(args.workdir) if CORPUS.is_dir() else None}
    if figures["quality"] is None:
        print(f"quality skipped: the real corpus is not beside the project ({CORPUS})")
    if not args.quality_only:
        figures["cost"] = cost(args.workdir, args.sizes)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
