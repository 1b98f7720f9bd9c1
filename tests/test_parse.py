"""Parsing one file: exact raw rows and exact error kinds/messages."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.parse import SeedError, discover, parse_file, parse_text
from tests.conftest import TINY_SEEDS, write_seeds


def test_known_fields_stay_as_written_and_unknown_keys_go_to_extra():
    row = parse_text(TINY_SEEDS["a.md"])
    assert row["title"] == "Robots learn to fold laundry"
    assert row["published"] == "2021-03-09T10:00:00+02:00"
    assert row["web_url"] == "HTTPS://WWW.ExampleTimes.com:443/news/one/?utm_source=tw&id=7#top"
    assert row["quality"] == "42"
    assert row["heat"] == "-1"
    assert row["is_published"] == "false"
    assert (row["provider_name"], row["provider_domain"]) == ("Example Times", "www.ExampleTimes.com")
    # YAML 1.1 would have made `No` the boolean False
    assert row["topics"] == [" AI ", "AI", "No", "Machine Learning"]
    assert row["images"] == [
        {"url": "https://img.exampletimes.com/1.jpg", "width": "1200", "height": "630", "title": None}
    ]
    assert row["related"][1] == {
        "title": "Folding, explained",
        "excerpt": None,
        "published": "2021-03-09T09:00:00Z",
        "web_url": "https://www.nature.com/articles/x1?hss_channel=tw-1",
        "type": None,
        "provider_name": "Nature",
        "provider_domain": "nature.com",
        "quality": "37",
        "amp_url": None,
        "images": [],
    }
    assert row["amp_url"] == "https://www.exampletimes.com/amp/news/one"
    assert row["authors"] == ["Ada Writer"]
    assert (row["extra"], row["removed"]) == (None, None)
    assert row["secured"] == "opaque;token=="
    assert (row["body_chars"], row["body"]) == (len("Body text."), "Body text.")


def test_bom_and_crlf_are_read_like_plain_utf8():
    row = parse_text(TINY_SEEDS["sub/b.txt"])
    assert row["title"] == "Laundry robots arrive"
    assert row["published"] == "2021-03-10"
    assert row["topics"] == ["Robotics"]  # a scalar where a list belongs is a one-item list
    assert row["is_published"] == "yes"


@pytest.mark.parametrize(
    ("data", "kind", "message", "line"),
    [
        # a README or notes file in the seeds folder
        (b"# notes\n", "no_front_matter", "the file does not start with a '---' front matter line", 1),
        # the closing --- was lost (python-frontmatter alone would return empty metadata)
        (
            b"---\ntitle: x\n",
            "unterminated_front_matter",
            "the front matter opened with '---' on line 1 is never closed by a '---' line",
            None,
        ),
        # a list where key: value pairs belong
        (b"---\n- a\n- b\n---\n", "not_a_mapping", "the front matter is a list, expected 'key: value' pairs", None),
        # a lone scalar
        (b"---\njust words\n---\n", "not_a_mapping", "the front matter is a single scalar, expected 'key: value' pairs", None),
        # an empty block
        (b"---\n---\nbody\n", "not_a_mapping", "the front matter is empty, expected 'key: value' pairs", None),
        # an unclosed flow sequence on file line 3
        (
            b"---\ntitle: fine\nexcerpt: [unclosed\n---\n",
            "yaml_error",
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 3)",
            4,
        ),
        # a colon inside an unquoted value
        (
            b"---\ntitle: fine\nexcerpt: a: b\n---\n",
            "yaml_error",
            "invalid YAML: mapping values are not allowed in this context",
            3,
        ),
        # a control character pasted into a title
        (
            b"---\ntitle: x\nexcerpt: \"\x07bell\"\n---\n",
            "yaml_error",
            "invalid YAML: control character '\\x07' is not allowed",
            3,
        ),
        # a title given as a list
        (b"---\ntitle: [a, b]\nwebUrl: https://a.example\n---\n", "invalid_field", "'title' should be a single value, got a list", None),
        # a provider given as a list
        (b"---\ntitle: t\nprovider: [a]\n---\n", "invalid_field", "'provider' should be a mapping with name and domain, got a list", None),
        # a binary file with NUL bytes
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary", "the file contains NUL bytes: it looks binary, not a text seed", None),
        # Latin-1 bytes
        (
            b"---\ntitle: caf\xe9\n---\n",
            "encoding",
            "not valid UTF-8 (byte 0xe9 at offset 14); re-save the file as UTF-8",
            2,
        ),
    ],
)
def test_bad_files_raise_a_documented_error(data, kind, message, line):
    with pytest.raises(SeedError) as raised:
        parse_text(data)
    assert (raised.value.kind, raised.value.message, raised.value.line) == (kind, message, line)


def test_parse_file_turns_errors_into_a_row(tmp_path):
    write_seeds(tmp_path, {"x.md": b"no front matter"})
    row = parse_file(tmp_path, "x.md")
    assert row["source_path"] == "x.md"
    assert row["size_bytes"] == 15
    assert row["content_sha256"] == hashlib.sha256(b"no front matter").hexdigest()
    assert (row["error_kind"], row["error_line"]) == ("no_front_matter", 1)
    assert row["title"] is None


def test_symlink_leaving_the_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_bytes(TINY_SEEDS["a.md"])
    root = tmp_path / "seeds"
    root.mkdir()
    (root / "link.md").symlink_to(outside)
    row = parse_file(root, "link.md")
    assert row["error_kind"] == "outside_root"
    assert row["error_message"] == f"a symbolic link to {outside}, outside the seeds root"
    assert row["title"] is None


def test_discover_walks_every_file_but_hidden_directories(tmp_path):
    write_seeds(
        tmp_path,
        {"a.md": b"1", "z/b.txt": b"22", "z/.hidden-file": b"", ".git/config": b"", "y/no-extension": b"4444"},
    )
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    (tmp_path / "linked-dir").symlink_to(tmp_path / "z")
    manifest = discover(tmp_path)
    assert manifest.column("source_path").to_pylist() == [
        "a.md", "dangling.md", "y/no-extension", "z/.hidden-file", "z/b.txt"
    ]
    assert manifest.column("size_bytes").to_pylist() == [1, None, 4, 0, 2]
    assert manifest.column("modified_at")[0].value == (tmp_path / "a.md").stat().st_mtime_ns // 1000
