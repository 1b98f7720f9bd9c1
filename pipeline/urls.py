"""Canonical URLs and registered domains.

The rules, applied in this order (the library does the RFC 3986 work, we add the news-specific part):

1. `url_normalize` (RFC 3986 normalisation): scheme and host lower-cased, IDN hosts to punycode,
   default ports (`:80`, `:443`) dropped, percent-encoding and dot-segments normalised.
2. Tracking parameters removed: every `utm_*` parameter and the click/campaign ids in
   `TRACKING_PARAMS`. Other parameters keep their order (`?id=7` can name a different article).
3. The fragment is dropped (`#comments` is the same article).
4. A trailing slash is removed from any path but the root (`/a/` and `/a` are one article,
   `https://x.com` and `https://x.com/` are one site).

Only `http` and `https` URLs are canonicalised; anything else (`javascript:`, `mailto:`, a bare
word) has no canonical form and yields None. White space around a URL (a tab or newline a scraper
or a YAML escape left, Unicode spaces) is not part of it and is stripped before any rule.

These functions run once per *distinct* value (see `canonicalise_many`), never once per row.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import tldextract
from url_normalize import url_normalize

# The one list of tracking parameters: the SQL canonicalisation (warehouse/macros.sql) is given it
# on every connection.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "hss_channel",
        "ocid",
        "cmpid",
        "_ga",
        "igshid",
        "ref_src",
        "guccounter",
    }
)

# tldextract would fetch the Public Suffix List over the network; the copy bundled with the
# package is used instead (no network here, and builds must be reproducible).
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


@lru_cache(maxsize=1 << 16)
def canonical_url(url: str | None) -> str | None:
    """The canonical form of an http(s) URL, or None when it has none."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        normalised = url_normalize(url)
        if normalised is None:
            return None
        parts = urlsplit(normalised)
    except (ValueError, UnicodeError):
        return None
    if not parts.hostname:
        return None
    # Filter the raw `name=value` pairs so kept parameters stay byte-for-byte as normalised.
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _is_tracking(pair.split("=", 1)[0])
    )
    path = parts.path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    if not path:
        path = "/"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def host_of(url: str | None) -> str | None:
    """The lower-case host of a canonical URL, without a leading `www.`."""
    if not url:
        return None
    host = urlsplit(url).hostname
    return strip_www(host) if host else None


def strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1 << 16)
def registered_domain(host: str | None) -> str | None:
    """The registrable domain under the public suffix (`blogs.nvidia.com` -> `nvidia.com`)."""
    if not host:
        return None
    found = _EXTRACT(host).top_domain_under_public_suffix
    return found or host


def canonicalise_many(urls: list[str]) -> tuple[list[str | None], list[str | None]]:
    """(canonical_url, host) for each distinct URL given, white space around it stripped first
    (`str.strip()`: tabs, CR, LF and the Unicode spaces, the very characters the `trimmed` macro
    of warehouse/macros.sql strips on the SQL path, so either path canonicalises the same URL)."""
    canon = [canonical_url(u.strip() if u else u) for u in urls]
    return canon, [host_of(c) for c in canon]
