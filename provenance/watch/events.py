"""Watchdog adapter (does I/O, runs threads): the only module that imports watchdog.

Observer threads watch folders recursively; the handler only turns watchdog events into plain
`WatchEvent` values on a `queue.Queue`, because watchdog calls handlers on its own thread and
everything else (settling, the catalog) belongs to the watch loop's thread.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver


class EventKind(StrEnum):
    CREATED = "created"
    MODIFIED = "modified"
    CLOSED = "closed"  # closed after writing; inotify only
    MOVED = "moved"
    DELETED = "deleted"


@dataclass(frozen=True)
class WatchEvent:
    """One file-system change, free of watchdog types."""

    kind: EventKind
    path: Path
    dest_path: Path | None = None  # MOVED only
    root: Path | None = None  # the watched folder that saw it; ignore rules are relative to it
    is_directory: bool = False  # only folder deletions are passed on, see to_watch_event


# What we ask the OS for. Leaving out opened / closed-without-write keeps our own reads of the
# files (hashing, C2PA) from echoing back as events. FileAttribEvent covers `touch` and the
# mtime that `cp -p` sets after the close. DirMovedEvent is requested only so inotify watches
# IN_MOVE for folders; to_watch_event drops it.
_EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]

_FILE_KINDS: dict[type[FileSystemEvent], EventKind] = {
    FileCreatedEvent: EventKind.CREATED,
    FileModifiedEvent: EventKind.MODIFIED,
    FileAttribEvent: EventKind.MODIFIED,
    FileClosedEvent: EventKind.CLOSED,
    FileDeletedEvent: EventKind.DELETED,
}


def to_watch_event(event: FileSystemEvent, root: Path) -> WatchEvent | None:
    """Translate one watchdog event; None for the ones the loop has no use for.

    Folder moves are dropped: both observers also emit one move per file inside (inotify
    synthesises them by walking the destination, the polling observer matches inodes), and
    those are what the catalog records. Folder deletions are kept: a folder moved out of the
    watched tree gives inotify a single DirDeletedEvent and no per-file deletes.
    """
    if isinstance(event, FileMovedEvent):
        return _file_move(event, root)
    if isinstance(event, DirDeletedEvent):
        return WatchEvent(EventKind.DELETED, _path(event.src_path), root=root, is_directory=True)
    kind = _FILE_KINDS.get(type(event))
    return None if kind is None else WatchEvent(kind, _path(event.src_path), root=root)


def _file_move(event: FileMovedEvent, root: Path) -> WatchEvent:
    """A file move; a half seen alone (only with watchdog's full-events mode) is a create/delete."""
    if not event.src_path:
        return WatchEvent(EventKind.CREATED, _path(event.dest_path), root=root)
    if not event.dest_path:
        return WatchEvent(EventKind.DELETED, _path(event.src_path), root=root)
    src, dest = _path(event.src_path), _path(event.dest_path)
    return WatchEvent(EventKind.MOVED, src, dest_path=dest, root=root)


def _path(raw: bytes | str) -> Path:
    return Path(os.fsdecode(raw))


class _EnqueueHandler(FileSystemEventHandler):
    """Runs on watchdog's thread, so it does nothing but translate and enqueue."""

    def __init__(self, root: Path, sink: queue.Queue[WatchEvent]) -> None:
        self._root = root
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        translated = to_watch_event(event, self._root)
        if translated is not None:
            self._sink.put(translated)


def distinct_roots(folders: Iterable[Path]) -> list[Path]:
    """Absolute folders with those inside another one dropped: a nested recursive watch would
    report every event twice."""
    absolute = sorted({Path(folder).absolute() for folder in folders})
    return [f for f in absolute if not any(f != o and f.is_relative_to(o) for o in absolute)]


class FolderObserver:
    """Watch several folders recursively and put their `WatchEvent`s on `sink`.

    `polling=True` uses watchdog's PollingObserver, which lists the folders every
    `polling_interval` seconds: inotify only sees changes made through the local kernel, so it is
    blind to files written by other hosts onto NFS/SMB mounts. Polling gives no close events;
    files then settle by the quiet window alone.
    """

    def __init__(
        self,
        folders: Iterable[Path],
        sink: queue.Queue[WatchEvent],
        *,
        polling: bool = False,
        polling_interval: float = 1.0,
    ) -> None:
        self.roots = distinct_roots(folders)
        self._sink = sink
        self._observer = _make_observer(polling=polling, polling_interval=polling_interval)

    def start(self) -> None:
        """Start watching; raises OSError when a folder cannot be watched (missing, no inotify)."""
        for root in self.roots:
            handler = _EnqueueHandler(root, self._sink)
            self._observer.schedule(handler, str(root), recursive=True, event_filter=_EVENT_FILTER)
        try:
            self._observer.start()
        except OSError:
            # The inotify observer starts a reader thread when it is built; stop it, or a
            # failed start would leave it running.
            self._observer.stop()
            raise

    def stop(self) -> None:
        """Ask the observer threads to stop; events already queued stay on the queue."""
        self._observer.stop()

    def join(self, timeout: float | None = None) -> None:
        self._observer.join(timeout)

    def __enter__(self) -> FolderObserver:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.join()


def _make_observer(*, polling: bool, polling_interval: float) -> BaseObserver:
    if polling:
        return PollingObserver(timeout=polling_interval)
    return Observer()
