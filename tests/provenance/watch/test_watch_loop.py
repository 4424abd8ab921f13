"""WatchLoop driven step by step: a real queue, synthetic events, a fake clock, no threads."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from provenance.watch.events import EventKind, WatchEvent
from provenance.watch.ignore import DEFAULT_IGNORE_GLOBS, IgnoreRules
from provenance.watch.loop import LoopTiming, RetryLater, WatchCallbacks, WatchLoop
from provenance.watch.settle import SettleTracker

ROOT = Path("/mnt/deliveries")
EXR = ROOT / "AGM_104_065_010_comp_NFX_v001.1001.exr"
MOV = ROOT / "AGM_104_065_010_comp_NFX_v001.mov"


class Recorder:
    """Callbacks that log what they were called with; `fail` makes the catalog 'unavailable'."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.backlog: list[tuple[int, str]] = []
        self.beats: list[tuple] = []
        self.fail = 0

    def _record(self, *call) -> None:
        if self.fail:
            self.fail -= 1
            raise RetryLater("database is restarting")
        self.calls.append(call)

    def callbacks(self, **overrides) -> WatchCallbacks:
        base = {
            "on_ready": lambda p: self._record("ready", p),
            "on_moved": lambda s, d: self._record("moved", s, d),
            "on_deleted": lambda p: self._record("deleted", p),
            "on_sidecar": lambda p: self._record("sidecar", p),
            "on_rescan": lambda: self._record("rescan"),
            "on_backlog": lambda n, msg: self.backlog.append((n, msg)),
            "heartbeat": lambda last, n: self.beats.append((last, n)),
        }
        return WatchCallbacks(**{**base, **overrides})


class Harness:
    """A loop, its queue and fakes, with helpers that read like a file-system story."""

    def __init__(
        self, clock, disk, timing: LoopTiming | None = None, ignore=None, **callback_overrides
    ):
        self.clock, self.disk = clock, disk
        self.events: queue.Queue[WatchEvent] = queue.Queue()
        self.rec = Recorder()
        tracker = SettleTracker(quiet_window=2.0, clock=clock, stat=disk.stat)
        timing = timing or LoopTiming(poll_interval=0, heartbeat_every=None)
        self.loop = WatchLoop(
            self.events,
            tracker,
            self.rec.callbacks(**callback_overrides),
            ignore=ignore or IgnoreRules(),
            timing=timing,
            clock=clock,
            wall_clock=clock,
        )

    def put(self, kind: EventKind, path: Path, dest: Path | None = None, **kw) -> None:
        self.events.put(WatchEvent(kind, path, dest_path=dest, root=ROOT, **kw))

    def write(self, path: Path, size: int = 10, *, close: bool = True) -> None:
        existed = path in self.disk.files
        self.disk.write(path, size)
        self.put(EventKind.MODIFIED if existed else EventKind.CREATED, path)
        if close:
            self.put(EventKind.CLOSED, path)

    def rename(self, src: Path, dest: Path) -> None:
        self.disk.rename(src, dest)
        self.put(EventKind.MOVED, src, dest)

    def remove(self, path: Path, **kw) -> None:
        self.disk.remove(path)
        self.put(EventKind.DELETED, path, **kw)

    def step(self, advance: float = 0.0) -> list[tuple]:
        self.clock.advance(advance)
        self.loop.step()
        return self.rec.calls


@pytest.fixture
def h(clock, disk) -> Harness:
    return Harness(clock, disk)


def test_closed_file_is_ready_on_the_next_step(h):
    h.write(EXR, close=False)
    h.write(EXR, 20)
    assert h.step() == [("ready", EXR)]
    assert h.step(5) == [("ready", EXR)]


def test_file_without_close_is_ready_after_the_quiet_window(h):
    h.write(EXR, close=False)
    assert h.step() == []
    assert h.step(1.9) == []
    assert h.step(0.1) == [("ready", EXR)]


def test_rename_from_a_partial_name_is_one_arrival(h):
    part = ROOT / "master.mov.part"
    h.write(part)
    h.rename(part, MOV)
    assert h.step() == [("ready", MOV)]
    assert h.step(5) == [("ready", MOV)]


def test_rename_of_a_known_file_is_a_move_then_an_arrival(h):
    # The arrival lets the ingest layer confirm the moved file is unchanged (or catch it if
    # the move could not be matched).
    h.write(EXR)
    h.step()
    renamed = ROOT / "AGM_104_065_010_comp_NFX_v002.1001.exr"
    h.rename(EXR, renamed)
    assert h.step()[1:] == [("moved", EXR, renamed), ("ready", renamed)]


def test_rename_to_an_ignored_name_is_a_deletion(h):
    h.write(EXR)
    h.step()
    h.rename(EXR, ROOT / ".trash" / EXR.name)
    assert h.step()[1:] == [("deleted", EXR)]


def test_delete_is_reported(h):
    h.write(EXR)
    h.step()
    h.remove(EXR)
    assert h.step()[1:] == [("deleted", EXR)]


def test_file_deleted_while_settling_is_never_ready(h):
    h.write(EXR, close=False)
    h.remove(EXR)
    assert h.step(5) == [("deleted", EXR)]


def test_ignored_names_are_neither_ready_nor_deleted(h):
    part = ROOT / "master.mov.part"
    h.write(part)
    h.remove(part)
    assert h.step(5) == []


def test_the_catalogs_own_files_are_neither_ready_nor_deleted(clock, disk):
    # issue 8: `prov watch .` beside its catalog recorded prov.db-wal every few seconds.
    catalog = ROOT / "catalog.sqlite"
    own = [catalog, ROOT / "catalog.sqlite-wal", ROOT / "prov.db-wal", ROOT / "prov.toml"]
    h = Harness(clock, disk, ignore=IgnoreRules.of(DEFAULT_IGNORE_GLOBS, [catalog, own[1]]))
    for path in own:
        h.write(path, close=False)
        h.write(path, 20)
    h.remove(own[1])  # SQLite removes its WAL when the last connection closes
    assert h.step(5) == []
    other = ROOT / "sub" / "catalog.sqlite"  # same name, another folder: a delivered file
    h.write(other)
    assert h.step(5) == [("ready", other)]


def test_folder_deletion_drops_what_was_settling_below_it(h):
    inside = ROOT / "shot" / "a.exr"
    h.write(inside, close=False)
    h.put(EventKind.DELETED, ROOT / "shot", is_directory=True)
    assert h.step(5) == [("deleted", ROOT / "shot")]


def test_files_in_dot_folders_below_the_root_are_ignored(h):
    h.write(ROOT / ".staging" / "a.exr")
    assert h.step(5) == []


def test_folder_renamed_out_of_staging_arrives(h):
    staged, final = ROOT / ".staging" / "a.exr", ROOT / "shot" / "a.exr"
    h.write(staged)
    h.rename(staged, final)
    assert h.step() == [("ready", final)]


def test_sidecar_goes_to_on_sidecar(h):
    sidecar = MOV.with_suffix(".c2pa")
    h.write(sidecar)
    assert h.step() == [("sidecar", sidecar)]


def test_sidecar_goes_to_on_ready_without_on_sidecar(clock, disk):
    h = Harness(clock, disk, on_sidecar=None)
    sidecar = MOV.with_suffix(".c2pa")
    h.write(sidecar)
    assert h.step() == [("ready", sidecar)]


def test_catalog_outage_keeps_everything_and_retries_with_backoff(h):
    h.rec.fail = 2
    h.write(EXR)
    h.write(MOV)
    assert h.step() == []  # first try fails: retry in 0.5 s
    assert h.step(0.4) == []
    assert h.step(0.1) == []  # second try fails: retry in 1.0 s
    assert h.step(0.9) == []
    assert h.step(0.1) == [("ready", EXR), ("ready", MOV)]
    messages = [msg for _, msg in h.rec.backlog]
    assert "database is restarting; 2 pending, retrying in 0.5 s" in messages
    assert "retrying in 1.0 s" in messages[1]
    assert messages[-1] == "catalog available again; 1 pending"


def test_backoff_is_capped(h):
    h.rec.fail = 100
    h.write(EXR)
    for _ in range(12):
        h.step(60)
    assert h.rec.backlog[-1][1].endswith("retrying in 30.0 s")


def test_events_keep_their_order_through_an_outage(h):
    h.write(EXR)
    h.step()
    h.rec.fail = 1
    renamed = ROOT / "renamed.exr"
    h.rename(EXR, renamed)
    h.step()
    h.remove(renamed)
    assert h.step(1) == [("ready", EXR), ("moved", EXR, renamed), ("deleted", renamed)]


def test_file_rewritten_during_an_outage_is_ingested_once(h):
    h.rec.fail = 1
    h.write(EXR)
    h.step()
    h.write(EXR, 20)
    assert h.step(1) == [("ready", EXR)]


def test_stop_finishes_the_callback_in_hand_and_returns(clock, disk):
    def ready_then_stop(path):
        h.rec.calls.append(("ready", path))
        h.loop.stop_event.set()

    h = Harness(clock, disk, on_ready=ready_then_stop)
    h.write(EXR)
    h.write(MOV)
    h.loop.run()
    assert h.rec.calls == [("ready", EXR)]
    assert h.loop.backlog() == 1


def test_periodic_rescan(clock, disk):
    h = Harness(clock, disk, LoopTiming(poll_interval=0, rescan_every=60, heartbeat_every=None))
    assert h.step(59) == []
    assert h.step(1) == [("rescan",)]
    assert h.step(60) == [("rescan",), ("rescan",)]


def test_rescan_on_start_comes_before_events(clock, disk):
    timing = LoopTiming(poll_interval=0, rescan_on_start=True, heartbeat_every=None)
    h = Harness(clock, disk, timing)
    h.write(EXR)
    assert h.step() == [("rescan",), ("ready", EXR)]


def test_heartbeat_reports_last_event_and_backlog(clock, disk):
    h = Harness(clock, disk, LoopTiming(poll_interval=0, heartbeat_every=30))
    h.step()
    h.write(EXR, close=False)
    h.step(30)
    last_event, backlog = h.rec.beats[-1]
    assert len(h.rec.beats) == 2
    assert last_event is not None and last_event.timestamp() == clock.now
    assert backlog == 1


def test_heartbeat_failure_does_not_stop_the_loop(clock, disk):
    def unavailable(last, n):
        raise RetryLater("catalog busy")

    h = Harness(clock, disk, LoopTiming(poll_interval=0, heartbeat_every=1), heartbeat=unavailable)
    h.write(EXR)
    assert h.step(1) == [("ready", EXR)]


def test_a_flood_of_events_cannot_starve_the_callbacks(h):
    h.write(MOV)
    for _ in range(10_010):
        h.put(EventKind.MODIFIED, EXR)
    assert h.step() == [("ready", MOV)]
    handled = 1 + 10_000  # the first event, then at most 10,000 more per step
    assert h.events.qsize() == 2 + 10_010 - handled


def test_a_burst_of_arrivals_goes_to_on_ready_many_in_runs(clock, disk):
    h = Harness(clock, disk, on_ready_many=lambda paths: h.rec._record("many", *paths))
    frames = [ROOT / f"plate.{n}.exr" for n in range(1001, 1004)]
    for frame in frames[:2]:
        h.write(frame)
    h.rec.fail = 1  # the catalog is away: the whole run stays queued
    assert h.step() == []
    h.remove(MOV)  # queued behind the run: ends it, so nothing is applied out of order
    h.write(frames[2])
    assert h.step(5) == [("many", *frames[:2]), ("deleted", MOV), ("ready", frames[2])]


def test_progress_follows_every_completed_callback_with_the_backlog_left(clock, disk):
    # Issue 8: counts in `prov status` are current, not a heartbeat (30 s) old.
    progress: list[tuple] = []
    h = Harness(clock, disk, on_progress=lambda last, n: progress.append((last, n)))
    h.write(EXR)
    h.write(MOV, close=False)  # still settling: stays in the backlog
    h.rec.fail = 1  # the catalog is away: nothing completed, nothing to report
    assert h.step() == []
    assert progress == []
    assert h.step(1) == [("ready", EXR)]  # retried after the backoff
    (last_event, backlog), *more = progress
    assert more == [] and backlog == 1  # the file done is out of the backlog
    assert last_event is not None
    assert h.rec.beats == []  # the heartbeat itself stays on its own schedule


def test_a_failing_progress_report_does_not_stop_the_loop(clock, disk):
    def unavailable(last, n):
        raise RetryLater("catalog busy")

    h = Harness(clock, disk, on_progress=unavailable)
    h.write(EXR)
    h.write(MOV)
    assert h.step() == [("ready", EXR), ("ready", MOV)]
