"""The watch loop's callbacks over one catalog (issue 3): settled files, moves, deletions, rescans
and heartbeats, each turned into a call into store.watch.changes or store.watch.heartbeats.

Every database error (server restarting, SQLite busy, a lock held too long) leaves here as
`RetryLater`, after its transaction has rolled back, so the loop keeps the work and retries it
with backoff: nothing is lost while the catalog is away. Does I/O; no click.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from provenance.analyze import Analyzer
from provenance.model import FileFingerprint
from provenance.sidecar import asset_for_sidecar
from provenance.watch.events import EventKind, WatchEvent
from provenance.watch.ignore import IgnoreRules
from provenance.watch.loop import RetryLater, WatchCallbacks
from provenance.watch.settle import stat_fingerprint
from store.catalog.db import Catalog, redact
from store.catalog.dialect import lock_wait_listener
from store.ingest import CatalogUnavailable, IngestAction, IngestOutcome, RunSummary, real_roots
from store.policy.classify import PolicyInputs
from store.watch.changes import (
    MISSING,
    UNREADABLE,
    Change,
    Report,
    ingest_settled,
    ingest_settled_many,
    reconcile,
    record_deletion,
    record_move,
)
from store.watch.heartbeats import HEARTBEAT_EVERY, Beat, WatcherInfo, upsert_watcher

# How long a watcher waits for a database lock before calling the catalog busy. SQLite's
# default here is 30 s and PostgreSQL waits forever; a watcher stuck that long says nothing,
# beats nothing and cannot stop. Failing fast turns a held lock into RetryLater instead: a
# line on stderr, backoff, and the pending files kept.
LOCK_WAIT_SECONDS = 2.0


def limit_lock_wait(catalog: Catalog, seconds: float = LOCK_WAIT_SECONDS) -> None:
    """Make the catalog's connections give up waiting for a lock after `seconds`."""
    millis = int(seconds * 1000)

    event.listen(catalog.engine, "connect", lock_wait_listener(catalog.engine, millis))
    catalog.engine.dispose()  # the connections already pooled were opened without it


@contextmanager
def retry_on_catalog_errors(catalog: Catalog) -> Iterator[None]:
    """Database trouble becomes RetryLater. Transactions are `with catalog.transaction()`
    blocks, so each has rolled back (and its session closed) before the error gets here."""
    try:
        yield
    except CatalogUnavailable as exc:
        raise RetryLater(str(exc)) from exc
    except (DBAPIError, PoolTimeoutError) as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        detail = lines[0] if lines else type(exc).__name__
        message = f"the catalog at {redact(catalog.url)} is unavailable: {detail}"
        raise RetryLater(message) from exc


class SettledFingerprints:
    """The settle tracker's `stat`, remembering the last fingerprint it saw of each path.

    When the tracker reports a path ready, that is the fingerprint it judged settled. The
    loop may call back much later (a backlog of arrivals, a retry); if the file was opened
    for rewriting meanwhile, a reader could catch it half-written during a pause of the
    writer, with a fingerprint stable across the read. Comparing with the settled one when
    committing (under the path's lock, store/ingest/writer.py) closes that gap: the rewrite's own
    events bring the path back once it settles.
    """

    def __init__(self, stat: Callable[[Path], FileFingerprint | None] = stat_fingerprint) -> None:
        self._stat = stat
        self._last: dict[Path, FileFingerprint] = {}

    def stat(self, path: Path) -> FileFingerprint | None:
        fingerprint = self._stat(path)
        if fingerprint is None:
            self._last.pop(path, None)
        else:
            self._last[path] = fingerprint
        return fingerprint

    def get(self, path: Path) -> FileFingerprint | None:
        """What the tracker last saw of `path`: when it reported it ready, what settled."""
        return self._last.get(path)

    def still(self, path: Path, settled: FileFingerprint | None) -> bool:
        """Whether `path` is still what settled (True when that is not known)."""
        return settled is None or self._stat(path) == settled

    def forget(self, path: Path) -> None:
        self._last.pop(path, None)

    def forget_below(self, path: Path) -> None:
        """`path` was deleted; when it was a folder, so was everything below it."""
        if self._last.pop(path, None) is None:
            for below in [p for p in self._last if p.is_relative_to(path)]:
                del self._last[below]


@dataclass
class WatchSetup:
    """What a watcher is given: its catalog, what it watches, and where it reports."""

    catalog: Catalog
    analyzer: Analyzer
    info: WatcherInfo
    events: queue.Queue[WatchEvent]  # the observer's queue; reconcile hands it settling files
    stop_event: threading.Event
    report: Report  # each change, for stdout
    notify: Callable[[str], None]  # diagnostics, for stderr
    ignore: IgnoreRules  # scan's rules: in-progress names, prov's own files (issue 8)
    quiet_window: float = 2.0
    settled: SettledFingerprints = field(default_factory=SettledFingerprints)  # tracker's stat
    heartbeat_every: float = HEARTBEAT_EVERY
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    # The risk policy inputs (issue 4), loaded once; None: the shipped policy, no production.
    policy: PolicyInputs | None = None
    # Walk into folder symlinks on reconcile (never out of the watched folders; issue 10).
    follow_symlinks: bool = False


@dataclass
class _Progress:
    ingested: int = 0
    backlog: int = 0
    last_event_at: datetime | None = None
    last_beat: float | None = None
    caught_up: bool = False  # the start-up reconcile has finished
    written: tuple[int, int, datetime | None] | None = None  # last written (ingested, backlog, ...)
    rescan_changes: dict[str, int] = field(default_factory=dict)


class WatchGlue:
    """One watcher's callbacks; all run on the loop's thread, one at a time."""

    def __init__(self, setup: WatchSetup) -> None:
        self._s = setup
        self._folders = [Path(folder) for folder in setup.info.folders]
        self._roots = real_roots(self._folders)  # a symlink out of them is not read
        self._progress = _Progress()

    @property
    def ingested(self) -> int:
        """Files recorded (new, changed or re-read) by this watcher so far."""
        return self._progress.ingested

    def callbacks(self) -> WatchCallbacks:
        return WatchCallbacks(
            on_ready=self.ingest,
            on_moved=self.move,
            on_deleted=self.delete,
            on_sidecar=self.sidecar,
            on_ready_many=self.ingest_many,
            on_rescan=self.rescan,
            on_backlog=lambda _backlog, message: self._s.notify(message),
            heartbeat=self.heartbeat,
            on_progress=self.progress,
        )

    # -- the loop's callbacks ------------------------------------------------------------------

    def ingest(self, path: Path) -> None:
        s = self._s
        self._event_seen()
        settled = s.settled.get(path)
        if s.settled.still(path, settled):  # else written again: it settles again, then is read
            with retry_on_catalog_errors(s.catalog):
                outcome = ingest_settled(
                    path,
                    catalog=s.catalog,
                    analyzer=s.analyzer,
                    settled=settled,
                    policy=s.policy,
                    roots=self._roots,
                )
            if outcome is not None:
                self._tell(outcome)
        s.settled.forget(path)

    def ingest_many(self, paths: list[Path]) -> None:
        """A burst of settled files (a delivery moved in): written in batches, like a scan."""
        s = self._s
        self._event_seen()
        settled = {path: s.settled.get(path) for path in paths}
        known = {path: fp for path, fp in settled.items() if fp is not None}
        still = [path for path in paths if s.settled.still(path, settled[path])]
        with retry_on_catalog_errors(s.catalog):
            for outcome in ingest_settled_many(
                still,
                catalog=s.catalog,
                analyzer=s.analyzer,
                settled=known,
                policy=s.policy,
                roots=self._roots,
            ):
                self._tell(outcome)
        for path in paths:
            s.settled.forget(path)

    def sidecar(self, sidecar: Path) -> None:
        """A settled `.c2pa`: read its asset again with it (ingest_path pairs them), unless the
        asset is itself still being written; then it settles first and finds the sidecar."""
        asset = asset_for_sidecar(sidecar)
        if asset is not None and self._settle_later(asset):
            return
        self.ingest(sidecar)

    def move(self, src: Path, dest: Path) -> None:
        s = self._s
        self._event_seen()
        s.settled.forget(src)
        with retry_on_catalog_errors(s.catalog):
            record_move(
                src,
                dest,
                catalog=s.catalog,
                analyzer=s.analyzer,
                report=self._report,
                policy=s.policy,
            )

    def delete(self, path: Path) -> None:
        s = self._s
        self._event_seen()
        s.settled.forget_below(path)
        with retry_on_catalog_errors(s.catalog):
            record_deletion(
                path, catalog=s.catalog, analyzer=s.analyzer, report=self._report, policy=s.policy
            )

    def rescan(self) -> None:
        """Reconcile every watched folder; the first run is the start-up catch-up."""
        s, progress = self._s, self._progress
        progress.rescan_changes = {}
        with retry_on_catalog_errors(s.catalog):
            summary = reconcile(
                self._folders,
                catalog=s.catalog,
                analyzer=s.analyzer,
                ignore=s.ignore,
                report=self._report_rescan,
                settling=self._settle_later,
                keep_going=self._keep_going,
                policy=s.policy,
                follow_symlinks=s.follow_symlinks,
            )
        if not s.stop_event.is_set():
            s.notify(self._rescan_line(summary))
            progress.caught_up = True

    def heartbeat(self, last_event_at: datetime | None, backlog: int) -> None:
        progress = self._progress
        progress.last_event_at = last_event_at or progress.last_event_at
        progress.backlog = backlog
        with retry_on_catalog_errors(self._s.catalog):
            self._write_beat("running")

    def progress(self, last_event_at: datetime | None, backlog: int) -> None:
        """A callback completed: record the counts now if they changed (issue 8), rather than
        up to a heartbeat later. Its batch is committed already; a crash in between leaves the
        row one batch behind until the next start, never ahead."""
        progress = self._progress
        progress.last_event_at = last_event_at or progress.last_event_at
        progress.backlog = backlog
        if self._shown() != progress.written:
            with retry_on_catalog_errors(self._s.catalog):
                self._write_beat("running")

    # -- start and stop ------------------------------------------------------------------------

    def register(self) -> None:
        """Record the watcher as running; if the catalog is away, the loop's beats will."""
        try:
            self.heartbeat(None, 0)
        except RetryLater as exc:
            self._s.notify(f"{exc}; the heartbeat will be recorded when it is back")

    def stop(self) -> bool:
        """Mark the watcher stopped; False (and a message) when the catalog is away."""
        try:
            with retry_on_catalog_errors(self._s.catalog):
                self._write_beat("stopped")
        except RetryLater as exc:
            self._s.notify(f"{exc}; `prov status` will show this watcher as stale")
            return False
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _tell(self, outcome: IngestOutcome) -> None:
        if outcome.action not in (IngestAction.UNCHANGED, IngestAction.SKIPPED):
            self._report(Change.ingested(outcome))

    def _event_seen(self) -> None:
        """The loop only passes its own event time every heartbeat; a stop beat needs it too."""
        self._progress.last_event_at = datetime.fromtimestamp(self._s.wall_clock(), UTC)

    def _report(self, change: Change) -> None:
        if change.kind not in (MISSING, UNREADABLE):
            self._progress.ingested += 1
        self._s.report(change)

    def _report_rescan(self, change: Change) -> None:
        counts = self._progress.rescan_changes
        counts[change.kind] = counts.get(change.kind, 0) + 1
        self._report(change)

    def _rescan_line(self, summary: RunSummary) -> str:
        counts = self._progress.rescan_changes
        recorded = sum(n for kind, n in counts.items() if kind not in (MISSING, UNREADABLE))
        what = "rescan" if self._progress.caught_up else "caught up"
        unlisted = f", {len(summary.folders)} folder(s) unreadable" if summary.folders else ""
        return (
            f"{what}: {summary.total} file(s) checked, {recorded} recorded, "
            f"{counts.get(MISSING, 0)} marked missing{unlisted}"
        )

    def _settle_later(self, path: Path) -> bool:
        """A file written within the quiet window may still be copying: hand it to the settle
        tracker (through the event queue) instead of reading it now."""
        try:
            age = self._s.wall_clock() - path.stat().st_mtime
        except OSError:
            return False  # ingest says what is wrong with it
        if age >= self._s.quiet_window:
            return False
        self._s.events.put(WatchEvent(EventKind.MODIFIED, path, root=self._root_of(path)))
        return True

    def _root_of(self, path: Path) -> Path | None:
        return next((f for f in self._folders if path.is_relative_to(f)), None)

    def _keep_going(self) -> bool:
        """Between files of a long reconcile: keep beating, and stop when asked to."""
        progress, s = self._progress, self._s
        due = progress.last_beat is None or s.clock() - progress.last_beat >= s.heartbeat_every
        # Between files, a batch may just have been committed: its counts go out now.
        if due or self._shown() != progress.written:
            try:
                self.heartbeat(None, progress.backlog)
            except RetryLater:  # the next file's ingest will say so; the next due beat retries
                progress.written = self._shown()
        return not s.stop_event.is_set()

    def _shown(self) -> tuple[int, int, datetime | None]:
        """What the watcher's row shows of its progress."""
        progress = self._progress
        return progress.ingested, progress.backlog, progress.last_event_at

    def _write_beat(self, state: str) -> None:
        progress = self._progress
        beat = Beat(state, progress.last_event_at, progress.backlog, progress.ingested)
        with self._s.catalog.transaction() as session:
            upsert_watcher(session, self._s.info, beat)
        progress.last_beat = self._s.clock()
        progress.written = self._shown()
