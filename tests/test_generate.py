"""The synthetic seed generator: determinism, file shape, and the exact variety it yields.

The exact numbers below were computed once from `generate(2000, ..., seed=0)`. The generator is
deterministic, so they only change when its code changes; update them then, on purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import yaml

from pipeline.generate import generate

N = 2000
NAME = re.compile(r"news/(\d{4})/(\d{2})/(\d{4})-(\d{2})-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{6}\.md")


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


# yaml.safe_load's rules, in C when PyYAML has it (5x faster over 2000 files).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _split(text: str, loader: type = SAFE_LOADER) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    meta = yaml.load(front, Loader=loader)
    assert isinstance(meta, dict)
    return meta, body


HOUR = dt.timedelta(hours=1)
Doc = tuple[dict[str, Any], str]  # (front matter, body)


def _when(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), dt.timezone.utc)


def _canonical(url: str) -> str:
    """Just enough canonicalisation for these tests (the project's own lives in pipeline.urls)."""
    parts = urlsplit(url)
    tracking = ("hss_channel", "fbclid")
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_") and k not in tracking]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict[str, Doc]]:
    root = tmp_path_factory.mktemp("gen")
    written = generate(N, root, seed=0)
    docs = {}
    for path in sorted(root.rglob("*.md")):
        raw = path.read_bytes()
        assert b"\r" not in raw
        docs[path.relative_to(root).as_posix()] = _split(raw.decode("utf-8"))
    return root, written, docs


def test_count_matches_files_on_disk(corpus) -> None:
    root, written, docs = corpus
    assert written == N
    assert len(docs) == N
    assert sum(1 for p in root.rglob("*") if p.is_file()) == N


def test_same_seed_gives_identical_bytes(corpus, tmp_path: Path) -> None:
    root, _, _ = corpus
    assert generate(N, tmp_path, seed=0) == N
    assert _digests(tmp_path) == _digests(root)


def test_different_seed_gives_different_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(50, a, seed=1)
    generate(50, b, seed=2)
    da, db = _digests(a), _digests(b)
    assert len(da) == len(db) == 50
    assert set(da.values()).isdisjoint(db.values())


def test_small_and_invalid_sizes(tmp_path: Path) -> None:
    assert generate(0, tmp_path / "zero") == 0
    assert not list((tmp_path).rglob("*.md"))
    assert generate(1, tmp_path / "one", seed=5) == 1
    assert len(list((tmp_path / "one").rglob("*.md"))) == 1
    with pytest.raises(ValueError):
        generate(-1, tmp_path / "neg")
    with pytest.raises(ValueError):  # file-name suffixes are unique up to 2**24 files
        generate(2**24 + 1, tmp_path / "huge")
    assert not (tmp_path / "neg").exists() and not (tmp_path / "huge").exists()


def test_pure_python_safe_load_agrees(corpus) -> None:
    root, _, docs = corpus
    for rel in sorted(docs)[::20]:
        assert _split((root / rel).read_text(encoding="utf-8"), yaml.SafeLoader) == docs[rel]


def test_layout_and_names(corpus) -> None:
    _, _, docs = corpus
    for rel, (meta, _) in docs.items():
        m = NAME.fullmatch(rel)
        assert m, rel
        assert m.group(1) == m.group(3) and m.group(2) == m.group(4)  # folder = file date
        assert rel[13:23] == str(meta["publishedDateTime"])[:10]
    months = Counter(rel[5:12] for rel in docs)
    assert len(months) == 72  # every month of 2019..2024
    assert max(months.values()) < N // 10  # spread out, no giant folder


def test_front_matter_shape(corpus) -> None:
    _, _, docs = corpus
    for meta, body in docs.values():
        assert meta["category"] == "news"
        assert isinstance(meta["title"], str) and meta["title"]
        assert isinstance(meta["excerpt"], str) and meta["excerpt"].endswith(" ...")
        assert meta["webUrl"].startswith("https://")
        assert meta["type"] in ("article", "video")
        assert set(meta["provider"]) == {"name", "domain"}
        domain = meta["provider"]["domain"]
        assert "." in domain and domain == domain.lower()
        assert isinstance(meta["secured"], str) and ";" in meta["secured"]
        published = meta["publishedDateTime"]
        day = published.date() if isinstance(published, dt.datetime) else published
        assert dt.date(2019, 1, 1) <= day <= dt.date(2024, 12, 31)
        if "quality" in meta:
            assert 0 <= int(meta["quality"]) <= 150
        if "heat" in meta:
            assert meta["heat"] == -1 or 0 <= meta["heat"] <= 800
        for image in meta.get("images", []):
            assert image["url"].startswith("https://") and image["width"] > 0 and image["height"] > 0
        assert 0 <= len(meta.get("related", [])) <= 5
        for rel in meta.get("related", []):
            assert set(rel) - {"images"} == {"title", "excerpt", "publishedDateTime", "webUrl", "type",
                                             "provider", "quality"}
        assert body == "" or (body.startswith("\n") and body.endswith("\n") and body.count("\n\n") <= 3)


def test_text_is_escaped_and_non_ascii(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in docs.values()]
    assert sum(any(ord(c) > 127 for c in m["title"]) for m in metas) == 710  # Zürich, ’, —, é...
    assert sum("—" in m["title"] for m in metas) == 136
    assert sum('"' in m["title"] for m in metas) == 127  # written as \" in the YAML
    assert sum("\\" in m["excerpt"] for m in metas) == 297  # written as \\ in the YAML


def test_exact_variety(corpus) -> None:
    _, _, docs = corpus
    count: Counter[str] = Counter()
    for m, body in docs.values():
        count["heat_unknown"] += m.get("heat") == -1
        count["heat_missing"] += "heat" not in m
        count["no_scores"] += "quality" not in m
        count["quality_str"] += isinstance(m.get("quality"), str)
        count["date_only"] += not isinstance(m["publishedDateTime"], dt.datetime)
        count["topics_scalar"] += isinstance(m["topics"], str)
        topics = m["topics"] if isinstance(m["topics"], list) else []
        count["topics_padded"] += any(t != t.strip() for t in topics)
        count["topics_twice"] += len(set(topics)) != len(topics)
        count["has_ai"] += "AI" in topics
        count["video"] += m["type"] == "video"
        count["no_images"] += "images" not in m
        count["two_images"] += len(m.get("images", [])) == 2
        count["no_related"] += "related" not in m
        count["original_url"] += "originalUrl" in m
        count["amp"] += "ampWebUrl" in m
        count["published"] += m.get("published") is True
        count["with_body"] += body != ""
    assert dict(count) == {
        "heat_unknown": 582,  # ~30%
        "heat_missing": 141,  # no quality/heat/published block (~5%) + heat left out (~3%)
        "no_scores": 99,
        "quality_str": 24,  # ~1%
        "date_only": 43,  # ~2%
        "topics_scalar": 19,  # ~1%
        "topics_padded": 8,  # ~0.5%
        "topics_twice": 12,  # ~0.5%
        "has_ai": 1694,  # ~85% (+ scalar-topic files not counted)
        "video": 56,
        "no_images": 396,  # ~20%
        "two_images": 177,  # ~10%
        "no_related": 829,  # ~40% (copies never have related)
        "original_url": 770,
        "amp": 236,
        "published": 1544,
        "with_body": 1481,
    }


def test_popularity_and_topics(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in docs.values()]
    providers = Counter(m["provider"]["domain"] for m in metas)
    assert len(providers) == 60
    assert providers.most_common(3) == [("northwindtribune.com", 327), ("circuitledger.com", 197),
                                        ("datapointdaily.com", 139)]  # Zipf: 1/rank
    sizes = Counter(len(m["topics"]) if isinstance(m["topics"], list) else 1 for m in metas)
    assert sizes == {1: 432, 2: 834, 3: 454, 4: 187, 5: 93}
    years = Counter(str(m["publishedDateTime"])[:4] for m in metas)
    assert years == {"2019": 142, "2020": 234, "2021": 429, "2022": 375, "2023": 419, "2024": 401}


def test_syndication_copies(corpus) -> None:
    """1% of 2000 files are copies by another outlet: half re-publish the article's exact webUrl
    (duplicate files), half are wire copies under the copier's own URL, 95 minutes later."""
    _, _, docs = corpus
    by_url: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    by_title: dict[str, list[dict[str, Any]]] = {}
    for rel, (meta, _) in docs.items():
        by_url.setdefault(meta["webUrl"], []).append((rel, meta))
        by_title.setdefault(meta["title"], []).append(meta)
    copies = [group for group in by_url.values() if len(group) > 1]
    assert len(copies) == 10 and all(len(group) == 2 for group in copies)
    for (rel_a, a), (rel_b, b) in copies:
        assert rel_a != rel_b and a["title"] == b["title"]
        assert str(a["publishedDateTime"])[:10] == str(b["publishedDateTime"])[:10]
        assert a["provider"]["domain"] != b["provider"]["domain"]
    wires = [
        (a, b)
        for group in by_title.values()
        for a in group
        for b in group
        if a["webUrl"] != b["webUrl"] and b.get("originalUrl") == b["webUrl"]
        and a["provider"]["domain"] != b["provider"]["domain"]
        and isinstance(a["publishedDateTime"], dt.datetime) and isinstance(b["publishedDateTime"], dt.datetime)
        and b["publishedDateTime"] - a["publishedDateTime"] == dt.timedelta(minutes=95)
    ]
    assert len(wires) == 10


def test_links(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in docs.values()]
    webs = Counter(m["webUrl"] for m in metas)
    canon = {_canonical(w) for w in webs}
    assert len(canon) == len(webs)  # distinct articles stay distinct after canonicalisation
    related = [(m, r) for m in metas for r in m.get("related", [])]
    raw = [r for m, r in related if r["webUrl"] in webs and r["webUrl"] != m["webUrl"]]
    resolved = [(m, r) for m, r in related if _canonical(r["webUrl"]) in canon]
    assert len(related) == 2562
    assert len(raw) == 351  # verbatim another file's webUrl
    assert len(resolved) == 776  # ~30%: another file's article once canonicalised
    assert not [r for m, r in resolved if _canonical(r["webUrl"]) == _canonical(m["webUrl"])]
    assert sum(r["provider"]["domain"] != m["provider"]["domain"] for m, r in resolved) == 774
    hours = sorted(abs(_when(r["publishedDateTime"]) - _when(m["publishedDateTime"])) / HOUR
                   for m, r in resolved)
    assert hours[len(hours) // 2] < 48 and hours[-1] < 15 * 24  # same story: hours or days apart
    noisy = [w for w in webs if _canonical(w) != w.rstrip("/")]  # tracking params, #comments, HOST
    assert len(noisy) == 118  # of 1980 distinct webUrls (~6%; slash-only noise not counted)
