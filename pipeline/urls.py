"""Canonical URLs and registered domains.

The rules, applied in this order (the library does the RFC 3986 work, we add the news-specific part):

1. `url_normalize` (RFC 3986 normalisation): scheme and host lower-cased, IDN hosts to punycode,
   default ports (`:80`, `:443`) dropped, percent-encoding and dot-segments normalised.
2. Tracking parameters removed: those `TRACKING_PARAM_PATTERN` matches (courlan's maintained list
   and the ones real corpora add). Other parameters keep their order (`?id=7` can name a
   different article).
3. The fragment is dropped (`#comments` is the same article), before anything else, so that a
   hash-bang (`#!/story`) is dropped too rather than rewritten into the query.
4. A trailing slash is removed from any path but the root (`/a/` and `/a` are one article,
   `https://x.com` and `https://x.com/` are one site).

Only `http` and `https` URLs are canonicalised; anything else (`javascript:`, `mailto:`, a bare
word) has no canonical form and yields None. White space around a URL (a tab or newline a scraper
or a YAML escape left, Unicode spaces) is not part of it and is stripped before any rule.

Scheme, `www.`/`m.`/`amp.` hosts and AMP paths stay in the canonical URL (the article_id of
every URL these rules already handled stays what it was); they are unified one step later, in
the URL's identity key (`url_key` in warehouse/macros.sql), which finds duplicates and resolves
related items.

These functions run once per *distinct* value (see `canonicalise_many`), never once per row.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import tldextract
from courlan.clean import TRACKERS_RE
from url_normalize import url_normalize

# Tracking parameters, one pattern for both canonicalisations (Python here, SQL through the
# `tracking_param_pattern()` macro that pipeline/warehouse.py defines from this value): the list
# courlan maintains for news crawlers (click ids, `utm_`/`mc_`/`pk_` campaigns, affiliate,
# referrer and session tags), matched as courlan matches it (a search in the lower-cased name),
# and the parameters seen in real aggregator corpora that it does not know: Dow Jones' `mod`,
# the FT's `_mc`/`mid`, Eloqua's `elq*`, Salesforce's `sf<digits>`, Microsoft's `ocid`, HubSpot's
# `hss_channel`, Yahoo's `guccounter`/`guce_*`, and a few share-button tags.
_EXTRA_TRACKERS = (
    r"^(?:_mc|mod|mid|ocid|cmpid|cmp|smid|smtyp|icid|s_cid|wt\.mc_id|hss_channel|guccounter"
    r"|guce_referrer(?:_sig)?|igshid|ref_src|_ga|__twitter_impression|elq[a-z_]*|sf[0-9]+)$"
)
TRACKING_PARAM_PATTERN = f"{TRACKERS_RE.pattern}|{_EXTRA_TRACKERS}"
_TRACKING = re.compile(TRACKING_PARAM_PATTERN)

# tldextract would fetch the Public Suffix List over the network; the copy bundled with the
# package is used instead (no network here, and builds must be reproducible).
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _is_tracking(name: str) -> bool:
    return _TRACKING.search(name.lower()) is not None


@lru_cache(maxsize=1 << 16)
def canonical_url(url: str | None) -> str | None:
    """The canonical form of an http(s) URL, or None when it has none."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    # The fragment goes first: url-normalize would turn a hash-bang (`#!/x`) into a query
    # (`?_escaped_fragment_=/x`), a different URL for the same page.
    url = url.partition("#")[0]
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
