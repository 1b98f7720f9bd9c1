"""`SeedError`: a file that cannot become an article, and the documented kinds of error.

Everything a file can get wrong becomes an `error_kind` on its row, never an exception out of the
parse: the ledger (`core.seed_files`) must account for every file. The parse raises `SeedError`
where it finds a problem, and `parse_file` (pipeline/parse/files.py) turns it into the row's
error columns.

Error kinds (the documented set; see README "What happens to a bad file"):

    unreadable                 the file could not be read (permissions, vanished mid-build), is
                               not a regular file (a named pipe, device or socket: never opened),
                               is a symbolic link that loops, or has a name that is not valid
                               UTF-8 (never opened); also a folder that could not be listed or
                               whose name is not valid UTF-8 (one row for the folder, whose
                               `source_path` ends with `/`)
    outside_root               a symbolic link pointing outside the seeds root (not followed)
    too_large                  over `Limits.max_file_bytes`
    limit_exceeded             the front matter is over another limit (value length, list
                               length, topics, related items, nesting depth, values after YAML
                               alias expansion)
    binary                     contains NUL bytes
    encoding                   not valid UTF-8
    no_front_matter            does not start with a `---` line
    unterminated_front_matter  no closing `---` line
    yaml_error                 the front matter is not valid YAML
    not_a_mapping              the front matter is a list or a scalar, not `key: value` pairs
    invalid_field              a known field has the wrong shape (e.g. a list for `title`)
    missing_field              (set in SQL) no title, or no webUrl/originalUrl
    invalid_url                (set in SQL) the URL is not http(s)
"""

from __future__ import annotations


class SeedError(Exception):
    """A file that cannot become an article; `kind` is one of the documented error kinds."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line
