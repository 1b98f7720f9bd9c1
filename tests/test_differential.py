"""The fast paths give exactly what the reference libraries give.

- pipeline.parse.yaml_fast.load (rapidyaml) == PyYAML's base loader, on every real front matter,
  generated seeds and random documents;
- the SQL canonicalisation of simple URLs (warehouse/macros.sql) == pipeline.urls.canonical_url
  (url-normalize), on every URL of the real corpora, generated seeds and random URLs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.generate import generate
from pipeline.parse import SeedError, SeedFrontMatter, discover, parse_file, parse_text, yaml_fast
from pipeline.urls import canonical_url, host_of
from pipeline.warehouse import connect
from tests.conftest import SHARED


def corpus_files() -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted(p for p in (SHARED / "corpora").rglob("*") if p.is_file()) + sorted((SHARED / "seeds").iterdir())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    generate(400, root, seed=11)
    return root


def rows_both_ways(root: Path, rel: str) -> tuple[dict, dict]:
    return parse_file(root, rel, loader="pyyaml"), parse_file(root, rel, loader="fast")


@pytest.mark.corpus
def test_fast_loader_equals_pyyaml_on_every_real_file():
    files = corpus_files()
    if not files:
        pytest.skip(f"the real corpora are not beside the project ({SHARED} is absent)")
    for path in files:
        reference, fast = rows_both_ways(path.parent, path.name)
        assert fast == reference, path


def test_fast_loader_equals_pyyaml_on_generated_seeds(generated):
    paths = discover(generated).column("source_path").to_pylist()
    assert len(paths) == 400
    for rel in paths:
        reference, fast = rows_both_ways(generated, rel)
        assert fast == reference, rel


# scalars whose YAML 1.1 / 1.2 / typed readings differ: every loader must keep the text
TRICKY = """title: No
topics: [on, 'off', 10:00, 010, 1.50, 0x1F, .inf, ~, null, Null, '', 2021-03-09, 2020-04-02T18:05:00Z]
quality: "42"
heat: -1
published: yes
a: [1, 2]
"key twice": first
"key twice": last
empty:
quoted: "tab\\there"
folded: >
  two
  lines
"""


def test_tricky_scalars_stay_as_written_in_both_loaders():
    expected = {
        "title": "No",
        "topics": ["on", "off", "10:00", "010", "1.50", "0x1F", ".inf", "~", "null", "Null", "", "2021-03-09", "2020-04-02T18:05:00Z"],
        "quality": "42",
        "heat": "-1",
        "published": "yes",
        "a": ["1", "2"],
        "key twice": "last",  # as PyYAML reads a repeated key
        "empty": "",
        "quoted": "tab\there",
        "folded": "two lines\n",
    }
    assert yaml.load(TRICKY, Loader=yaml.CBaseLoader) == expected
    assert yaml_fast.load(TRICKY) == expected
    assert yaml_fast.load_ryml(TRICKY) == expected  # taken by the fast path itself, not the fallback


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",  # anchors and aliases
        "title: !!str x\n",  # a tag
        "title: \"\\x01\"\n",  # an escape that gives a control character
        "title: x\x7f\n",  # DEL, which PyYAML's reader refuses
        "title: a\u2028b\n",  # a line separator to YAML 1.1 only
        "x: " + "[" * 201 + "]" * 201 + "\n",  # flow nesting deeper than MAX_FLOW_BRACKETS
        "--- \ntitle: x\n",  # a document marker
    ],
)
def test_what_the_fast_path_does_not_reproduce_goes_to_pyyaml(text):
    # rapidyaml's own parse errors as well as Unsupported: any refusal sends the text to PyYAML
    with pytest.raises(Exception):  # noqa: B017
        yaml_fast.load_ryml(text)
    assert _reference(text) == _fast(text)


def _reference(text: str):
    try:
        return ("ok", yaml.load(text, Loader=yaml.CBaseLoader))
    except yaml.YAMLError:
        return ("error", None)
    except RecursionError:
        return ("error", None)


def _fast(text: str):
    try:
        return ("ok", yaml_fast.load(text))
    except yaml.YAMLError:
        return ("error", None)
    except RecursionError:
        return ("error", None)


YAML_PIECES = st.sampled_from(
    ["a", "b", "key", ":", ": ", "- ", "\n", "  ", "'", '"', "[", "]", "{", "}", ",", "#", "&x ", "*x", "!", "|",
     ">", "No", "yes", "10:00", "~", "null", "1.50", "é", "\\n", "---", "?", "%", "@", "`", "\t"]
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_fast_loader_equals_pyyaml_on_random_documents(text):
    reference = _reference(text)
    fast = _fast(text)
    if reference[0] == "ok" and isinstance(reference[1], dict):
        assert fast == reference
    else:
        # non-mappings and errors are PyYAML's own answer: the fast path only returns mappings
        assert fast == reference


SPLIT_PIECES = st.sampled_from(["---", "----", "-", "--", "\n", " ", "\t", "a", "x: y", "\x0b", "\x1c", "\u2028", "\u00a0", "#"])


@settings(max_examples=500, deadline=None)
@given(st.lists(SPLIT_PIECES, max_size=30).map(lambda pieces: "---" + "".join(pieces)))
def test_front_matter_split_equals_python_frontmatter(text):
    handler = SeedFrontMatter()
    parts = handler.FM_BOUNDARY.split(text, 2)  # what python-frontmatter's own handler does
    if len(parts) < 3:
        with pytest.raises(SeedError):
            handler.split(text)
    else:
        assert handler.split(text) == (parts[1], parts[2])


def all_urls(root: Path) -> list[str]:
    urls = set()
    for rel in discover(root).column("source_path").to_pylist():
        row = parse_file(root, rel)
        urls.update(u for u in (row["web_url"], row["original_url"]) if u)
        urls.update(item["web_url"] for item in row["related"] or [] if item["web_url"])
    return sorted(urls)


_SQL = connect(Path(":memory:"))  # one connection with the macros, shared by the URL tests


def assert_sql_matches_python(urls: list[str]) -> int:
    """Every URL the SQL path takes canonicalises as url-normalize does; returns how many it took.

    The URLs go to DuckDB in one query, a row each in their own order: binding the macros costs
    far more than evaluating them, so one statement per URL would spend nearly all its time there."""
    rows = _SQL.execute(
        "select u, is_simple_url(u), simple_canonical_url(u), canonical_host(simple_canonical_url(u)) "
        "from unnest(?::varchar[]) with ordinality as given(u, i) order by i",
        [urls],
    ).fetchall()
    assert [row[0] for row in rows] == urls
    simple = 0
    for url, is_simple, sql, host in rows:
        if is_simple:
            simple += 1
            assert sql == canonical_url(url), url
            assert host == host_of(sql), url
    return simple


def test_sql_url_canonicalisation_equals_url_normalize_on_generated_urls(generated):
    urls = all_urls(generated)
    assert assert_sql_matches_python(urls) == len(urls)  # every generated URL takes the SQL path


@pytest.mark.corpus
def test_sql_url_canonicalisation_equals_url_normalize_on_real_urls():
    if not SHARED.is_dir():
        pytest.skip(f"the real corpora are not beside the project ({SHARED} is absent)")
    urls = all_urls(SHARED / "corpora" / "everyday-ai")
    assert len(urls) > 100
    assert assert_sql_matches_python(urls) > 100


URL_CHARS = st.sampled_from(list("aZ09-._~:/?#[]@!$&'()*+,;=") + ["utm_source=x", "fbclid=1", "&", "=", "/", "?"])



@st.composite
def random_urls(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(st.sampled_from(["example.com", "WWW.Example.COM", "a-b.example.org", "x.io", "localhost"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":0443"]))
    rest = draw(st.lists(URL_CHARS, max_size=25).map("".join))
    return f"{scheme}://{host}{port}" + (("/" + rest) if rest and rest[0] not in "/?#" else rest)


# several URLs an example, checked in one query (see assert_sql_matches_python): about as many
# URLs as one an example for 500 examples, for a fifth of the queries; a failure shrinks to one URL
@settings(max_examples=100, deadline=None)
@given(st.lists(random_urls(), min_size=1, max_size=10))
def test_sql_url_canonicalisation_equals_url_normalize_on_random_urls(urls):
    assert_sql_matches_python(urls)


def test_parse_errors_are_the_same_with_either_loader():
    for data in (b"---\ntitle: [\n---\n", b"---\n- a\n---\n", b"---\ntitle: fine\nexcerpt: a: b\n---\n"):
        errors = []
        for loader in ("pyyaml", "fast"):
            try:
                parse_text(data, loader=loader)
                errors.append(None)
            except SeedError as exc:
                errors.append((exc.kind, exc.message, exc.line))
        assert errors[0] == errors[1] and errors[0] is not None
