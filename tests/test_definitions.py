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
    # the sharded parse (assets/scaleout): jobs of their own, read by a build with from_staging
    "staging.parsed_shard": set(),
    "staging.committed_snapshot": {"staging.parsed_shard"},
}
SCALEOUT = {"staging.parsed_shard", "staging.committed_snapshot"}


def test_asset_keys_groups_and_dependencies():
    graph = defs.resolve_asset_graph()
    keys = {key for key in graph.get_all_asset_keys()}
    assert keys == {K(name) for name in EXPECTED_PARENTS}
    for name, parents in EXPECTED_PARENTS.items():
        assert graph.get(K(name)).parent_keys == {K(p) for p in parents}, name
    groups = {name: graph.get(K(name)).group_name for name in EXPECTED_PARENTS}
    assert groups == {
        name: (
            "scaleout"
            if name in SCALEOUT
            else "ingest"
            if name.startswith(("staging", "quality"))
            else "publish"
            if name in ("published_warehouse", "report")
            else name.split(".")[0]
        )
        for name in EXPECTED_PARENTS
    }


def test_every_expectation_is_a_check_named_by_a_sentence_and_critical_ones_block():
    graph = defs.resolve_asset_graph()
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys]
    checks = {(spec.asset_key, spec.metadata["recorded_as"]): spec for spec in specs}
    expected = {}
    for table in TABLES:
        for name, expectation in quality.expectations(quality.load_suite(table.name)):
            expected[(K(table.name), name)] = expectation.get("severity") == "critical"
    assert len(specs) == len(checks) == len(expected) == 235 and sum(expected.values()) == 214
    assert {key: spec.blocking for key, spec in checks.items()} == expected
    assert {key: spec.metadata["gates_publish"] for key, spec in checks.items()} == expected
    assert {key: "Critical: when it fails, the build is not published" in spec.description for key, spec in checks.items()} == expected

    # named by the sentence `seedhouse check` prints (quality.expects); recorded by the short name
    ledger = checks[(K("core.seed_files"), "not_in_set__news_status")]
    assert ledger.name == "at_least_90_of_news_status_values_are_not_quarantined"
    assert ledger.description.startswith(
        "at least 90% of news_status values are not quarantined. Warning: reported; it never holds a "
        "build back. A failure means: More than 10% of the files that look like news items were quarantined"
    )
    names = {(spec.asset_key, spec.name): key[1] for key, spec in checks.items()}
    assert names[(K("core.articles"), "one_row_per_row_of_core_seed_files_where_status_loaded")] == "row_count_equal"
    history = names[(K("core.article_history"), "no_two_rows_share_the_same_article_id_version")]
    assert history == "compound_columns_unique__article_id__version"
    assert names[(K("core.articles"), "every_canonical_url_is_written_as_the_pattern_https")] == "match_regex__canonical_url"


def test_the_tables_their_checks_and_the_publish_are_one_step_that_cannot_be_split():
    job = defs.resolve_job_def("build_warehouse")
    assert {node.name for node in job.graph.nodes} == {"staging__parsed_seeds", "published_warehouse", "report"}
    graph = defs.resolve_asset_graph()
    step = graph.get(K("core.articles")).assets_def
    assert step.node_def.name == "published_warehouse" and not step.can_subset
    assert step.keys == {K(t.name) for t in TABLES} | {K("quality.build_info"), K("published_warehouse")}
    assert len(step.check_keys) == 235


def test_jobs_and_descriptions():
    assert {job.name for job in defs.jobs} == {"build_warehouse", "parse_shards", "commit_staging"}
    graph = defs.resolve_asset_graph()
    for table in TABLES:
        node = graph.get(K(table.name))
        assert node.description == table.description
        assert node.metadata["dagster/table_name"] == f"seedhouse.{table.name}"
