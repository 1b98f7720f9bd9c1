"""A fast front-matter loader: rapidyaml, giving exactly what PyYAML's base loader gives.

Why rapidyaml: of the compiled YAML parsers on PyPI it is the one whose tree keeps every scalar as
the text written (quotes removed, escapes applied) instead of typing it, so its result can equal
`yaml.load(text, Loader=yaml.CBaseLoader)` -- dicts, lists and strings -- with nothing guessed.
Typed parsers cannot: `1.50`, `010` and `~` come back as 1.5, 10 and None, and the text is lost.

How: rapidyaml parses into its C++ tree; every scalar node is marked double-quoted, so that
rapidyaml's own JSON emitter (C++) writes it as a JSON string, never as a number, boolean or
null; orjson then builds the dicts, lists and strings (twice as fast as the standard library's
decoder). Walking the tree node by node from Python instead costs about three times as much. A key
written twice keeps its last value, as in PyYAML.

Anything this path does not reproduce exactly goes to PyYAML instead (`load` falls back): tabs
and Unicode line separators (YAML 1.1 and 1.2 differ there), characters PyYAML's reader refuses,
tags, `@` and backticks (rapidyaml accepts some that PyYAML rejects), document markers, anchors
and aliases, empty keys, block-scalar headers with trailing text, flow nesting deeper than
`MAX_FLOW_BRACKETS`, escapes that produce control characters, and anything rapidyaml rejects. A
test holds `load` equal to PyYAML on every corpus file, on generated seeds and on random
documents.

The loop below calls rapidyaml's SWIG functions on the raw tree pointer (`tree.this`): the Python
proxy methods cost about six times more a call. That is why rapidyaml is pinned to 0.15.*.
rapidyaml prints its parse errors to stderr from C++; the parse workers send their stderr to
/dev/null (see pipeline/parse/batches.py), and a small in-process parse does not use this loader
at all.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import yaml
from ryml import ryml as _ryml

_C = _ryml._ryml
_parse_into, _emit_json_into = _C.parse_csubstr, _C.emit_json_to_substr
_size, _type, _set_val_style = _C.Tree_size, _C.Tree_type, _C.Tree_set_val_style
_clear, _clear_arena = _C.Tree_clear, _C.Tree_clear_arena

VAL, MAP, VAL_DQUO = _ryml.VAL, _ryml.MAP, _ryml.VAL_DQUO
# node flags this path does not reproduce: anchors, aliases, tags, empty keys, unfiltered scalars,
# document markers
_REFUSE = (
    _ryml.KEYREF | _ryml.VALREF | _ryml.KEYANCH | _ryml.VALANCH | _ryml.KEYTAG | _ryml.VALTAG
    | _ryml.KEYNIL | _ryml.KEY_UNFILT | _ryml.VAL_UNFILT | _ryml.DOC
)
# rapidyaml's emitter recurses once per nesting level: deep flow nesting goes to PyYAML (block
# nesting is bounded by the front matter's length, which `Limits.max_value_chars` caps)
MAX_FLOW_BRACKETS = 200

# The checks run on the UTF-8 bytes. Bytes that can never make a difference are deleted in one C
# pass (`bytes.translate`); what is left -- indicators, brackets, backslashes, control characters
# and non-ASCII bytes -- is usually a few bytes, and only those get a closer look.
_NEVER_DIFFERENT = bytes(range(0x20, 0x7F)).translate(None, b"!@`%]}|>[{\\") + b"\n"
# PyYAML's reader refuses control characters but tab, LF and CR (tabs go to PyYAML anyway: YAML
# 1.1 and 1.2 read them apart), and DEL
_ASCII_DIFFERENT = bytes(range(0x00, 0x0A)) + bytes(range(0x0B, 0x20)) + b"\x7f"
# ... and the C1 controls, of which NEL is a line break to PyYAML only, as are the Unicode line
# and paragraph separators; U+FFFE and U+FFFF are refused. (The non-ASCII bytes left after the
# translate are the same characters as in the text: ASCII never occurs inside one.)
_UNICODE_DIFFERENT = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbf[\xbe\xbf]")
# escapes rapidyaml 0.15 mishandles
_ESCAPES_DIFFERENT = (b"\\L", b"\\P")
# Indicator characters at the start of a token (tags, reserved `@` and backtick, directives,
# stray closing brackets), where rapidyaml is more lenient than PyYAML.
_INDICATORS = b"!@`%]}"
_TOKEN_START = b" \n,[{"
# A block scalar's header (`|`, `>-`, `|2+`, then an optional comment) is all PyYAML allows on
# its line; rapidyaml also takes `|1.50`. A `|` or `>` at a token start followed by anything else
# (also `a | b` in a plain title, which PyYAML reads fine) goes to PyYAML.
_BLOCK_INDICATORS = b"|>"
_BLOCK_HEADER = re.compile(rb"[|>](?:[1-9][+-]?|[+-][1-9]?)?(?:[ ]+#[^\n]*)?[ ]*(?:\r?\n|$)")
# rapidyaml writes control characters from escapes (`"\x01"`) into JSON strings unescaped
_JSON_CONTROL = bytes(range(0x00, 0x0A)) + bytes(range(0x0B, 0x20))
_ALL_BUT = {chars: bytes(set(range(256)) - set(chars)) for chars in (_ASCII_DIFFERENT, _JSON_CONTROL)}


def _contains_any(data: bytes, chars: bytes) -> bool:
    """Whether `data` holds any of the bytes `chars`: one C pass, no regular expression."""
    return bool(data.translate(None, _ALL_BUT[chars]))


def _needs_pyyaml(data: bytes) -> bool:
    """True when only PyYAML can say exactly what the front matter `data` (UTF-8) holds."""
    odd = data.translate(None, _NEVER_DIFFERENT)
    if not odd:
        return False
    if _contains_any(odd, _ASCII_DIFFERENT) or (max(odd) >= 0x80 and _UNICODE_DIFFERENT.search(odd)):
        return True
    if b"\\" in odd and (_ESCAPES_DIFFERENT[0] in data or _ESCAPES_DIFFERENT[1] in data):
        return True
    if odd.count(b"[") + odd.count(b"{") > MAX_FLOW_BRACKETS:
        return True
    for indicator in _INDICATORS + _BLOCK_INDICATORS:
        if indicator not in odd:
            continue
        at = data.find(indicator)
        while at != -1:
            if (at == 0 or data[at - 1] in _TOKEN_START) and (
                indicator not in _BLOCK_INDICATORS or not _BLOCK_HEADER.match(data, at)
            ):
                return True
            at = data.find(indicator, at + 1)
    return False


_BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class Unsupported(Exception):
    """The fast path does not reproduce this document exactly."""


class _Converter:
    """One reusable rapidyaml tree and JSON buffer: a parse worker converts thousands of files."""

    def __init__(self) -> None:
        self.tree = _ryml.Tree()
        self.buffer = bytearray(1 << 16)

    def to_json(self, data: bytes) -> bytes:
        """The YAML mapping `data` as JSON text, every scalar a string; raises on anything else."""
        tree = self.tree
        t = tree.this
        _clear(t)
        _clear_arena(t)
        _parse_into(data, tree)
        if not _type(t, 0) & MAP:
            raise Unsupported("not a mapping")
        for node in range(_size(t)):
            node_type = _type(t, node)
            if node_type & _REFUSE:
                raise Unsupported("anchors, aliases, tags, empty keys or document markers")
            if node_type & VAL:
                _set_val_style(t, node, VAL_DQUO)
        failed, size = _emit_json_into(tree, 0, self.buffer)
        if failed:
            self.buffer = bytearray(2 * size)
            failed, size = _emit_json_into(tree, 0, self.buffer)
        return bytes(memoryview(self.buffer)[:size])


_CONVERTER: _Converter | None = None


def load_ryml(text: str) -> dict[str, Any]:
    """rapidyaml's reading of the YAML mapping `text`, as dicts, lists and strings; raises on
    anything it cannot do exactly (see the module docstring)."""
    global _CONVERTER
    data = text.encode("utf-8")
    if _needs_pyyaml(data):
        raise Unsupported("only PyYAML reads this exactly")
    if _CONVERTER is None:
        _CONVERTER = _Converter()
    out = _CONVERTER.to_json(data)
    if b"\\" in data and _contains_any(out, _JSON_CONTROL):
        raise Unsupported("an escape gives a control character")
    return orjson.loads(out)


def load(text: str) -> Any:
    """The same value as `yaml.load(text, Loader=yaml.CBaseLoader)`, faster when it can be."""
    try:
        return load_ryml(text)
    except Exception:  # rapidyaml's parse errors, or Unsupported: PyYAML decides
        return yaml.load(text, Loader=_BASE_LOADER)  # noqa: S506 - a base loader constructs no objects


def load_pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=_BASE_LOADER)  # noqa: S506
