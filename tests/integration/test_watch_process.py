"""Real `prov watch` processes with the real observer, on temporary folders, against SQLite and
PostgreSQL: settling, renames, deletes, SIGTERM, SIGKILL, restart catch-up, a locked catalog.

Assertions poll with `wait_until`; the only sleeps pace the writers (a slow copy).
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from store.catalog.db import Catalog, open_catalog
from store.catalog.models import Asset, PathEntry, Version, Watcher
from store.catalog.paths import get_path, path_key, versions_of

pytestmark = pytest.mark.slow

QUIET_WINDOW = "0.4"
TIMEOUT = 20.0


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, what: str = "") -> None:
    """Poll `predicate` until true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what or predicate}")
        time.sleep(0.05)


def jpeg_bytes(seed: int | None = None, size: tuple[int, int] = (96, 64)) -> bytes:
    """A small JPEG whose content is unique (noise), so every write is a distinct SHA-256."""
    noise = os.urandom(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(out, "JPEG", quality=90)
    return out.getvalue()


def write_in_chunks(path: Path, data: bytes, chunks: int, pause: float) -> None:
    """A slow copy: `chunks` writes with pauses, flushed so the watcher sees each one."""
    step = -(-len(data) // chunks)
    with path.open("wb") as out:
        for start in range(0, len(data), step):
            out.write(data[start : start + step])
            out.flush()
            time.sleep(pause)


class WatchProcess:
    """`prov watch --jsonl` in a subprocess; its records and messages collected live.

    stderr goes into the same pipe as stdout, so the lines arrive in the order the watcher
    wrote them (one thread writes both): a message such as "caught up" is then a barrier,
    with every record printed before it already collected. Two pipes read by two threads
    gave no order at all, and under load "caught up" could be seen before the records
    printed ahead of it (issue 8, a flaky test)."""

    def __init__(self, db_url: str, folders: list[Path], *options: str) -> None:
        command = [sys.executable, "-m", "cli.main", "--db", db_url, "watch", "--jsonl"]
        command += ["--quiet-window", QUIET_WINDOW, *options, *map(str, folders)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.records: list[dict[str, Any]] = []
        self.messages: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            line = line.rstrip("\n")
            # Records are JSON objects; every message starts with a word ("watch:", ...).
            if line.startswith("{"):
                self.records.append(json.loads(line))
            else:
                self.messages.append(line)

    def said(self, fragment: str) -> bool:
        return any(fragment in message for message in self.messages)

    def wait_caught_up(self) -> WatchProcess:
        wait_until(lambda: self.said("caught up") or self.proc.poll() is not None, what="start")
        assert self.proc.poll() is None, "\n".join(self.messages)
        return self

    def records_for(self, path: Path) -> list[dict[str, Any]]:
        return [r for r in self.records if r["path"] == path_key(path)]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def kill_if_running(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def start_watch(db_url: str) -> Iterator[Callable[..., WatchProcess]]:
    started: list[WatchProcess] = []

    def start(folders: list[Path], *options: str) -> WatchProcess:
        process = WatchProcess(db_url, folders, *options)
        started.append(process)
        return process.wait_caught_up()

    yield start
    for process in started:
        process.kill_if_running()


@pytest.fixture
def catalog_view(db_url: str) -> Iterator[Catalog]:
    """The test's own connection to the catalog the watchers write."""
    opened = open_catalog(db_url)
    yield opened
    opened.dispose()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "deliveries"
    folder.mkdir()
    return folder


# -- what the catalog says -------------------------------------------------------------------


def history(catalog: Catalog, path: Path) -> list[str | None]:
    """The SHA-256 of each version recorded at `path`, oldest first ([] when unknown)."""
    with catalog.session() as session:
        entry = get_path(session, path_key(path))
        return [] if entry is None else [v.sha256 for v in versions_of(session, entry)]


def entry_of(catalog: Catalog, path: Path) -> PathEntry | None:
    with catalog.session() as session:
        return get_path(session, path_key(path))


def count(catalog: Catalog, model: type) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def assert_integrity(catalog: Catalog) -> None:
    """No half-written rows: every path has a current version that is one of its own, and
    every read version has its asset."""
    with catalog.session() as session:
        for entry in session.scalars(select(PathEntry)):
            assert entry.current_version is not None, entry.path
            assert entry.current_version.path_id == entry.id, entry.path
        for version in session.scalars(select(Version)):
            if version.sha256 is not None:
                asset = session.get(Asset, version.asset_id) if version.asset_id else None
                assert asset is not None and asset.sha256 == version.sha256


def watcher_states(catalog: Catalog) -> list[str]:
    with catalog.session() as session:
        return list(session.scalars(select(Watcher.state).order_by(Watcher.started_at)))


# -- the tests -------------------------------------------------------------------------------


def test_settles_renames_deletes_stops_and_catches_up_on_restart(
    start_watch: Callable[..., WatchProcess], catalog_view: Catalog, root: Path
) -> None:
    kept, rewritten, deleted = (root / f"{n}.jpg" for n in ("kept", "rewritten", "deleted"))
    for path in (kept, rewritten, deleted):
        path.write_bytes(jpeg_bytes())
    watcher = start_watch([root])
    assert len(watcher.records) == 3  # the start-up catch-up
    # a copy written in chunks over ~2 s, pauses shorter than the quiet window
    slow = root / "AGM_104_065_010_comp_v001.jpg"
    data = jpeg_bytes(size=(320, 240))
    write_in_chunks(slow, data, chunks=8, pause=0.25)
    # an atomic rename from a partial name
    part, final = root / "plate.1001.jpg.part", root / "plate.1001.jpg"
    part.write_bytes(jpeg_bytes())
    os.rename(part, final)
    wait_until(lambda: watcher.records_for(slow) and watcher.records_for(final))
    (record,) = watcher.records_for(slow)
    assert record["size"] == len(data) and record["status"] == "no_credentials"
    assert len(watcher.records_for(final)) == 1
    assert watcher.records_for(part) == []
    assert len(history(catalog_view, slow)) == 1
    # a delete: the watcher prints the change once it is committed, so wait for the line
    # (waiting for the catalog raced with the print)
    final.unlink()
    wait_until(lambda: bool(watcher.records_for(final)[-1]["missing_since"]), what="missing")
    assert entry_of(catalog_view, final).missing_since is not None  # type: ignore[union-attr]
    # SIGTERM: exit 0, the watcher's row says stopped
    assert watcher.stop() == 0
    assert watcher.said("stopped (SIGTERM)")
    assert watcher_states(catalog_view) == ["stopped"]
    assert count(catalog_view, PathEntry) == 5 and count(catalog_view, Version) == 5
    # every change told once, none twice: all output is in now that the process has exited
    told = [(Path(r["path"]).name, bool(r["missing_since"])) for r in watcher.records]
    assert sorted(told) == sorted(
        [(p.name, False) for p in (kept, rewritten, deleted, slow, final)] + [(final.name, True)]
    )
    # while no watcher runs: a delivery copied in, one file rewritten, one deleted
    (root / "shot_010").mkdir()
    copied = [root / "shot_010" / f"frame.{n}.jpg" for n in range(1001, 1006)]
    for path in copied:
        path.write_bytes(jpeg_bytes())
    rewritten.write_bytes(jpeg_bytes())
    os.utime(rewritten, (time.time() - 60, time.time() - 60))  # settled long ago
    deleted.unlink()
    restarted = start_watch([root])
    changed = sorted(path_key(p) for p in [*copied, rewritten, deleted])
    # A copy younger than the quiet window when the catch-up saw it is left to settle, and
    # is recorded just after "caught up": wait for the records, not for the message.
    wait_until(lambda: sorted(r["path"] for r in restarted.records) == changed, what="catch-up")
    assert len(history(catalog_view, rewritten)) == 2
    assert len(history(catalog_view, kept)) == 1
    assert entry_of(catalog_view, deleted).missing_since is not None  # type: ignore[union-attr]
    assert restarted.stop(signal.SIGINT) == 0
    assert sorted(r["path"] for r in restarted.records) == changed  # each once, no more
    assert watcher_states(catalog_view) == ["stopped", "stopped"]
    assert_integrity(catalog_view)


def test_sigkill_leaves_no_half_rows_and_next_start_catches_up(
    start_watch: Callable[..., WatchProcess], catalog_view: Catalog, root: Path
) -> None:
    watcher = start_watch([root])
    files = [root / f"frame.{n:04d}.jpg" for n in range(40)]

    def render() -> None:  # frames landing one by one, on after the crash
        for path in files:
            path.write_bytes(jpeg_bytes(size=(256, 192)))
            time.sleep(0.03)

    writer = threading.Thread(target=render)
    writer.start()
    wait_until(lambda: len(watcher.records) >= 5)
    watcher.stop(signal.SIGKILL)  # mid-run: most frames still to come
    assert count(catalog_view, PathEntry) < len(files)
    assert_integrity(catalog_view)
    assert watcher_states(catalog_view) == ["running"]  # `prov status` shows it stale later
    writer.join()
    restarted = start_watch([root])
    wait_until(lambda: count(catalog_view, PathEntry) == len(files), what="all frames")
    for path in files:
        assert len(history(catalog_view, path)) == 1, path
    assert_integrity(catalog_view)
    assert restarted.stop() == 0


@contextmanager
def catalog_locked(db_url: str) -> Iterator[None]:
    """Another process holding the catalog: SQLite's write lock (BEGIN EXCLUSIVE) or, on
    PostgreSQL, an exclusive lock on the paths table."""
    if db_url.startswith("sqlite"):
        holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("LOCK TABLE paths IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def test_locked_catalog_is_reported_and_nothing_is_lost(
    start_watch: Callable[..., WatchProcess], catalog_view: Catalog, root: Path, db_url: str
) -> None:
    watcher = start_watch([root])
    files = [root / f"still_{n}.jpg" for n in range(3)]
    with catalog_locked(db_url):
        for path in files:
            path.write_bytes(jpeg_bytes())
        wait_until(lambda: watcher.said("unavailable"), what="the watcher reports the outage")
        assert watcher.records == []
    wait_until(lambda: len(watcher.records) == len(files), what="pending files recorded")
    wait_until(lambda: watcher.said("catalog available again"))
    outage = next(m for m in watcher.messages if "unavailable" in m)
    assert "pending, retrying in" in outage
    assert sorted(r["path"] for r in watcher.records) == sorted(map(path_key, files))
    assert all(len(history(catalog_view, path)) == 1 for path in files)
    assert watcher.stop() == 0
