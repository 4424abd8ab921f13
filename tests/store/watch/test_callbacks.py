"""store.watch.callbacks: the watch loop's callbacks over a real catalog (SQLite and PostgreSQL).

A held database lock must come out as RetryLater (after the transaction rolled back), and the
same call must succeed once the lock is gone; start-up catch-up, heartbeats and stop."""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

import store.ingest.pipeline
from provenance.analyze import Analyzer
from provenance.watch.events import EventKind, WatchEvent
from provenance.watch.ignore import IgnoreRules
from provenance.watch.loop import RetryLater
from store.catalog.db import Catalog
from store.catalog.models import PathEntry
from store.watch.callbacks import WatchGlue, WatchSetup, limit_lock_wait
from store.watch.changes import Change
from store.watch.heartbeats import WatcherInfo, list_watchers
from tests.conftest import write_jpeg


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


class Harness:
    def __init__(self, catalog: Catalog, analyzer: Analyzer, root: Path) -> None:
        self.events: queue.Queue[WatchEvent] = queue.Queue()
        self.changes: list[Change] = []
        self.messages: list[str] = []
        self.stop = threading.Event()
        self.glue_setup = WatchSetup(
            catalog=catalog,
            analyzer=analyzer,
            info=WatcherInfo.for_this_process([str(root)], "wip"),
            events=self.events,
            stop_event=self.stop,
            report=self.changes.append,
            notify=self.messages.append,
            ignore=IgnoreRules(),
            quiet_window=5.0,
        )
        self.glue = WatchGlue(self.glue_setup)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "deliveries"
    folder.mkdir()
    return folder


@pytest.fixture
def harness(catalog: Catalog, analyzer: Analyzer, root: Path) -> Harness:
    limit_lock_wait(catalog, 0.05)
    return Harness(catalog, analyzer, root)


@contextmanager
def catalog_locked(catalog: Catalog) -> Iterator[None]:
    """Another process holding the catalog: SQLite's write lock, or a PostgreSQL table lock."""
    if catalog.is_sqlite:
        database = catalog.engine.url.database
        assert database
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(catalog.url)
    with engine.connect() as connection, connection.begin():
        connection.execute(text("LOCK TABLE paths, watchers IN ACCESS EXCLUSIVE MODE"))
        yield
    engine.dispose()


def _paths(catalog: Catalog) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(PathEntry)) or 0


def test_every_callback_retries_later_when_locked(
    harness: Harness, catalog: Catalog, root: Path
) -> None:
    path = write_jpeg(root / "plate.jpg")
    with catalog_locked(catalog), pytest.raises(RetryLater, match="unavailable"):
        harness.glue.ingest(path)
    assert _paths(catalog) == 0  # rolled back
    harness.glue.ingest(path)  # the loop's retry, once the lock is gone
    assert [c.kind for c in harness.changes] == ["new"]
    os.rename(path, root / "final.jpg")
    burst = [write_jpeg(root / f"burst_{n}.jpg", (n, 0, 0)) for n in range(3)]
    calls = [
        lambda: harness.glue.ingest_many(burst),
        lambda: harness.glue.move(path, root / "final.jpg"),
        lambda: harness.glue.delete(path),
        harness.glue.rescan,
        lambda: harness.glue.heartbeat(None, 4),
    ]
    with catalog_locked(catalog):
        for call in calls:
            with pytest.raises(RetryLater):
                call()
    for call in calls:
        call()
    assert [c.kind for c in harness.changes] == ["new", "new", "new", "new", "moved"]


def test_a_file_written_again_since_it_settled_waits_for_its_next_settle(
    harness: Harness, catalog: Catalog, root: Path
) -> None:
    settled = harness.glue_setup.settled  # the tracker's stat: what it saw when it settled
    path, other = write_jpeg(root / "plate.jpg"), write_jpeg(root / "other.jpg", (1, 2, 3))
    for seen in (path, other):
        settled.stat(seen)
    write_jpeg(path, (200, 0, 0))  # a rewrite began before the loop called back
    harness.glue.ingest_many([path, other])
    settled.stat(path)
    write_jpeg(path, (0, 200, 0))
    harness.glue.ingest(path)
    assert [Path(c.record["path"]).name for c in harness.changes] == ["other.jpg"]
    harness.glue.ingest(path)  # called again once the rewrite has settled
    assert _paths(catalog) == 2


def test_register_and_stop_survive_an_unavailable_catalog(
    harness: Harness, catalog: Catalog
) -> None:
    with catalog_locked(catalog):
        harness.glue.register()
        assert not harness.glue.stop()
    assert any("heartbeat will be recorded" in m for m in harness.messages)
    assert any("stale" in m for m in harness.messages)
    harness.glue.register()
    assert harness.glue.stop()
    with catalog.session() as session:
        (row,) = list_watchers(session)
    assert (row.state, row.role) == ("stopped", "wip")


def test_startup_rescan_hands_fresh_files_to_the_settle_tracker(
    harness: Harness, root: Path
) -> None:
    old = write_jpeg(root / "old.jpg")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    fresh = write_jpeg(root / "fresh.jpg")  # written now: may still be copying
    harness.glue.rescan()
    assert [Path(c.record["path"]).name for c in harness.changes] == ["old.jpg"]
    event = harness.events.get_nowait()
    assert (event.kind, event.path, event.root) == (EventKind.MODIFIED, fresh, root)
    assert harness.messages == ["caught up: 1 file(s) checked, 1 recorded, 0 marked missing"]
    harness.glue.rescan()
    assert harness.messages[-1].startswith("rescan: ")


def test_sidecar_of_an_asset_still_settling_waits_for_it(harness: Harness, root: Path) -> None:
    asset = root / "shot.0001.exr"
    asset.write_bytes(b"v/1\x01" + os.urandom(512))
    sidecar = root / "shot.0001.c2pa"
    sidecar.write_bytes(b"not yet a manifest")
    harness.glue.sidecar(sidecar)
    assert harness.changes == []
    assert harness.events.get_nowait().path == asset


def _row(catalog: Catalog) -> tuple[int, int] | None:
    with catalog.session() as session:
        rows = list_watchers(session)
    return (rows[0].ingested, rows[0].backlog) if rows else None


def _beat_time(catalog: Catalog) -> object:
    with catalog.session() as session:
        return list_watchers(session)[0].last_heartbeat


def test_counts_are_written_after_each_committed_batch_not_only_on_heartbeats(
    harness: Harness, catalog: Catalog, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 8: `prov status` was up to 30 s behind. Five files, batches of two: while the
    # catch-up reports each file, the row already shows the batches committed before it.
    monkeypatch.setattr(store.ingest.pipeline, "BATCH_FILES", 2)
    for n in range(5):
        old = write_jpeg(root / f"frame_{n}.jpg", (n, 9, 9))
        os.utime(old, (1_000_000_000, 1_000_000_000))  # settled long ago
    seen: list[tuple[int, int] | None] = []
    harness.glue_setup.report = lambda change: seen.append(_row(catalog))
    harness.glue.rescan()
    assert [row[0] if row else None for row in seen] == [0, 0, 2, 2, 4]
    harness.glue.progress(None, 3)  # what the loop calls after the rescan completed
    assert _row(catalog) == (5, 3)
    before = _beat_time(catalog)
    harness.glue.progress(None, 3)  # nothing new: nothing written (the beat time stays)
    assert _beat_time(catalog) == before
    path = write_jpeg(root / "arrival.jpg", (1, 1, 1))
    harness.glue.ingest(path)
    assert _row(catalog) == (5, 3)  # the callback itself leaves the row to the loop
    harness.glue.progress(None, 0)
    assert _row(catalog) == (6, 0)


def test_progress_is_best_effort_when_the_catalog_is_locked(
    harness: Harness, catalog: Catalog, root: Path
) -> None:
    harness.glue.register()
    with catalog_locked(catalog), pytest.raises(RetryLater):
        harness.glue.progress(None, 4)
    harness.glue.progress(None, 4)  # retried: the change is still unwritten
    assert _row(catalog) == (0, 4)
