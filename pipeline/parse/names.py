"""Entry names that are not valid UTF-8 (Python hands them over with their bad bytes as
surrogates): shown escaped by `discover`, known again by `parse_file` (pipeline/parse/files.py),
which quarantines the entry without opening it.
"""

from __future__ import annotations

import os
import re

# A name that is not valid UTF-8 fits no Arrow or DuckDB string: `discover` shows it with the bad
# bytes as `\xe9` escapes, and `parse_file` knows it again by an escape in a name that is not there.
_ESCAPE = re.compile(r"\\x[89a-f][0-9a-f]")
_ESCAPED_BYTE = re.compile(rb"\\x([89a-f][0-9a-f])")


def _is_utf8(name: str) -> bool:
    """False for a name from the OS that is not valid UTF-8 (its bad bytes are surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    """`text` from the OS (a name, a link's target) as valid UTF-8: bad bytes as `\\xe9` escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _unescaped(full: str) -> bytes:
    """The real path of `full`, whose last name `discover` showed escaped."""
    parent, _, name = full.rpartition("/")
    return os.fsencode(parent) + b"/" + _ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), name.encode())


def _shown_names(
    directory: str, escaped: list[tuple[bytes, os.DirEntry[str], bool]]
) -> list[tuple[str, os.DirEntry[str], bool]]:
    """The shown names of a folder's entries whose names are not valid UTF-8, each told apart
    from every other name there, the same whatever order the folder lists them in."""
    shown: list[tuple[str, os.DirEntry[str], bool]] = []
    taken: set[str] = set()
    for _, entry, is_dir in sorted(escaped, key=lambda item: item[0]):
        base = name = _shown(entry.name)
        copy = 1
        # parse_file tells an escaped name by its not being there
        while name in taken or os.path.lexists(os.path.join(directory, name)):
            copy += 1
            name = f"{base} ({copy})"
        taken.add(name)
        shown.append((name, entry, is_dir))
    return shown
