"""Translation of watchdog events into WatchEvents (no observer threads here)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from provenance.watch.events import (
    EventKind,
    FolderObserver,
    WatchEvent,
    distinct_roots,
    to_watch_event,
)

ROOT = Path("/mnt/d")


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (FileCreatedEvent("/mnt/d/a.exr"), EventKind.CREATED),
        (FileModifiedEvent("/mnt/d/a.exr"), EventKind.MODIFIED),
        (FileAttribEvent("/mnt/d/a.exr"), EventKind.MODIFIED),  # mtime set by cp -p after close
        (FileClosedEvent("/mnt/d/a.exr"), EventKind.CLOSED),
        (FileDeletedEvent("/mnt/d/a.exr"), EventKind.DELETED),
    ],
)
def test_file_events(event, kind):
    assert to_watch_event(event, ROOT) == WatchEvent(kind, Path("/mnt/d/a.exr"), root=ROOT)


def test_file_move_keeps_both_paths():
    event = to_watch_event(FileMovedEvent("/mnt/d/a.part", "/mnt/d/a.exr"), ROOT)
    assert event == WatchEvent(
        EventKind.MOVED, Path("/mnt/d/a.part"), dest_path=Path("/mnt/d/a.exr"), root=ROOT
    )


def test_half_moves_become_create_and_delete():
    arrived = to_watch_event(FileMovedEvent("", "/mnt/d/a.exr"), ROOT)
    left = to_watch_event(FileMovedEvent("/mnt/d/a.exr", ""), ROOT)
    assert arrived is not None and arrived.kind is EventKind.CREATED
    assert left is not None and left.kind is EventKind.DELETED


def test_folder_deletion_is_kept_and_marked():
    event = to_watch_event(DirDeletedEvent("/mnt/d/shot"), ROOT)
    assert event == WatchEvent(EventKind.DELETED, Path("/mnt/d/shot"), root=ROOT, is_directory=True)


@pytest.mark.parametrize(
    "event",
    [
        DirMovedEvent("/mnt/d/s1", "/mnt/d/s2"),  # its files come as their own moves
        DirCreatedEvent("/mnt/d/s1"),
        DirModifiedEvent("/mnt/d"),
        FileOpenedEvent("/mnt/d/a.exr"),
        FileClosedNoWriteEvent("/mnt/d/a.exr"),  # our own reads
    ],
)
def test_events_without_use_are_dropped(event):
    assert to_watch_event(event, ROOT) is None


def test_distinct_roots_drops_nested_and_repeated_folders(tmp_path):
    inner = tmp_path / "a" / "b"
    other = tmp_path / "c"
    assert distinct_roots([inner, tmp_path / "a", other, other]) == [tmp_path / "a", other]


@pytest.mark.parametrize("polling", [False, True])
def test_start_on_a_missing_folder_raises_and_leaves_no_thread(tmp_path, polling):
    before = set(threading.enumerate())
    observer = FolderObserver([tmp_path / "missing"], queue.Queue(), polling=polling)
    with pytest.raises(FileNotFoundError):
        observer.start()
    leftover = set(threading.enumerate()) - before
    for thread in leftover:
        thread.join(timeout=2)
    assert not any(thread.is_alive() for thread in leftover)
