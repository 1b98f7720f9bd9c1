"""The synthetic seed generator: determinism, file shape, and the exact variety it yields.

The exact numbers below were computed once from `generate(3000, ..., seed=0)`. The generator is
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

N = 3000
NAME = re.compile(r"news/(\d{4})/(\d{2})/(\d{4})-(\d{2})-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{6}\.md")
OTHER_NAME = re.compile(r"(learning/(?:videos|courses|books)|projects|people)/[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{6}\.md")
LETTER_NAME = re.compile(r"newsletters/ai-every-day-(\d{4}-\d{2}-\d{2})\.html")


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


# tracking parameters the generator adds; sf12345678 is a name of its own
TRACKING = {"hss_channel", "fbclid", "_mc", "cid", "elq_cid", "mod", "mid", "ocid"}
AMP_PARAMS = {"amp", "outputType"}
SF = re.compile(r"sf\d{8}")


def _canonical(url: str) -> str:
    """Just enough canonicalisation for these tests (the project's own lives in pipeline.urls):
    tracking parameters, AMP forms, the fragment, http or https, www. or not, case, slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("amp.").removeprefix("www.")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.startswith("utm_") and k not in TRACKING | AMP_PARAMS and not SF.fullmatch(k)]
    path = re.sub(r"/amp/?$", "", parts.path).rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict[str, Doc]]:
    root = tmp_path_factory.mktemp("gen")
    written = generate(N, root, seed=0)
    docs = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            assert b"\r" not in raw  # the CR LF some excerpts end in is written as escapes
            docs[path.relative_to(root).as_posix()] = _split(raw.decode("utf-8"))
    return root, written, docs


def _news(docs: dict[str, Doc]) -> dict[str, Doc]:
    return {rel: doc for rel, doc in docs.items() if rel.startswith("news/")}


def _kind(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if rel.startswith("learning/") else rel.split("/", 1)[0]


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
    news = _news(docs)
    for rel, (meta, _) in news.items():
        m = NAME.fullmatch(rel)
        assert m, rel
        assert m.group(1) == m.group(3) and m.group(2) == m.group(4)  # folder = file date
        assert rel[13:23] == str(meta["publishedDateTime"])[:10]
    for rel, (meta, _) in docs.items():
        if rel.startswith("newsletters/"):
            m = LETTER_NAME.fullmatch(rel)
            assert m and meta["title"] == f"A.I. Every Day ({m.group(1)})", rel
        elif not rel.startswith("news/"):
            assert OTHER_NAME.fullmatch(rel), rel
    months = Counter(rel[5:12] for rel in news)
    assert len(months) == 72  # every month of 2019..2024
    assert max(months.values()) < N // 10  # spread out, no giant folder


def test_kinds(corpus) -> None:
    """Beside the news, what an aggregator's repository keeps: its own newsletters (one per ~150
    news files), videos (3%), courses, books and code projects (0.5% each), profiles (0.2%)."""
    _, _, docs = corpus
    kinds = Counter(_kind(rel) for rel in docs)
    assert kinds == {"news": 2840, "newsletters": 19, "learning/videos": 90, "learning/courses": 15,
                     "learning/books": 15, "projects": 15, "people": 6}
    types = Counter((_kind(rel), meta.get("type")) for rel, (meta, _) in docs.items() if not rel.startswith("news/"))
    assert types == {("newsletters", "article"): 19, ("learning/videos", "video"): 90,
                     ("learning/courses", "course"): 15, ("learning/books", "book"): 15,
                     ("projects", "code"): 15, ("people", "profile"): 6}
    for rel, (meta, _) in docs.items():
        kind = _kind(rel)
        if kind == "news":
            continue
        assert "category" not in meta, rel  # only news files say category: news
        if kind == "people":  # a profile, not an article: no title, so it must be quarantined
            assert "title" not in meta and isinstance(meta["name"], str) and meta["name"]
            continue
        assert isinstance(meta["title"], str) and meta["title"], rel
        if kind == "learning/courses":
            assert "publishedDateTime" not in meta and meta["price"] and meta["provider"]["name"]
        if kind == "learning/books":
            assert meta["price"] and meta["provider"]["authors"]
        if kind == "projects":
            assert "webUrl" not in meta and meta["originalUrl"].startswith("https://github.com/")
            assert meta["title"] == meta["originalUrl"][len("https://github.com/"):]


def test_newsletters(corpus) -> None:
    _, _, docs = corpus
    titles_by_day: dict[str, set[str]] = {}
    for meta, _ in _news(docs).values():
        titles_by_day.setdefault(str(meta["publishedDateTime"])[:10], set()).add(meta["title"])
    letters = {rel: doc for rel, doc in docs.items() if rel.startswith("newsletters/")}
    days = set()
    for rel, (meta, body) in letters.items():
        day = rel[len("newsletters/ai-every-day-"):-len(".html")]
        days.add(day)
        assert set(meta) == {"title", "excerpt", "publishedDateTime", "webUrl", "type", "topics"}
        assert meta["webUrl"] == f"https://everyday.example/ai/newsletter/ai-every-day-{day}/"
        assert str(meta["publishedDateTime"])[:10] == day
        headlines = meta["excerpt"].split(" / ")
        assert 1 <= len(headlines) <= 6 and set(headlines) <= titles_by_day[day]  # that day's news
        assert body.startswith("<html>") and body.endswith("</html>\n")
    assert len(days) == len(letters)  # one a day at most
    assert sum(len(meta["excerpt"].split(" / ")) >= 3 for meta, _ in letters.values()) == 19


def test_videos(corpus) -> None:
    _, _, docs = corpus
    videos = [meta for rel, (meta, _) in docs.items() if rel.startswith("learning/videos/")]
    for meta in videos:
        assert re.fullmatch(r"https://www\.youtube\.com/watch\?v=[A-Za-z0-9_-]{11}", meta["webUrl"])
        assert meta["provider"]["domain"] == "youtube.com"
        assert re.fullmatch(r"PT(?=\d)(\d+H)?(\d+M)?(\d+S)?", meta["length"])
        assert isinstance(meta["publishedDateTime"], dt.datetime)
    assert len({meta["webUrl"] for meta in videos}) == len(videos)
    channels = Counter(meta["provider"]["name"] for meta in videos)
    assert len(channels) == 12 and channels.most_common(1) == [("Two Minute Tensors", 22)]  # Zipf


def test_front_matter_shape(corpus) -> None:
    _, _, docs = corpus
    for meta, body in _news(docs).values():
        assert meta["category"] == "news"
        assert isinstance(meta["title"], str) and meta["title"]
        assert isinstance(meta["excerpt"], str) and meta["excerpt"].endswith((" ...", "\r\n"))
        assert meta["webUrl"].startswith(("https://", "http://"))  # http: a variant duplicate
        assert meta["type"] in ("article", "video")
        assert {"name", "domain"} <= set(meta["provider"]) <= {"name", "domain", "authors"}
        for author in meta["provider"].get("authors", []):
            assert set(author) == {"name"} and isinstance(author["name"], str)
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
        assert meta.get("removed", True) is True
        for image in meta.get("images", []):
            assert image["url"].startswith("https://") and image["width"] > 0 and image["height"] > 0
        assert 0 <= len(meta.get("related", [])) <= 5
        for rel in meta.get("related", []):
            assert set(rel) - {"images", "ampWebUrl"} == {"title", "excerpt", "publishedDateTime", "webUrl",
                                                          "type", "provider", "quality"}
            if "ampWebUrl" in rel:
                assert _canonical(rel["ampWebUrl"]) == _canonical(rel["webUrl"]) != rel["ampWebUrl"]
        assert body == "" or (body.startswith("\n") and body.endswith("\n") and body.count("\n\n") <= 3)


def test_text_is_escaped_and_non_ascii(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in _news(docs).values()]
    assert sum(any(ord(c) > 127 for c in m["title"]) for m in metas) == 961  # Zürich, ’, —, é...
    assert sum("—" in m["title"] for m in metas) == 190
    assert sum('"' in m["title"] for m in metas) == 182  # written as \" in the YAML
    assert sum("\\" in m["excerpt"] for m in metas) == 434  # written as \\ in the YAML


def test_exact_variety(corpus) -> None:
    _, _, docs = corpus
    count: Counter[str] = Counter()
    for m, body in _news(docs).values():
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
        count["removed"] += m.get("removed") is True
        count["authors"] += "authors" in m["provider"]
        count["two_authors_or_more"] += len(m["provider"].get("authors", [])) >= 2
        count["excerpt_crlf"] += m["excerpt"].endswith("\r\n")
        count["hosts_differ"] += "originalUrl" in m and _host(m["originalUrl"]) != _host(m["webUrl"])
    assert dict(count) == {
        "heat_unknown": 875,  # ~30%
        "heat_missing": 196,  # no quality/heat/published block (~5%) + heat left out (~3%)
        "no_scores": 132,
        "quality_str": 19,  # ~1%
        "date_only": 66,  # ~2%
        "topics_scalar": 23,  # ~1%
        "topics_padded": 10,  # ~0.5%
        "topics_twice": 24,  # ~0.5%
        "has_ai": 2455,  # ~85% (+ scalar-topic files not counted)
        "video": 80,
        "no_images": 567,  # ~20%
        "two_images": 276,  # ~10%
        "no_related": 1146,  # ~40% (copies and variant duplicates never have related)
        "original_url": 1028,
        "amp": 335,  # 12% of the originals
        "published": 2155,
        "with_body": 2158,
        "removed": 14,  # ~0.5%
        "authors": 825,  # ~30%
        "two_authors_or_more": 261,  # 30% of those
        "excerpt_crlf": 25,  # ~1%
        "hosts_differ": 43,  # 15 exact copies (originalUrl the copier's) + 28 foreign webUrls (~1%)
    }


def test_popularity_and_topics(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in _news(docs).values()]
    providers = Counter(m["provider"]["domain"] for m in metas)
    assert len(providers) == 60
    assert providers.most_common(3) == [("northwindtribune.com", 464), ("circuitledger.com", 289),
                                        ("datapointdaily.com", 195)]  # Zipf: 1/rank
    sizes = Counter(len(m["topics"]) if isinstance(m["topics"], list) else 1 for m in metas)
    assert sizes == {1: 618, 2: 1183, 3: 674, 4: 245, 5: 120}
    years = Counter(str(m["publishedDateTime"])[:4] for m in metas)
    assert years == {"2019": 180, "2020": 353, "2021": 415, "2022": 570, "2023": 653, "2024": 669}


def test_syndication_copies(corpus) -> None:
    """1% of 3000 files are copies by another outlet: half re-publish the article's exact webUrl
    (duplicate files), half are wire copies under the copier's own URL, 95 minutes later."""
    _, _, docs = corpus
    by_url: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    by_title: dict[str, list[dict[str, Any]]] = {}
    for rel, (meta, _) in _news(docs).items():
        by_url.setdefault(meta["webUrl"], []).append((rel, meta))
        by_title.setdefault(meta["title"], []).append(meta)
    copies = [group for group in by_url.values() if len(group) > 1]
    assert len(copies) == 15 and all(len(group) == 2 for group in copies)
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
    assert len(wires) == 15


def test_variant_duplicates(corpus) -> None:
    """0.5% of 3000 files are the same outlet's article again, under another spelling of its URL
    (http, www., AMP, #!): distinct webUrls, one canonical URL, the same title, date and outlet."""
    _, _, docs = corpus
    by_canonical: dict[str, set[str]] = {}
    first: dict[str, dict[str, Any]] = {}
    pairs = 0
    for meta, _ in _news(docs).values():
        key = _canonical(meta["webUrl"])
        by_canonical.setdefault(key, set()).add(meta["webUrl"])
        if key in first and first[key]["webUrl"] != meta["webUrl"]:
            a = first[key]
            assert a["title"] == meta["title"] and a["provider"]["domain"] == meta["provider"]["domain"]
            assert str(a["publishedDateTime"])[:10] == str(meta["publishedDateTime"])[:10]
            pairs += 1
        first.setdefault(key, meta)
    spellings = Counter(len(urls) for urls in by_canonical.values())
    assert pairs == 15 and spellings == {1: 2795, 2: 15}  # 2795 originals, 15 wire copies


def test_foreign_web_urls(corpus) -> None:
    """In ~1% of the news files webUrl is another outlet's different article, originalUrl the
    article's own: the provider and the title go with originalUrl."""
    _, _, docs = corpus
    news = [meta for meta, _ in _news(docs).values()]
    webs = Counter(m["webUrl"] for m in news)
    differ = [m for m in news if "originalUrl" in m and _host(m["originalUrl"]) != _host(m["webUrl"])]
    copies = [m for m in differ if webs[m["webUrl"]] == 2]  # a copy under the article's webUrl
    foreign = [m for m in differ if webs[m["webUrl"]] == 1]
    assert (len(differ), len(copies), len(foreign)) == (43, 15, 28)
    for m in differ:
        assert _host(m["originalUrl"]) == m["provider"]["domain"] != _host(m["webUrl"])
    titles = {m["title"] for m in news}
    for m in foreign:  # the page webUrl names is not an article of the corpus
        assert _canonical(m["webUrl"]) not in {_canonical(o["webUrl"]) for o in news if o is not m}
        assert m["title"] in titles


def test_url_shapes(corpus) -> None:
    """Each tracking parameter and each spelling of a URL the generator writes, counted over the
    news files' webUrls, originalUrls and related webUrls."""
    _, _, docs = corpus
    urls = []  # (url, the provider's domain)
    for m, _ in _news(docs).values():
        domain = m["provider"]["domain"]
        urls += [(m["webUrl"], domain)] + ([(m["originalUrl"], domain)] if "originalUrl" in m else [])
        urls += [(r["webUrl"], r["provider"]["domain"]) for r in m.get("related", [])]
    usual = {}  # each outlet's own host, www. or not: the one most of its URLs use
    for domain, hosts in _group((d, urlsplit(u).netloc.lower()) for u, d in urls).items():
        usual[domain] = Counter(hosts).most_common(1)[0][0]
    params: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    for url, domain in urls:
        parts = urlsplit(url)
        for key, _ in parse_qsl(parts.query, keep_blank_values=True):
            if key != "id":  # the article id of outlets with story.php?id= URLs
                params["sf12345678" if SF.fullmatch(key) else "utm_*" if key.startswith("utm_") else key] += 1
        host = parts.netloc.lower()
        shapes["http"] += parts.scheme == "http"
        shapes["www_toggled"] += host != usual[domain] and host.removeprefix("www.") == usual[domain].removeprefix("www.")
        shapes["amp_path"] += bool(re.search(r"/amp/?$", parts.path))
        shapes["amp_host"] += host.startswith("amp.")
        shapes["hash_bang"] += parts.fragment == "!/x"
        shapes["comments"] += parts.fragment == "comments"
        shapes["upper_host"] += parts.netloc != host
    assert dict(params) == {
        "utm_*": 183, "hss_channel": 26, "fbclid": 43,  # the older kinds, twice as likely each
        "_mc": 11, "cid": 22, "elq_cid": 19, "mod": 16, "mid": 18, "ocid": 18, "sf12345678": 15,
        "amp": 24, "outputType": 14,  # ?amp (or &amp=1) and ?outputType=amp: AMP spellings
    }
    assert dict(shapes) == {
        "http": 31, "www_toggled": 28, "amp_path": 18, "amp_host": 13, "hash_bang": 48,  # variants
        "comments": 296, "upper_host": 275,  # the older noise
    }
    amp = [r["ampWebUrl"] for m, _ in _news(docs).values() for r in m.get("related", []) if "ampWebUrl" in r]
    assert len(amp) == 309  # ~10% of 3520 related items


def _group(pairs: Any) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups


def test_links(corpus) -> None:
    _, _, docs = corpus
    metas = [meta for meta, _ in _news(docs).values()]
    webs = Counter(m["webUrl"] for m in metas)
    canon = {_canonical(w) for w in webs}
    assert len(canon) == len(webs) - 15  # distinct articles stay distinct; variant duplicates do not
    related = [(m, r) for m in metas for r in m.get("related", [])]
    raw = [r for m, r in related if r["webUrl"] in webs and r["webUrl"] != m["webUrl"]]
    resolved = [(m, r) for m, r in related if _canonical(r["webUrl"]) in canon]
    assert len(related) == 3520
    assert len(raw) == 362  # verbatim another file's webUrl
    assert len(resolved) == 1056  # ~30%: another file's article once canonicalised
    assert not [r for m, r in resolved if _canonical(r["webUrl"]) == _canonical(m["webUrl"])]
    assert sum(r["provider"]["domain"] != m["provider"]["domain"] for m, r in resolved) == 1055
    hours = sorted(abs(_when(r["publishedDateTime"]) - _when(m["publishedDateTime"])) / HOUR
                   for m, r in resolved)
    assert hours[len(hours) // 2] < 48 and hours[-1] < 15 * 24  # same story: hours or days apart
    noisy = [w for w in webs if "#" in w or urlsplit(w).netloc != urlsplit(w).netloc.lower()
             or parse_qsl(urlsplit(w).query) != parse_qsl(urlsplit(_canonical(w)).query)]
    assert len(noisy) == 203  # of 2825 distinct webUrls (~7%; slash-only noise not counted)


def test_a_small_generated_corpus_publishes(tmp_path, warm_ge):
    """A corpus of 20 items where two topics are carried only by items that are not news must
    still publish: the marts count news only, and so must the checks that compare them with the
    core tables."""
    from tests.conftest import built_warehouse, query

    seeds = tmp_path / "seeds"
    generate(20, seeds, seed=0)
    warehouse = built_warehouse(seeds, tmp_path, warm_ge)
    news_topics = "select count(distinct topic) from core.article_topics join core.articles using (article_id) where content_kind = 'news'"
    all_topics = "select count(distinct topic) from core.article_topics"
    assert (query(warehouse, "select count(*) from analytics.topic_stats"), query(warehouse, news_topics),
            query(warehouse, all_topics)) == ([(13,)], [(13,)], [(15,)])
