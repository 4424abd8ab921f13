"""The watch loop (issue 3): events in, settled paths out to callbacks. No database, no click.

`WatchLoop.run()` drains the event queue, feeds the `SettleTracker`, and calls back the ingest
layer in event order. Callbacks raise `RetryLater` when the catalog is unavailable; the loop then
keeps every pending action and retries the oldest with exponential backoff, so nothing is lost
and order is kept (a move is never applied before the arrival it moves).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from provenance.sidecar import is_sidecar
from provenance.watch.events import EventKind, WatchEvent
from provenance.watch.ignore import DEFAULT_RULES, IgnoreRules
from provenance.watch.settle import Clock, SettleTracker

_MAX_EVENTS_PER_STEP = 10_000
# The most settled files handed to `on_ready_many` at once: a burst is written in batches
# this big (one transaction each), and a stop waits for at most one batch.
READY_BATCH = 200


class RetryLater(Exception):
    """Raised by a callback when the catalog cannot take the work now (database restarting,
    SQLite busy). The loop keeps the work and calls again later; the message is shown."""


@dataclass(frozen=True)
class WatchCallbacks:
    """What the loop calls; all run on the loop's thread, one at a time.

    `on_sidecar` receives a settled `.c2pa` file: pairing it with its asset and re-reading the
    asset belongs to the ingest layer (the naming rule is in provenance/sidecar.py, and a
    sidecar may arrive before its asset). Without it, sidecars go to `on_ready` like any file.
    """

    on_ready: Callable[[Path], None]
    on_moved: Callable[[Path, Path], None]
    on_deleted: Callable[[Path], None]  # the path may be a folder: everything below it is gone
    on_sidecar: Callable[[Path], None] | None = None
    # Several settled files at once, in arrival order: when given, a run of queued arrivals is
    # handed over together (a burst of files moved in), so the ingest layer can write them in
    # one transaction. All or nothing: RetryLater keeps the whole run queued.
    on_ready_many: Callable[[list[Path]], None] | None = None
    on_rescan: Callable[[], None] | None = None
    on_backlog: Callable[[int, str], None] | None = None  # (backlog, message) about retrying
    heartbeat: Callable[[datetime | None, int], None] | None = None  # (last event UTC, backlog)
    # After each callback that completed (its work is committed), with the same arguments as
    # `heartbeat`: what `prov status` shows is current, not up to a heartbeat old (issue 8).
    on_progress: Callable[[datetime | None, int], None] | None = None


@dataclass(frozen=True)
class LoopTiming:
    """How often the loop does things, in seconds."""

    poll_interval: float = 0.25  # longest wait for an event before polling the tracker again
    rescan_every: float | None = None  # periodic rescan; None turns it off
    rescan_on_start: bool = False  # queue a rescan (start-up reconcile) before any event
    heartbeat_every: float | None = 30.0
    backoff_initial: float = 0.5
    backoff_cap: float = 30.0


class _Do(StrEnum):
    READY = "ready"
    SIDECAR = "sidecar"
    MOVED = "moved"
    DELETED = "deleted"
    RESCAN = "rescan"


@dataclass(frozen=True)
class _Action:
    """One callback still to make."""

    do: _Do
    path: Path | None = None
    dest: Path | None = None


class WatchLoop:
    """Glue between the event queue, the settle tracker and the ingest callbacks."""

    def __init__(
        self,
        events: queue.Queue[WatchEvent],
        tracker: SettleTracker,
        callbacks: WatchCallbacks,
        *,
        ignore: IgnoreRules = DEFAULT_RULES,
        timing: LoopTiming | None = None,
        stop_event: threading.Event | None = None,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ) -> None:
        self._events = events
        self._tracker = tracker
        self._calls = callbacks
        self._ignore = ignore
        self._timing = timing or LoopTiming()
        self.stop_event = stop_event or threading.Event()
        self._clock = clock
        self._wall_clock = wall_clock
        self._actions: deque[_Action] = deque()
        self._retry = _Backoff(self._timing.backoff_initial, self._timing.backoff_cap)
        self._last_event_at: datetime | None = None
        self._next_rescan, self._next_beat = self._first_deadlines()

    # -- driving -------------------------------------------------------------------------------

    def run(self) -> None:
        """Loop until `stop_event` is set; the callback in hand when it is set is finished.

        Work still queued is dropped then: the files are on disk, and the start-up reconcile
        of the next run ingests them.
        """
        while not self.stop_event.is_set():
            self.step()

    def step(self) -> None:
        """One turn: take events, collect settled paths, make the due callbacks."""
        self._schedule_rescan()  # first, so a due rescan (the start-up one) does not wait
        self._drain(self._wait_time())
        self._collect_ready()
        self._perform_due()
        self._beat()

    def backlog(self) -> int:
        """Paths still settling plus callbacks not yet made."""
        return self._tracker.pending() + len(self._actions)

    # -- events --------------------------------------------------------------------------------

    def _wait_time(self) -> float:
        """Block for events only when there is no callback we could make right now."""
        if self._actions and self._retry.due(self._clock()):
            return 0.0
        return self._timing.poll_interval

    def _drain(self, timeout: float) -> None:
        """Handle the queued events, waiting up to `timeout` for the first one."""
        try:
            self._handle(self._events.get(timeout=timeout) if timeout > 0 else self._next())
            # Bounded, so a copy that floods us with modify events cannot starve the callbacks.
            for _ in range(_MAX_EVENTS_PER_STEP):
                self._handle(self._next())
        except queue.Empty:
            return

    def _next(self) -> WatchEvent:
        return self._events.get_nowait()

    def _handle(self, event: WatchEvent) -> None:
        self._last_event_at = datetime.fromtimestamp(self._wall_clock(), UTC)
        if event.kind is EventKind.MOVED and event.dest_path is not None:
            self._moved(event.path, event.dest_path, event.root)
        elif event.kind is EventKind.DELETED:
            self._deleted(event.path, event.root)
        elif not self._ignored(event.path, event.root):
            self._written(event)

    def _written(self, event: WatchEvent) -> None:
        if event.kind is EventKind.CLOSED:
            self._tracker.closed(event.path)
        else:
            self._tracker.touch(event.path)

    def _moved(self, src: Path, dest: Path, root: Path | None) -> None:
        """A rename. From an ignored name it is an arrival; to an ignored name, a deletion."""
        src_ignored, dest_ignored = self._ignored(src, root), self._ignored(dest, root)
        if dest_ignored:
            if not src_ignored:
                self._deleted(src, root)
            return
        self._tracker.moved(src, dest)  # dest settles as an arrival, see SettleTracker.moved
        if not src_ignored:
            self._unqueue_ready(src)  # not ingested yet: the arrival at dest replaces it
            self._actions.append(_Action(_Do.MOVED, src, dest))

    def _deleted(self, path: Path, root: Path | None) -> None:
        self._tracker.deleted(path)
        self._unqueue_ready(path)
        if not self._ignored(path, root):
            self._actions.append(_Action(_Do.DELETED, path))

    def _ignored(self, path: Path, root: Path | None) -> bool:
        return self._ignore.ignores(path, root=root)

    # -- callbacks -----------------------------------------------------------------------------

    def _collect_ready(self) -> None:
        queued = {a.path for a in self._actions if a.do in (_Do.READY, _Do.SIDECAR)}
        for path in self._tracker.ready():
            if path not in queued:  # still waiting for the catalog: one ingest will do
                self._actions.append(_Action(_ready_kind(path), path))

    def _unqueue_ready(self, gone: Path) -> None:
        """Forget queued arrivals at or below `gone`; ingesting a vanished path would fail."""
        kept = [a for a in self._actions if not _is_ready_under(a, gone)]
        if len(kept) != len(self._actions):
            self._actions = deque(kept)

    def _schedule_rescan(self) -> None:
        if self._next_rescan is None or self._clock() < self._next_rescan:
            return
        if all(a.do is not _Do.RESCAN for a in self._actions):
            self._actions.append(_Action(_Do.RESCAN))
        every = self._timing.rescan_every
        self._next_rescan = None if every is None else self._clock() + every

    def _perform_due(self) -> None:
        """Make queued callbacks in order until done, stopped, or told to retry later."""
        while self._actions and self._retry.due(self._clock()) and not self.stop_event.is_set():
            run = self._ready_run()
            try:
                if len(run) > 1 and self._calls.on_ready_many is not None:
                    self._calls.on_ready_many([_given(a.path) for a in run])
                else:
                    run = [self._actions[0]]
                    self._perform(run[0])
            except RetryLater as exc:
                self._defer(exc)
                return
            for _ in run:
                self._actions.popleft()
            self._recovered()
            self._progress()
            self._beat()

    def _ready_run(self) -> list[_Action]:
        """The arrivals queued at the head, up to READY_BATCH; moves and deletions end a run,
        so nothing is applied out of order."""
        run: list[_Action] = []
        for action in self._actions:
            if action.do is not _Do.READY or len(run) == READY_BATCH:
                break
            run.append(action)
        return run

    def _perform(self, action: _Action) -> None:
        calls, path = self._calls, action.path
        if action.do is _Do.RESCAN:
            if calls.on_rescan is not None:
                calls.on_rescan()
        elif action.do is _Do.MOVED:
            calls.on_moved(_given(path), _given(action.dest))
        elif action.do is _Do.DELETED:
            calls.on_deleted(_given(path))
        elif action.do is _Do.SIDECAR and calls.on_sidecar is not None:
            calls.on_sidecar(_given(path))
        else:
            calls.on_ready(_given(path))

    def _defer(self, exc: RetryLater) -> None:
        delay = self._retry.failed(self._clock())
        detail = str(exc) or "catalog unavailable"
        self._report(f"{detail}; {self.backlog()} pending, retrying in {delay:.1f} s")

    def _recovered(self) -> None:
        if self._retry.succeeded():
            self._report(f"catalog available again; {self.backlog()} pending")

    def _report(self, message: str) -> None:
        if self._calls.on_backlog is not None:
            self._calls.on_backlog(self.backlog(), message)

    def _progress(self) -> None:
        """Best effort, like the heartbeat: the work is done whether or not this is recorded."""
        if self._calls.on_progress is not None:
            with contextlib.suppress(RetryLater):
                self._calls.on_progress(self._last_event_at, self.backlog())

    def _beat(self) -> None:
        """Record liveness; best effort, so a catalog outage never blocks the loop here."""
        if self._next_beat is None or self._clock() < self._next_beat:
            return
        self._next_beat = self._clock() + (self._timing.heartbeat_every or 0.0)
        if self._calls.heartbeat is not None:
            with contextlib.suppress(RetryLater):
                self._calls.heartbeat(self._last_event_at, self.backlog())

    def _first_deadlines(self) -> tuple[float | None, float | None]:
        now, t = self._clock(), self._timing
        rescan = now if t.rescan_on_start else _after(now, t.rescan_every)
        return rescan, (now if t.heartbeat_every is not None else None)


class _Backoff:
    """Exponential backoff for retrying the catalog: initial, doubling, capped."""

    def __init__(self, initial: float, cap: float) -> None:
        self._initial, self._cap = initial, cap
        self._delay = 0.0
        self._retry_at = 0.0

    def due(self, now: float) -> bool:
        return now >= self._retry_at

    def failed(self, now: float) -> float:
        """Record a failure; returns the wait before the next try."""
        self._delay = min(self._cap, self._delay * 2 if self._delay else self._initial)
        self._retry_at = now + self._delay
        return self._delay

    def succeeded(self) -> bool:
        """Record a success; True when it ends a run of failures."""
        was_failing, self._delay = self._delay > 0, 0.0
        return was_failing


def _ready_kind(path: Path) -> _Do:
    return _Do.SIDECAR if is_sidecar(path) else _Do.READY


def _is_ready_under(action: _Action, gone: Path) -> bool:
    ready = action.do in (_Do.READY, _Do.SIDECAR)
    return ready and action.path is not None and action.path.is_relative_to(gone)


def _after(now: float, every: float | None) -> float | None:
    return None if every is None else now + every


def _given(path: Path | None) -> Path:
    """Narrow an action's optional path; the action kinds that use it always set it."""
    if path is None:
        raise AssertionError("watch action without a path")
    return path
