"""Canonical URLs and registered domains: the rules in pipeline/urls.py, case by case."""

from __future__ import annotations

import pytest

from pipeline.urls import canonical_url, host_of, registered_domain


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # upper-case scheme and host, default port, tracking parameter, fragment, trailing slash
        ("HTTPS://WWW.Nature.com:443/articles/x/?utm_source=tw#top", "https://www.nature.com/articles/x"),
        # a parameter that names the article stays, in its order
        ("https://a.example.com/story?b=2&utm_medium=social&a=1", "https://a.example.com/story?b=2&a=1"),
        # HubSpot and Facebook click ids are tracking too
        ("https://www.nature.com/articles/d41586?hss_channel=tw-707&fbclid=Ab1", "https://www.nature.com/articles/d41586"),
        # the root keeps its slash
        ("https://example.com", "https://example.com/"),
        ("http://example.com:80/", "http://example.com/"),
        # non-default ports stay
        ("https://example.com:8443/a/", "https://example.com:8443/a"),
        # percent-encoded unreserved characters are decoded
        ("https://a.example.com/a%7eb", "https://a.example.com/a~b"),
        # internationalised host names become punycode
        ("http://例え.jp/", "http://xn--r8jz45g.jp/"),
        # surrounding white space from a sloppy scraper
        ("  https://example.com/a  ", "https://example.com/a"),
        # not http(s): no canonical form
        ("javascript:alert(1)", None),
        ("mailto:news@example.com", None),
        ("www.example.com/no-scheme", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical


def test_host_drops_www_and_registered_domain_uses_the_public_suffix_list():
    assert host_of("https://www.nature.com/articles/x") == "nature.com"
    assert registered_domain("aws.amazon.com") == "amazon.com"
    assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    # private suffixes are off: a blogspot blog belongs to blogspot.com
    assert registered_domain("someone.blogspot.com") == "blogspot.com"
    assert registered_domain("localhost") == "localhost"
