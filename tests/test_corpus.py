"""End to end on the real corpus beside the project, against an independent recount of the files.

The recount below shares no code with the pipeline: its own walk, PyYAML's safe loader, and the
documented rules (an article needs a title and an http(s) webUrl/originalUrl; its outlet is the
declared provider domain, else the URL's host, lower-case without "www.").
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import query

pytestmark = pytest.mark.corpus


def recount(root: Path) -> tuple[int, Counter, Counter, Counter]:
    files = 0
    per_domain: Counter = Counter()
    per_topic: Counter = Counter()
    urls: Counter = Counter()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            files += 1
            text = (Path(dirpath) / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            if not text.startswith("---\n"):
                continue
            head, sep, _ = text[4:].partition("\n---")
            if not sep:
                continue
            meta = yaml.safe_load(head)
            if not isinstance(meta, dict):
                continue
            url = meta.get("webUrl") or meta.get("originalUrl")
            if not meta.get("title") or not url or not str(url).startswith(("http://", "https://")):
                continue
            urls[url] += 1
            provider = meta.get("provider") or {}
            domain = (provider.get("domain") or urlsplit(url).hostname).lower().removeprefix("www.")
            per_domain[domain] += 1
            topics = meta.get("topics") or []
            for topic in {str(t).strip() for t in (topics if isinstance(topics, list) else [topics])}:
                per_topic[topic] += 1
    return files, per_domain, per_topic, urls


def test_counts_match_an_independent_recount(corpus, corpus_warehouse):
    files, per_domain, per_topic, urls = recount(corpus)
    assert max(urls.values()) == 1  # the corpus holds no duplicate URLs, so articles = files
    assert query(corpus_warehouse, "select count(*) from core.seed_files") == [(files,)]
    assert dict(query(corpus_warehouse, "select provider_id, count(*) from core.articles group by 1")) == per_domain
    assert dict(query(corpus_warehouse, "select topic, n_articles from analytics.topic_stats")) == per_topic
    assert dict(
        query(corpus_warehouse, "select provider_id, n_articles from analytics.provider_stats where n_articles > 0")
    ) == per_domain


def test_corpus_figures(corpus_warehouse):
    """The corpus as it stands: 119 files, 104 articles; the rest are profiles, data files, docs."""
    assert query(
        corpus_warehouse, "select status, error_kind, count(*) from core.seed_files group by all order by all"
    ) == [("loaded", None, 104), ("quarantined", "missing_field", 11), ("quarantined", "no_front_matter", 4)]
    # heat -1 means "not measured": 30 articles say so and 30 give no heat; neither becomes a score
    assert query(corpus_warehouse, "select count(*) from core.articles where heat is null") == [(60,)]
    assert query(corpus_warehouse, "select count(*) from core.articles where heat < 0") == [(0,)]
    assert query(corpus_warehouse, "select max(quality), max(heat) from core.articles") == [(142, 184)]
    counts = query(
        corpus_warehouse,
        "select (select count(*) from core.related_links), "
        "(select count(*) from core.related_links where target_article_id is not null), "
        "(select count(*) from analytics.stories), (select sum(n_articles) from analytics.stories)",
    )
    assert counts == [(187, 136, 65, 104)]
