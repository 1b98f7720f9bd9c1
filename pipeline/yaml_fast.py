"""A fast front-matter loader: rapidyaml, giving exactly what PyYAML's base loader gives.

Why rapidyaml: of the compiled YAML parsers on PyPI it is the one whose tree keeps every scalar as
the text written (quotes removed, escapes applied) instead of typing it, so its result can equal
`yaml.load(text, Loader=yaml.CBaseLoader)` -- dicts, lists and strings -- with nothing guessed.
Typed parsers cannot: `1.50`, `010` and `~` come back as 1.5, 10 and None, and the text is lost.
Measured on the real corpus: 116 of 116 front matters identical to CBaseLoader, about 4.5 times
faster (46 vs 204 microseconds a document).

Anything this walker does not reproduce exactly goes to PyYAML instead (`load` falls back):
documents with tabs or Unicode line separators (YAML 1.1/1.2 differ there), tags, `@` and backticks
(rapidyaml accepts some that PyYAML rejects), document markers, anchors or aliases on keys,
undefined aliases, nesting deeper than 200, and anything rapidyaml rejects. A test holds `load`
equal to PyYAML on every corpus file, on generated seeds and on random documents.

The walker calls rapidyaml's SWIG functions on the raw tree pointer (`tree.this`): the Python
proxy methods cost about six times more a call. That is why rapidyaml is pinned to 0.15.*.
rapidyaml prints its parse errors to stderr from C++; the parse workers send their stderr to
/dev/null (see pipeline.parse), and a small in-process parse does not use this loader at all.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from ryml import ryml as _ryml

_C = _ryml._ryml
_parse = _ryml.parse_in_arena
_type, _first, _next = _C.Tree_type, _C.Tree_first_child, _C.Tree_next_sibling
_key, _val, _val_ref, _val_anchor, _root = (
    _C.Tree_key,
    _C.Tree_val,
    _C.Tree_val_ref,
    _C.Tree_val_anchor,
    _C.Tree_root_id,
)

NONE = _ryml.NONE
MAP, SEQ, VAL, DOC, STREAM = _ryml.MAP, _ryml.SEQ, _ryml.VAL, _ryml.DOC, _ryml.STREAM
VALREF, VALANCH = _ryml.VALREF, _ryml.VALANCH
_REFUSE = _ryml.KEYREF | _ryml.KEYANCH | _ryml.KEY_UNFILT | _ryml.VAL_UNFILT
_COMPLEX = MAP | SEQ | VALREF | VALANCH | _REFUSE
MAX_DEPTH = 200

# Texts PyYAML must decide: tabs and Unicode line breaks (YAML 1.1 and 1.2 treat them apart),
# the escapes rapidyaml 0.15 mishandles, and indicator characters at the start of a token (tags,
# reserved `@` and backtick, directives, stray closing brackets), where rapidyaml is more lenient
# than PyYAML. Plain substring scans: a regular expression over every document costs more than
# the parse itself.
_PYYAML_ONLY_TEXT = ("\t", "\x85", "\u2028", "\u2029", "\\L", "\\P")
_INDICATORS = "!@`%]}"
_TOKEN_START = " \n,[{"
# A block scalar's header (`|`, `>-`, `|2+`, then an optional comment) is all PyYAML allows on
# its line; rapidyaml also takes `|1.50`. A `|` or `>` at a token start followed by anything else
# (also `a | b` in a plain title, which PyYAML reads fine) goes to PyYAML.
_BLOCK_INDICATORS = "|>"
_BLOCK_HEADER = re.compile(r"[|>](?:[1-9][+-]?|[+-][1-9]?)?(?:[ ]+#[^\n]*)?[ ]*(?:\r?\n|$)")


def _needs_pyyaml(text: str) -> bool:
    if any(marker in text for marker in _PYYAML_ONLY_TEXT):
        return True
    for indicator in _INDICATORS + _BLOCK_INDICATORS:
        at = text.find(indicator)
        while at != -1:
            if (at == 0 or text[at - 1] in _TOKEN_START) and (
                indicator not in _BLOCK_INDICATORS or not _BLOCK_HEADER.match(text, at)
            ):
                return True
            at = text.find(indicator, at + 1)
    return False


_BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class Unsupported(Exception):
    """The fast path does not reproduce this document exactly."""


def _text(view: Any) -> str:
    return "" if view is None else str(view, "utf-8")


def load_ryml(text: str) -> Any:
    """rapidyaml's tree as dicts, lists and strings; raises on anything it cannot do exactly."""
    tree = _parse(text)
    t = tree.this
    root = _root(t)
    root_type = _type(t, root)
    if root_type & STREAM == STREAM or root_type & DOC:
        raise Unsupported("document markers")
    anchors: dict[str, Any] = {}

    def node(n: int, ty: int, depth: int) -> Any:
        if ty & _REFUSE:
            raise Unsupported("anchor or alias on a key")
        if ty & VALREF:
            name = _text(_val_ref(t, n))
            if name not in anchors:
                raise Unsupported(f"undefined alias {name}")
            return anchors[name]  # shared, never copied: an alias "bomb" costs nothing here
        if ty & (MAP | SEQ):
            if depth > MAX_DEPTH:
                raise Unsupported("too deep")
            is_map = bool(ty & MAP)
            out: Any = {} if is_map else []
            if ty & VALANCH:
                anchors[_text(_val_anchor(t, n))] = out
            child = _first(t, n)
            while child != NONE:  # the hot loop: leaf scalars are read inline
                child_type = _type(t, child)
                if child_type & _COMPLEX:
                    value = node(child, child_type, depth + 1)
                else:
                    view = _val(t, child)
                    value = "" if view is None else str(view, "utf-8")
                if is_map:
                    view = _key(t, child)
                    if view is None:  # a missing key (`: x`), which PyYAML rejects
                        raise Unsupported("empty key")
                    out[str(view, "utf-8")] = value
                else:
                    out.append(value)
                child = _next(t, child)
            return out
        if ty & VAL:
            value = _text(_val(t, n))
            if ty & VALANCH:
                anchors[_text(_val_anchor(t, n))] = value
            return value
        if ty == 0:
            return None
        raise Unsupported(f"node type {ty}")

    return node(root, root_type, 0)


def load(text: str) -> Any:
    """The same value as `yaml.load(text, Loader=yaml.CBaseLoader)`, faster when it can be."""
    if not _needs_pyyaml(text):
        try:
            value = load_ryml(text)
        except Exception:  # rapidyaml's parse errors, or Unsupported: PyYAML decides
            value = None
        if type(value) is dict:
            return value
    return yaml.load(text, Loader=_BASE_LOADER)  # noqa: S506 - a base loader constructs no objects


def load_pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=_BASE_LOADER)  # noqa: S506
