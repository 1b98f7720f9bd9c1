"""The known front-matter keys, flattened into the raw columns of `PARSED_SEEDS`.

Values stay as written: typing happens later, in SQL. A known field of the wrong shape (a list
for `title`) is an `invalid_field` error rather than a silent str(); lists are measured against
their limits as they are flattened; keys that are not known go to `extra`, as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.parse.errors import SeedError
from pipeline.parse.limits import Limits
from pipeline.parse.texts import text_columns

KNOWN_KEYS = frozenset(
    {
        "title",
        "excerpt",
        "publishedDateTime",
        "webUrl",
        "originalUrl",
        "type",
        "category",
        "quality",
        "heat",
        "published",
        "provider",
        "topics",
        "images",
        "related",
        "secured",
        "removed",
        "ampWebUrl",
        "authors",
    }
)


def _text(value: Any, field: str) -> str | None:
    """A scalar field as text; lists and mappings are an error, not a silent str()."""
    if value is None or isinstance(value, str):
        return value
    raise SeedError("invalid_field", f"'{field}' should be a single value, got a {_shape(value)}")


def _shape(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else "value"


def _as_list(value: Any, field: str, limits: Limits, most: tuple[int, str] | None = None) -> list[Any]:
    """A scalar (or a lone mapping) where a list is expected is a one-item list. A list over
    `max_list_items`, or over `most` (a limit of this field's own and its name), is an error."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        return [value]
    for limit, name in [(limits.max_list_items, "max_list_items")] + ([most] if most else []):
        if len(value) > limit:
            raise SeedError("limit_exceeded", f"'{field}' has {len(value)} items, over {limit} ({name})")
    return value


def _provider(value: Any, field: str) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, str):  # `provider: Nature`
        return value, None
    if isinstance(value, dict):
        return _text(value.get("name"), f"{field}.name"), _text(value.get("domain"), f"{field}.domain")
    raise SeedError("invalid_field", f"'{field}' should be a mapping with name and domain, got a list")


def _topics(value: Any, limits: Limits) -> list[str]:
    topics = []
    for item in _as_list(value, "topics", limits, (limits.max_topics, "max_topics")):
        if not isinstance(item, str):
            raise SeedError("invalid_field", f"'topics' items should be text, got a {_shape(item)}")
        topics.append(item)
    return topics


def _images(value: Any, limits: Limits, field: str = "images") -> list[dict[str, str | None]]:
    images = []
    for item in _as_list(value, field, limits):
        if isinstance(item, str):  # a bare URL
            item = {"url": item}
        if not isinstance(item, dict):
            raise SeedError("invalid_field", f"'{field}' items should be mappings, got a {_shape(item)}")
        images.append(
            {
                "url": _text(item.get("url"), f"{field}.url"),
                "width": _text(item.get("width"), f"{field}.width"),
                "height": _text(item.get("height"), f"{field}.height"),
                "title": _text(item.get("title"), f"{field}.title"),
            }
        )
    return images


def _related(value: Any, limits: Limits) -> list[dict[str, str | None]]:
    related = []
    for item in _as_list(value, "related", limits, (limits.max_related, "max_related")):
        if not isinstance(item, dict):
            raise SeedError("invalid_field", f"'related' items should be mappings, got a {_shape(item)}")
        name, domain = _provider(item.get("provider"), "related.provider")
        related.append(
            {
                "title": _text(item.get("title"), "related.title"),
                "excerpt": _text(item.get("excerpt"), "related.excerpt"),
                "published": _text(item.get("publishedDateTime"), "related.publishedDateTime"),
                "web_url": _text(item.get("webUrl") or item.get("originalUrl"), "related.webUrl"),
                "type": _text(item.get("type"), "related.type"),
                "provider_name": name,
                "provider_domain": domain,
                "quality": _text(item.get("quality"), "related.quality"),
                "amp_url": _text(item.get("ampWebUrl"), "related.ampWebUrl"),
                "images": _images(item.get("images"), limits, "related.images"),
            }
        )
    return related


def _authors(provider: Any, top: Any, limits: Limits) -> list[str]:
    """Bylines: the aggregator writes them under `provider.authors` (a list of `name:` mappings);
    a top-level `authors` list is read too. Names as written, in order; mappings without a name
    and empty names are skipped (there is nobody to credit)."""
    found = []
    sources = [(provider.get("authors"), "provider.authors")] if isinstance(provider, dict) else []
    for value, field in sources + [(top, "authors")]:
        for item in _as_list(value, field, limits):
            name = item.get("name") if isinstance(item, dict) else item
            if name is None or name == "":
                continue
            found.append(_text(name, f"{field}.name"))
    return found


def front_matter_fields(meta: dict[str, Any], limits: Limits = Limits()) -> dict[str, Any]:
    """The raw columns of one parsed front matter (see `PARSED_SEEDS`), and its texts reduced for
    story evidence (pipeline/parse/texts.py)."""
    provider_name, provider_domain = _provider(meta.get("provider"), "provider")
    extra = {str(k): v for k, v in meta.items() if k not in KNOWN_KEYS}
    fields = {
        "title": _text(meta.get("title"), "title"),
        "excerpt": _text(meta.get("excerpt"), "excerpt"),
        "published": _text(meta.get("publishedDateTime"), "publishedDateTime"),
        "web_url": _text(meta.get("webUrl"), "webUrl"),
        "original_url": _text(meta.get("originalUrl"), "originalUrl"),
        "type": _text(meta.get("type"), "type"),
        "category": _text(meta.get("category"), "category"),
        "quality": _text(meta.get("quality"), "quality"),
        "heat": _text(meta.get("heat"), "heat"),
        "is_published": _text(meta.get("published"), "published"),
        "provider_name": provider_name,
        "provider_domain": provider_domain,
        "secured": _text(meta.get("secured"), "secured"),
        "removed": _text(meta.get("removed"), "removed"),
        "amp_url": _text(meta.get("ampWebUrl"), "ampWebUrl"),
        "authors": _authors(meta.get("provider"), meta.get("authors"), limits),
        "topics": _topics(meta.get("topics"), limits),
        "images": _images(meta.get("images"), limits),
        "related": _related(meta.get("related"), limits),
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
    }
    return fields | text_columns(fields)
