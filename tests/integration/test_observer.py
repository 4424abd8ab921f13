"""The real watchdog observer (inotify and polling) on temporary folders, feeding a WatchLoop.

Assertions poll with `wait_until`; the only sleeps pace the chunked writes (a slow copy).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from provenance.watch.events import FolderObserver, WatchEvent
from provenance.watch.loop import LoopTiming, WatchCallbacks, WatchLoop
from provenance.watch.settle import SettleTracker

QUIET_WINDOW = 0.5
TIMEOUT = 10.0


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Poll `predicate` until true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)


@dataclass
class Seen:
    """What the loop reported, appended from the loop's thread."""

    ready: list[tuple[Path, int]] = field(default_factory=list)  # (path, size when reported)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)

    def ready_paths(self) -> list[Path]:
        return [path for path, _ in self.ready]

    def callbacks(self) -> WatchCallbacks:
        return WatchCallbacks(
            on_ready=lambda p: self.ready.append((p, p.stat().st_size)),
            on_moved=lambda s, d: self.moved.append((s, d)),
            on_deleted=self.deleted.append,
        )


@dataclass
class Watcher:
    root: Path
    seen: Seen
    events: queue.Queue[WatchEvent]
    loop: WatchLoop

    def settle_sentinel(self, name: str) -> None:
        """Write one more file and wait until it is reported and the loop is idle (no event
        queued, nothing settling): after that nothing written earlier can be reported again."""
        sentinel = self.root / name
        sentinel.write_bytes(b"sentinel")
        wait_until(lambda: sentinel in self.seen.ready_paths() and self._idle())

    def _idle(self) -> bool:
        return self.events.empty() and self.loop.backlog() == 0


@pytest.fixture(params=["inotify", "polling"])
def watcher(request, tmp_path) -> Iterator[Watcher]:
    root = tmp_path / "deliveries"
    root.mkdir()
    events: queue.Queue[WatchEvent] = queue.Queue()
    seen = Seen()
    observer = FolderObserver(
        [root], events, polling=request.param == "polling", polling_interval=0.1
    )
    loop = WatchLoop(
        events,
        SettleTracker(quiet_window=QUIET_WINDOW),
        seen.callbacks(),
        timing=LoopTiming(poll_interval=0.05, heartbeat_every=None),
    )
    thread = threading.Thread(target=loop.run, name="watch-loop")
    with observer:
        thread.start()
        yield Watcher(root, seen, events, loop)
        loop.stop_event.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_file_written_in_chunks_is_ready_once_and_complete(watcher):
    target = watcher.root / "AGM_104_065_010_comp_NFX_v001.mov"
    chunk, chunks = b"\0" * 65536, 9
    with target.open("wb") as out:
        for _ in range(chunks):
            out.write(chunk)
            out.flush()
            time.sleep(0.25)  # a slow copy: pauses shorter than the quiet window
    watcher.settle_sentinel("sentinel.txt")
    assert [entry for entry in watcher.seen.ready if entry[0] == target] == [
        (target, len(chunk) * chunks)
    ]


def test_atomic_rename_is_ready_once(watcher):
    part, final = watcher.root / "plate.1001.exr.part", watcher.root / "plate.1001.exr"
    part.write_bytes(b"exr" * 1000)
    os.rename(part, final)
    watcher.settle_sentinel("sentinel.txt")
    assert watcher.seen.ready_paths().count(final) == 1
    assert part not in watcher.seen.ready_paths()
    assert watcher.seen.moved == []


def test_delete_is_reported(watcher):
    target = watcher.root / "still.tif"
    target.write_bytes(b"tif")
    wait_until(lambda: target in watcher.seen.ready_paths())
    target.unlink()
    wait_until(lambda: target in watcher.seen.deleted)


def test_folder_rename_moves_each_file(watcher):
    shot, renamed = watcher.root / "shot_v001", watcher.root / "shot_v002"
    shot.mkdir()
    for name in ("a.exr", "b.exr"):
        (shot / name).write_bytes(b"exr")
    wait_until(lambda: len(watcher.seen.ready) == 2)
    os.rename(shot, renamed)
    expected = {(shot / n, renamed / n) for n in ("a.exr", "b.exr")}
    wait_until(lambda: expected <= set(watcher.seen.moved))


def test_folder_moved_in_from_outside_arrives(watcher, tmp_path):
    # The usual delivery: copy into a staging folder on the same disk, then move it in.
    staging = tmp_path / "staging" / "shot_v001"
    staging.mkdir(parents=True)
    for name in ("a.exr", "b.exr"):
        (staging / name).write_bytes(b"exr")
    os.rename(staging, watcher.root / "shot_v001")
    watcher.settle_sentinel("sentinel.txt")
    arrived = sorted(p for p in watcher.seen.ready_paths() if p.name != "sentinel.txt")
    assert arrived == [watcher.root / "shot_v001" / n for n in ("a.exr", "b.exr")]


def test_folder_moved_out_of_the_watch_is_deleted(watcher, tmp_path):
    shot = watcher.root / "shot_v001"
    shot.mkdir()
    (shot / "a.exr").write_bytes(b"exr")
    wait_until(lambda: shot / "a.exr" in watcher.seen.ready_paths())
    os.rename(shot, tmp_path / "elsewhere")
    # inotify reports only the folder; polling reports the folder and its files.
    wait_until(lambda: shot in watcher.seen.deleted)
