"""The asset graph as the UI shows it: keys, groups, dependencies and checks."""

from __future__ import annotations

from dagster import AssetKey

from pipeline import quality
from pipeline.catalog import TABLES
from pipeline.definitions import defs

K = lambda name: AssetKey(name.split("."))  # noqa: E731

EXPECTED_PARENTS = {
    # one step writes these (assets/ingest/assets.py); each table depends on those its SQL reads,
    # and on those its foreign keys reference (core.providers, core.articles: pipeline/keys.py)
    "staging.parsed_seeds": set(),
    "staging.url_map": {"staging.parsed_seeds"},
    "staging.declared_domains": {"staging.parsed_seeds"},
    "staging.domain_map": {"staging.declared_domains", "staging.url_map"},
    "quality.build_info": set(),
    "staging.previous_history": set(),
    "core.article_history": {"core.articles", "quality.build_info", "staging.previous_history"},
    "analytics.heat_trajectory": {"core.article_history", "core.articles"},
    "core.seed_files": {"staging.parsed_seeds", "staging.url_map", "staging.declared_domains", "staging.domain_map"},
    "core.providers": {
        "core.seed_files", "staging.parsed_seeds", "staging.declared_domains", "staging.url_map", "staging.domain_map",
    },
    "core.articles": {
        "core.seed_files", "quality.build_info", "staging.parsed_seeds", "staging.url_map", "staging.declared_domains",
        "core.providers",
    },
    "core.feeds": {"core.articles", "core.providers"},
    "core.article_topics": {"core.articles", "staging.parsed_seeds"},
    "core.article_images": {"core.articles", "staging.parsed_seeds"},
    "core.article_authors": {"core.articles", "staging.parsed_seeds"},
    "core.article_bodies": {"core.articles", "staging.parsed_seeds"},
    "core.text_features": {"core.articles", "staging.parsed_seeds"},
    "core.term_weights": {"core.articles", "core.text_features"},
    "core.related_links": {
        "core.articles", "core.seed_files", "quality.build_info", "staging.parsed_seeds", "staging.url_map",
        "staging.declared_domains", "core.term_weights", "core.text_features", "core.providers",
    },
    "analytics.provider_stats": {"core.articles", "core.article_topics", "core.related_links", "core.providers"},
    "analytics.topic_stats": {"core.article_topics", "core.articles"},
    "analytics.topic_trends": {"analytics.topic_attention"},
    "analytics.topic_pairs": {"core.articles", "core.article_topics"},
    "analytics.provider_links": {"core.related_links", "core.articles"},
    "analytics.story_edges": {"core.related_links", "core.articles", "core.term_weights", "core.text_features"},
    "analytics.story_members": {"core.related_links", "core.articles", "analytics.story_edges"},
    "analytics.stories": {"analytics.story_members", "analytics.story_edges"},
    "analytics.provider_network": {"core.related_links", "core.articles"},
    "analytics.story_coverage": {"analytics.story_members"},
    "analytics.provider_lead_lag": {"analytics.story_coverage", "analytics.story_members", "core.providers"},
    "analytics.syndication_groups": {"core.articles"},
    "analytics.article_volume": {"core.articles"},
    "analytics.topic_attention": {"analytics.article_volume", "core.article_topics", "core.articles"},
    "analytics.provider_attention": {"analytics.article_volume", "core.articles"},
    "analytics.provider_health": {"core.article_images", "core.article_topics", "core.articles"},
    "analytics.provider_link_metrics": {"core.articles", "core.providers", "core.related_links"},
    "analytics.content_summary": {"core.articles"},
    "analytics.term_attention": {"analytics.article_volume", "core.articles"},
    "analytics.corpus_summary": {
        "analytics.story_members", "core.article_topics", "core.articles", "core.providers", "core.related_links",
        "core.seed_files",
    },
    "analytics.article_details": {"core.article_topics", "core.article_images", "core.related_links", "core.articles", "core.providers"},
    "analytics.related_coverage": {"core.related_links", "core.articles"},
    "published_warehouse": {t.name for t in TABLES},
    "report": {"published_warehouse"},
}


def test_asset_keys_groups_and_dependencies():
    graph = defs.resolve_asset_graph()
    keys = {key for key in graph.get_all_asset_keys()}
    assert keys == {K(name) for name in EXPECTED_PARENTS}
    for name, parents in EXPECTED_PARENTS.items():
        assert graph.get(K(name)).parent_keys == {K(p) for p in parents}, name
    groups = {name: graph.get(K(name)).group_name for name in EXPECTED_PARENTS}
    assert groups == {
        name: (
            "ingest"
            if name.startswith(("staging", "quality"))
            else "publish"
            if name in ("published_warehouse", "report")
            else name.split(".")[0]
        )
        for name in EXPECTED_PARENTS
    }


def test_every_expectation_is_a_check_and_critical_ones_gate_publishing():
    graph = defs.resolve_asset_graph()
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys]
    checks = {(spec.asset_key, spec.name): spec for spec in specs}
    expected = {}
    for table in TABLES:
        for name, expectation in quality.expectations(quality.load_suite(table.name)):
            expected[(K(table.name), name)] = expectation.get("severity") == "critical"
    assert {key: spec.metadata["gates_publish"] for key, spec in checks.items()} == expected
    assert {key: spec.description.startswith("[critical, gates publishing]") for key, spec in checks.items()} == expected
    assert len(expected) == 234 and sum(expected.values()) == 213
    # no check holds back the tables downstream of it: the publish step is the gate
    assert {spec.blocking for spec in specs} == {False}


def test_tables_run_before_checks_and_publishing_after_them():
    job = defs.resolve_job_def("build_warehouse")
    priorities = {node.name: node.tags.get("dagster/priority", "0") for node in job.graph.nodes}
    tables = {f"{t.schema}__{t.short_name}" for t in TABLES}
    assert {priorities[name] for name in tables} == {"1"}
    assert {priorities[f"{t.schema}_{t.short_name}_expectations"] for t in TABLES} == {"0"}
    assert priorities["published_warehouse"] == "-1"


def test_jobs_and_descriptions():
    assert {job.name for job in defs.jobs} == {"build_warehouse", "refresh_analytics"}
    graph = defs.resolve_asset_graph()
    for table in TABLES:
        node = graph.get(K(table.name))
        assert node.description == table.description
        assert node.metadata["dagster/table_name"] == f"seedhouse.{table.name}"
