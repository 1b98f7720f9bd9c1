"""When `seedhouse watch` says a change was made: the latency it prints is counted from there."""

from __future__ import annotations

import os

from watchfiles import Change

from pipeline.watch import _landed_at

FLOOR, SEEN = 1_000.0, 2_000.0


def test_a_written_file_landed_at_its_modification_time(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    for path, mtime in ((a, 1_500.0), (b, 1_200.0)):
        path.write_text("---\n---\n")
        os.utime(path, (mtime, mtime))
    assert _landed_at({(Change.added, str(a)), (Change.modified, str(b))}, FLOOR, SEEN) == 1_200.0
    # a file older than the last build was copied in with its time kept: the build's end counts
    os.utime(b, (900.0, 900.0))
    assert _landed_at({(Change.added, str(b))}, FLOOR, SEEN) == FLOOR


def test_a_removed_file_landed_when_its_folder_changed_not_at_the_last_build(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    gone = folder / "gone.md"
    gone.write_text("---\n---\n")
    gone.unlink()
    os.utime(folder, (1_700.0, 1_700.0))  # what the removal set, made exact
    assert _landed_at({(Change.deleted, str(gone))}, FLOOR, SEEN) == 1_700.0


def test_a_removal_whose_folder_went_too_landed_when_the_watch_saw_it(tmp_path):
    gone = tmp_path / "folder" / "gone.md"
    assert _landed_at({(Change.deleted, str(gone))}, FLOOR, SEEN) == SEEN
