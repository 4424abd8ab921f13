"""Settle detection: decide when a file being written is complete enough to ingest (issue 3).

Pure apart from the injected `stat` and `clock`; `stat_fingerprint` is the real (I/O) stat.
Modelled on paperless-ngx's FileStabilityTracker: a file is ready when its size and mtime have
stopped changing for a quiet window, or at once when the writer closed it (inotify close_write).
"""

from __future__ import annotations

import os
import stat as stat_module
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from provenance.model import FileFingerprint

StatFn = Callable[[Path], FileFingerprint | None]
Clock = Callable[[], float]


def stat_fingerprint(path: Path) -> FileFingerprint | None:
    """Stat `path` (one system call): its fingerprint, or None when gone or not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        # Gone, or its folder was renamed under us: either way there is nothing to settle here;
        # a delete/move event or the periodic rescan says what happened.
        return None
    if not stat_module.S_ISREG(st.st_mode):
        return None
    return FileFingerprint(size=st.st_size, mtime_ns=st.st_mtime_ns, inode=st.st_ino)


@dataclass
class _Pending:
    """What the tracker knows about one file that has not been reported yet."""

    fingerprint: FileFingerprint | None
    since: float  # when the last write was seen (an event, or a stat that differed)
    closed: bool = False  # the writer closed it after writing (inotify IN_CLOSE_WRITE)


class SettleTracker:
    """Track files being written and report each one once it has settled.

    A path is reported by `ready()` once, then forgotten; a later write starts a new entry, so
    a file rewritten after being reported is reported again (a new version, issue 3).
    """

    def __init__(
        self,
        *,
        quiet_window: float = 2.0,
        close_grace: float = 0.0,
        clock: Clock = time.monotonic,
        stat: StatFn = stat_fingerprint,
        mtime_clock: Clock | None = None,
    ) -> None:
        """`close_grace`: how long a closed file must stay as it was before it is ready.

        Events can reach us late (watchdog holds every event queued behind a rename for up
        to 0.5 s, to pair IN_MOVED_FROM with IN_MOVED_TO), so a close may be handled after
        the writer reopened the file for a rewrite, whose modify events are then a few
        milliseconds behind. A short grace lets them arrive and restart the quiet window,
        instead of reading the rewrite half-done during one of its pauses.

        `mtime_clock` (wall time, as file mtimes are): when given, the quiet a file already had
        before its event counts, as told by its mtime. A delivery folder moved in from a
        staging area gives only create events, for files written long ago: they are ready on
        the next poll (after one more stat that must agree) instead of a full window later.
        Only for local file systems, where mtimes come from this host's clock: a file server
        whose clock runs behind would make files being written look quiet.
        """
        if quiet_window < 0:
            raise ValueError(f"quiet_window must be >= 0 seconds, got {quiet_window}")
        if close_grace < 0:
            raise ValueError(f"close_grace must be >= 0 seconds, got {close_grace}")
        self._quiet_window = quiet_window
        self._close_grace = close_grace
        self._clock = clock
        self._stat = stat
        self._mtime_clock = mtime_clock
        self._pending: dict[Path, _Pending] = {}

    @property
    def quiet_window(self) -> float:
        return self._quiet_window

    def touch(self, path: Path) -> None:
        """A write, modify or create event: restart the quiet window for `path`."""
        fingerprint = self._stat(path)
        self._pending[path] = _Pending(fingerprint, self._clock() - self._quiet_for(fingerprint))

    def _quiet_for(self, fingerprint: FileFingerprint | None) -> float:
        """How long the file had been quiet when we looked (0 unless mtime_clock is given),
        capped at the window; a writer's write since then shows at the settling stat."""
        if self._mtime_clock is None or fingerprint is None:
            return 0.0
        age = self._mtime_clock() - fingerprint.mtime_ns / 1e9
        return min(max(age, 0.0), self._quiet_window)

    def closed(self, path: Path) -> None:
        """The writer closed `path` after writing: ready on the next poll if it stays as it is."""
        self._pending[path] = _Pending(self._stat(path), self._clock(), closed=True)

    def moved(self, src: Path, dest: Path) -> None:
        """`src` was renamed to `dest`.

        A pending `src` carries its state over (a rename does not finish a write). Otherwise
        `dest` is a new arrival that counts as closed: the atomic-rename convention (`x.part` ->
        `x.exr`) renames only finished files, and a settled file that moved is complete too.
        """
        carried = self._pending.pop(src, None)
        self._pending[dest] = carried or _Pending(self._stat(dest), self._clock(), closed=True)

    def deleted(self, path: Path) -> None:
        """`path` is gone; when it was a folder, so is everything pending below it."""
        if self._pending.pop(path, None) is None:
            for pending in [p for p in self._pending if p.is_relative_to(path)]:
                del self._pending[pending]

    def discard(self, path: Path) -> None:
        """Stop tracking `path` without reporting it."""
        self._pending.pop(path, None)

    def pending(self) -> int:
        """How many paths are still waiting to settle (the backlog)."""
        return len(self._pending)

    def ready(self, now: float | None = None) -> list[Path]:
        """Report, in arrival order, the paths that have settled, and forget them."""
        now = self._clock() if now is None else now
        entries = list(self._pending.items())
        settled = [path for path, entry in entries if self._check(path, entry, now)]
        for path in settled:
            del self._pending[path]
        return settled

    def _check(self, path: Path, entry: _Pending, now: float) -> bool:
        """Whether `path` has settled; drops it when it vanished, restarts it when it changed."""
        if now - entry.since < (self._close_grace if entry.closed else self._quiet_window):
            # Too early to settle anyway: skip the stat, so thousands of frames in flight cost
            # nothing per poll. A change in between still shows when the window is over.
            return False
        current = self._stat(path)
        if current is None:
            del self._pending[path]
            return False
        if current != entry.fingerprint:
            # Written again since we last looked, without an event reaching us (or after the
            # close): wait for a full quiet window from now.
            self._pending[path] = _Pending(current, now)
            return False
        return True
