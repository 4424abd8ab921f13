"""SettleTracker with a fake clock and a fake disk: no sleeping, no files."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.model import FileFingerprint
from provenance.watch.settle import SettleTracker, stat_fingerprint

A = Path("/deliveries/AGM_104_065_010_comp_NFX_v001.1001.exr")
B = Path("/deliveries/AGM_104_065_010_comp_NFX_v001.1002.exr")


@pytest.fixture
def tracker(clock, disk) -> SettleTracker:
    return SettleTracker(quiet_window=2.0, clock=clock, stat=disk.stat)


def test_ready_once_after_the_quiet_window(tracker, clock, disk):
    disk.write(A, 10)
    tracker.touch(A)
    clock.advance(1.9)
    assert tracker.ready() == []
    clock.advance(0.1)
    assert tracker.ready() == [A]
    assert tracker.ready() == []
    assert tracker.pending() == 0


def test_each_event_restarts_the_window(tracker, clock, disk):
    disk.write(A, 10)
    tracker.touch(A)
    clock.advance(1.5)
    disk.write(A, 20)
    tracker.touch(A)
    clock.advance(1.5)
    assert tracker.ready() == []
    clock.advance(0.5)
    assert tracker.ready() == [A]


def test_growth_without_an_event_restarts_the_window(tracker, clock, disk):
    # Polling observers and network mounts can miss writes; the stat still sees them.
    disk.write(A, 10)
    tracker.touch(A)
    clock.advance(1.0)
    disk.write(A, 20)
    clock.advance(1.0)
    assert tracker.ready() == []
    clock.advance(1.9)
    assert tracker.ready() == []
    clock.advance(0.1)
    assert tracker.ready() == [A]


def test_closed_after_write_is_ready_on_the_next_poll(tracker, disk):
    disk.write(A, 10)
    tracker.touch(A)
    tracker.closed(A)
    assert tracker.ready() == [A]


def test_closed_then_written_again_waits_for_the_window(tracker, clock, disk):
    disk.write(A, 10)
    tracker.closed(A)
    disk.write(A, 20)
    tracker.touch(A)
    assert tracker.ready() == []
    clock.advance(2.0)
    assert tracker.ready() == [A]


def test_closed_but_changed_since_the_close_waits_for_the_window(tracker, clock, disk):
    disk.write(A, 10)
    tracker.closed(A)
    disk.write(A, 20)  # reopened and written; its events not seen yet
    assert tracker.ready() == []
    clock.advance(2.0)
    assert tracker.ready() == [A]


def test_vanished_before_settling_is_dropped(tracker, clock, disk):
    disk.write(A, 10)
    tracker.touch(A)
    disk.remove(A)
    clock.advance(2.0)
    assert tracker.ready() == []
    assert tracker.pending() == 0


def test_changed_after_being_reported_is_reported_again(tracker, clock, disk):
    disk.write(A, 10)
    tracker.closed(A)
    assert tracker.ready() == [A]
    disk.write(A, 30)
    tracker.touch(A)
    clock.advance(2.0)
    assert tracker.ready() == [A]


def test_rename_of_a_pending_file_carries_its_window(tracker, clock, disk):
    disk.write(A, 10)
    tracker.touch(A)
    clock.advance(1.0)
    disk.rename(A, B)
    tracker.moved(A, B)
    assert tracker.ready() == []
    clock.advance(1.0)
    assert tracker.ready() == [B]


def test_rename_from_an_untracked_name_is_an_arrival(tracker, disk):
    part, final = Path("/d/shot.exr.part"), Path("/d/shot.exr")
    disk.write(final, 10)
    tracker.moved(part, final)
    assert tracker.ready() == [final]


def test_deleted_forgets_the_file(tracker, clock, disk):
    disk.write(A, 10)
    tracker.touch(A)
    tracker.deleted(A)
    clock.advance(2.0)
    assert tracker.ready() == []
    assert tracker.pending() == 0


def test_deleted_folder_forgets_everything_below(tracker, disk):
    other = Path("/elsewhere/x.exr")
    for path in (A, B, other):
        disk.write(path, 1)
        tracker.touch(path)
    tracker.deleted(Path("/deliveries"))
    assert tracker.pending() == 1


def test_discard_forgets_without_reporting(tracker, disk):
    disk.write(A, 10)
    tracker.closed(A)
    tracker.discard(A)
    assert tracker.ready() == []


def test_ready_reports_in_arrival_order(tracker, clock, disk):
    for path in (B, A):
        disk.write(path, 1)
        tracker.touch(path)
    tracker.touch(B)  # a later event does not move B behind A
    clock.advance(2.0)
    assert tracker.ready() == [B, A]


def test_no_stat_while_the_window_is_still_open(tracker, clock, disk):
    # Thousands of frames in flight must cost nothing per poll.
    disk.write(A, 10)
    tracker.touch(A)
    calls = disk.stat_calls
    for _ in range(10):
        clock.advance(0.1)
        tracker.ready()
    assert disk.stat_calls == calls


def test_negative_quiet_window_is_rejected(clock, disk):
    with pytest.raises(ValueError, match="quiet_window"):
        SettleTracker(quiet_window=-1, clock=clock, stat=disk.stat)


def test_stat_fingerprint_of_a_real_file(tmp_path):
    path = tmp_path / "plate.exr"
    path.write_bytes(b"x" * 5)
    fingerprint = stat_fingerprint(path)
    assert isinstance(fingerprint, FileFingerprint)
    assert fingerprint.size == 5
    assert fingerprint.inode == path.stat().st_ino


def test_stat_fingerprint_is_none_for_folders_and_missing_files(tmp_path):
    assert stat_fingerprint(tmp_path) is None
    assert stat_fingerprint(tmp_path / "missing.exr") is None


def test_closed_waits_out_the_close_grace(clock, disk):
    # A late close (reopened for a rewrite whose events are still on their way) must not
    # make the file ready in the same poll.
    tracker = SettleTracker(quiet_window=2.0, close_grace=0.2, clock=clock, stat=disk.stat)
    disk.write(A, 10)
    tracker.closed(A)
    assert tracker.ready() == []
    disk.write(A, 4)  # the rewrite's modify event arrives
    tracker.touch(A)
    clock.advance(0.2)
    assert tracker.ready() == []
    clock.advance(1.8)
    assert tracker.ready() == [A]
    disk.write(B, 10)
    tracker.closed(B)
    clock.advance(0.2)
    assert tracker.ready() == [B]


def test_mtime_clock_counts_quiet_already_had(clock, disk):
    # Files moved in from a staging folder: written long ago, seen only now.
    wall = {"now": 50.0}  # the disk's mtimes are ns since 0: 0.001 s per write
    tracker = SettleTracker(
        quiet_window=2.0, clock=clock, stat=disk.stat, mtime_clock=lambda: wall["now"]
    )
    disk.write(A, 10)
    tracker.touch(A)
    assert tracker.ready() == [A]  # quiet for 50 s already: one more stat agreed
    wall["now"] = 1.5  # written about 1.5 s ago: about half a second to go
    disk.write(B, 10)
    tracker.touch(B)
    clock.advance(0.4)
    assert tracker.ready() == []
    clock.advance(0.2)
    assert tracker.ready() == [B]
