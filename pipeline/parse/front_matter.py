"""One file's bytes -> its front matter, strictly: `parse_text` and the YAML handler it uses.

Decode (UTF-8; a byte-order mark and CR line ends are read like plain UTF-8), split the front
matter with python-frontmatter, load the YAML without typing it, and flatten the known keys
(pipeline/parse/fields.py). Whatever is wrong raises `SeedError`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import frontmatter
import yaml

from pipeline.parse.errors import SeedError
from pipeline.parse.fields import front_matter_fields
from pipeline.parse.limits import Limits
from pipeline.parse.yaml_fast import load, load_pyyaml

# Scalars stay strings exactly as written: YAML 1.1 typing would turn a topic `No` into False and
# `10:00` into 600. Known fields are typed explicitly later, in SQL. Both loaders give the same
# result (PyYAML's base loader, or rapidyaml reproducing it; see pipeline/parse/yaml_fast.py).
LOADERS = {"pyyaml": load_pyyaml, "fast": load}

BOM = "\ufeff"


def _unterminated() -> SeedError:
    return SeedError(
        "unterminated_front_matter", "the front matter opened with '---' on line 1 is never closed by a '---' line"
    )


class SeedFrontMatter(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler, made strict.

    The stock handler answers a missing closing `---` or a non-mapping front matter with empty
    metadata and no error, which would lose files silently; this one raises instead.
    """

    def split(self, text: str) -> tuple[str, str]:
        """As the stock `FM_BOUNDARY.split(text, 2)`, without running its multi-line pattern at
        every position of the front matter: only a line that starts with '-' can close it (a test
        holds the two equal)."""
        opening = self.FM_BOUNDARY.match(text)
        if opening is None:  # not at the very start: the stock way
            parts = self.FM_BOUNDARY.split(text, 2)
            if len(parts) < 3:
                raise _unterminated()
            return parts[1], parts[2]
        at = opening.end()
        while (at := text.find("\n-", at)) != -1:
            at += 1
            closing = self.FM_BOUNDARY.match(text, at)
            if closing is not None:
                return text[opening.end() : closing.start()], text[closing.end() :]
        raise _unterminated()

    def __init__(self, limits: Limits | None = None, loader: str = "pyyaml"):
        super().__init__()
        self.limits = limits or Limits()
        self.loader = LOADERS[loader]

    def load(self, fm: str, **kwargs: object) -> Any:
        try:
            data = self.loader(fm)
        except yaml.MarkedYAMLError as exc:
            # the front matter text starts with the rest of the opening '---' line, so a mark's
            # 0-based line is the file's 1-based line minus one
            mark = exc.problem_mark or exc.context_mark
            message = f"invalid YAML: {exc.problem or exc}"
            if exc.context and exc.context_mark:
                message += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
            raise SeedError("yaml_error", message, mark.line + 1 if mark else None) from None
        except yaml.reader.ReaderError as exc:  # a control character: PyYAML gives an offset
            line = fm[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
            raise SeedError(
                "yaml_error", f"invalid YAML: control character {chr(exc.character)!r} is not allowed", line
            ) from None
        except yaml.YAMLError as exc:
            raise SeedError("yaml_error", f"invalid YAML: {exc}") from None
        except RecursionError:
            raise SeedError("limit_exceeded", "the front matter nests too deeply to read (max_depth)") from None
        if not isinstance(data, dict):
            kind = "empty" if data is None else type(data).__name__
            raise SeedError(
                "not_a_mapping",
                f"the front matter is {_describe(kind)}, expected 'key: value' pairs",
            )
        # Without aliases no value is longer than the text itself, so the walk is needed only for
        # aliases or a front matter that large; known lists are measured as they are flattened.
        if "*" in fm or len(fm) > self.limits.max_value_chars:
            self.limits.check(data)
        return data


@lru_cache(maxsize=8)
def _handler(limits: Limits, loader: str) -> SeedFrontMatter:
    return SeedFrontMatter(limits, loader)


def _describe(kind: str) -> str:
    return {"list": "a list", "str": "a single scalar", "empty": "empty"}.get(kind, kind)


def parse_text(data: bytes, limits: Limits = Limits(), loader: str = "pyyaml") -> dict[str, Any]:
    """Decode and parse one file's bytes into raw columns; raises SeedError."""
    if b"\x00" in data:
        raise SeedError("binary", "the file contains NUL bytes: it looks binary, not a text seed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SeedError(
            "encoding",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            line,
        ) from None
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    handler = _handler(limits, loader)
    if not handler.detect(text):
        raise SeedError("no_front_matter", "the file does not start with a '---' front matter line", 1)
    meta, body = frontmatter.parse(text, handler=handler)
    row = front_matter_fields(meta, limits)
    row["body_chars"] = len(body)
    row["body"] = body or None
    return row
