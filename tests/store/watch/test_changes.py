"""store.watch.changes and store.watch.heartbeats on real files and a real catalog (SQLite and PostgreSQL):
reconcile, moves, deletions, the compare-and-set ingest of the watcher, heartbeat rows."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import provenance.targets
from provenance.analyze import Analyzer, fingerprint
from provenance.c2pa_io import action, manifest_definition, sign_sidecar
from provenance.watch.ignore import IgnoreRules, ignore_globs
from store.catalog.db import Catalog
from store.catalog.models import Asset, PathEntry, Version, utcnow
from store.catalog.paths import get_path, path_key, versions_of
from store.ingest import IngestAction, ingest_path
from store.watch.changes import (
    MISSING,
    MOVED,
    Change,
    ingest_settled,
    ingest_settled_many,
    reconcile,
    record_deletion,
    record_move,
)
from store.watch.heartbeats import (
    HEARTBEAT_EVERY,
    Beat,
    WatcherInfo,
    catalog_totals,
    list_watchers,
    upsert_watcher,
)
from tests.conftest import DevPki, write_jpeg

RED, GREEN, BLUE = (200, 10, 10), (10, 200, 10), (10, 10, 200)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "deliveries"
    folder.mkdir()
    return folder


def _count(catalog: Catalog, model: type) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _entry(catalog: Catalog, path: Path) -> PathEntry:
    with catalog.session() as session:
        entry = get_path(session, path_key(path))
        assert entry is not None, f"{path} is not in the catalog"
        return entry


def _versions(catalog: Catalog, path: Path) -> list[Version]:
    with catalog.session() as session:
        return versions_of(session, _entry(catalog, path))


def _current_sha(catalog: Catalog, path: Path) -> str | None:
    return _versions(catalog, path)[-1].sha256


def _reconcile(folder: Path, catalog: Catalog, analyzer: Analyzer) -> list[Change]:
    changes: list[Change] = []
    reconcile([folder], catalog=catalog, analyzer=analyzer, report=changes.append)
    return changes


def _kinds(changes: list[Change]) -> dict[str, str]:
    return {Path(c.record["path"]).name: c.kind for c in changes}


# -- reconcile -------------------------------------------------------------------------------


def test_reconcile_catches_up_on_what_changed_while_down(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    kept, changed, deleted = (
        write_jpeg(root / n, c) for n, c in zip("abc", (RED, GREEN, BLUE), strict=True)
    )
    (root / "shots").mkdir()
    assert _kinds(_reconcile(root, catalog, analyzer)) == {"a": "new", "b": "new", "c": "new"}
    # the watcher is down: one file rewritten, one deleted, one added in a new folder
    write_jpeg(changed, RED)
    deleted.unlink()
    added = write_jpeg(root / "shots" / "d", BLUE)
    changes = _reconcile(root, catalog, analyzer)
    assert _kinds(changes) == {"b": "changed", "c": MISSING, "d": "new"}
    assert len(_versions(catalog, changed)) == 2
    assert _entry(catalog, deleted).missing_since is not None
    assert len(_versions(catalog, deleted)) == 1  # history stays
    assert _entry(catalog, kept).missing_since is None
    assert _entry(catalog, added).missing_since is None
    # re-runnable: nothing left to do
    assert _reconcile(root, catalog, analyzer) == []


def test_reconcile_leaves_files_still_settling_to_the_caller(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    done, copying = write_jpeg(root / "done.jpg"), write_jpeg(root / "copying.jpg", RED)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    copying.write_bytes(copying.read_bytes()[:100])  # a copy restarting over it
    handed: list[Path] = []
    summary = reconcile(
        [root],
        catalog=catalog,
        analyzer=analyzer,
        settling=lambda p: p == copying and not handed.append(p),
    )
    assert handed == [copying]
    assert summary.total == 1  # done.jpg only; the settling file is neither read nor missing
    assert len(_versions(catalog, copying)) == 1
    assert _entry(catalog, copying).missing_since is None
    assert _entry(catalog, done).missing_since is None


def test_reconcile_marks_missing_only_after_a_full_walk_and_only_what_is_gone(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    first, gone = write_jpeg(root / "a.jpg"), write_jpeg(root / "b.jpg", RED)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    gone.unlink()
    summary = reconcile([root], catalog=catalog, analyzer=analyzer, keep_going=lambda: False)
    assert summary.total == 0
    assert _entry(catalog, gone).missing_since is None  # the next full run marks it
    assert _entry(catalog, first).missing_since is None
    # a catalogued file now ignored is not walked, but it is there: not missing
    movie = write_jpeg(root / "clip.mov")
    reconcile([root], catalog=catalog, analyzer=analyzer)
    reconcile(
        [root], catalog=catalog, analyzer=analyzer, ignore=IgnoreRules(ignore_globs(["*.mov"]))
    )
    assert _entry(catalog, movie).missing_since is None


# -- moves -----------------------------------------------------------------------------------


def test_move_keeps_content_identity(catalog: Catalog, analyzer: Analyzer, root: Path) -> None:
    src = write_jpeg(root / "plate_v001.jpg")
    ingest_path(src, catalog=catalog, analyzer=analyzer)
    dest = root / "plate_final.jpg"
    os.rename(src, dest)
    changes: list[Change] = []
    assert record_move(src, dest, catalog=catalog, analyzer=analyzer, report=changes.append)
    assert [(c.kind, c.moved_from) for c in changes] == [(MOVED, path_key(src))]
    assert _current_sha(catalog, dest) == _current_sha(catalog, src)
    old = _entry(catalog, src)
    assert old.missing_since is not None
    assert old.moved_to == path_key(dest)
    assert _count(catalog, Asset) == 1
    # repeated (a second watcher saw the same rename): nothing changes
    record_move(src, dest, catalog=catalog, analyzer=analyzer)
    assert _entry(catalog, src).missing_since == old.missing_since
    assert _count(catalog, Version) == 2
    # a new file at the old path: present again, and no longer "moved to"
    write_jpeg(src, RED)
    ingest_path(src, catalog=catalog, analyzer=analyzer)
    entry = _entry(catalog, src)
    assert (entry.missing_since, entry.moved_to) == (None, None)


def test_move_of_an_unknown_file_is_a_no_op_and_a_vanished_dest_is_still_pointed_to(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    dest = write_jpeg(root / "arrived.jpg")
    assert not record_move(root / "never_seen.jpg", dest, catalog=catalog, analyzer=analyzer)
    assert _count(catalog, PathEntry) == 0  # the watcher ingests dest as an arrival
    src = write_jpeg(root / "a.jpg")
    ingest_path(src, catalog=catalog, analyzer=analyzer)
    src.unlink()  # renamed to b.jpg, then b.jpg moved on before we got to it
    record_move(src, root / "b.jpg", catalog=catalog, analyzer=analyzer)
    assert _entry(catalog, src).moved_to == path_key(root / "b.jpg")
    assert _count(catalog, PathEntry) == 1  # b.jpg not recorded


def test_move_over_an_existing_file_adds_a_version_there(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    src, dest = write_jpeg(root / "new.jpg", RED), write_jpeg(root / "current.jpg", GREEN)
    for path in (src, dest):
        ingest_path(path, catalog=catalog, analyzer=analyzer)
    red = _current_sha(catalog, src)
    os.replace(src, dest)
    record_move(src, dest, catalog=catalog, analyzer=analyzer)
    assert [v.sha256 for v in _versions(catalog, dest)][-1] == red
    assert len(_versions(catalog, dest)) == 2
    assert _entry(catalog, src).moved_to == path_key(dest)


# -- deletions -------------------------------------------------------------------------------


def test_deletion_marks_missing_keeps_history_repeats_harmlessly_and_spares_files_back(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    path = write_jpeg(root / "plate.jpg")
    ingest_path(path, catalog=catalog, analyzer=analyzer)
    write_jpeg(path, RED)
    ingest_path(path, catalog=catalog, analyzer=analyzer)
    path.unlink()
    assert record_deletion(path, catalog=catalog, analyzer=analyzer) == 1
    first = _entry(catalog, path).missing_since
    assert first is not None
    assert record_deletion(path, catalog=catalog, analyzer=analyzer) == 0
    assert _entry(catalog, path).missing_since == first
    assert len(_versions(catalog, path)) == 2
    # a delete event handled after the file was written again: left alone
    back = write_jpeg(root / "back.jpg")
    ingest_path(back, catalog=catalog, analyzer=analyzer)
    assert record_deletion(back, catalog=catalog, analyzer=analyzer) == 0
    assert _entry(catalog, back).missing_since is None


def test_folder_deletion_marks_everything_below_and_nothing_beside(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    shot, sibling = root / "shot_10%", root / "shot_10%_v2"  # LIKE wildcards in the name
    for folder in (shot, shot / "sub", sibling):
        folder.mkdir()
    inside = [write_jpeg(shot / "a.jpg"), write_jpeg(shot / "sub" / "b.jpg", RED)]
    beside = write_jpeg(sibling / "c.jpg", GREEN)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    for path in inside:
        path.unlink()
    os.rmdir(shot / "sub")
    os.rmdir(shot)
    assert record_deletion(shot, catalog=catalog, analyzer=analyzer) == 2
    assert all(_entry(catalog, path).missing_since for path in inside)
    assert _entry(catalog, beside).missing_since is None


def test_deleted_sidecar_rereads_its_asset(
    catalog: Catalog, analyzer: Analyzer, dev_pki: DevPki, root: Path
) -> None:
    frame = root / "shot.01000.exr"
    frame.write_bytes(b"v/1\x01" + os.urandom(2048))
    manifest = manifest_definition(
        "shot", actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
    )
    sidecar = root / "shot.01000.c2pa"
    sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    with_sidecar = ingest_path(sidecar, catalog=catalog, analyzer=analyzer)
    assert with_sidecar.record["credentials"]["location"] == "sidecar"
    sidecar.unlink()
    changes: list[Change] = []
    record_deletion(sidecar, catalog=catalog, analyzer=analyzer, report=changes.append)
    assert [c.kind for c in changes] == ["changed"]
    versions = _versions(catalog, frame)
    assert [v.cred_present for v in versions] == [True, False]
    assert versions[0].sha256 == versions[1].sha256


# -- the watcher's compare-and-set ingest ----------------------------------------------------


def test_require_stable_records_nothing_for_a_file_changed_or_gone_after_reading(
    catalog: Catalog, analyzer: Analyzer, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jpeg(root / "plate.jpg")
    real = provenance.targets.analyze_file

    def read_then_rewritten(*args, **kwargs):  # type: ignore[no-untyped-def]
        report = real(*args, **kwargs)
        write_jpeg(path, RED)  # another writer, between our read and our commit
        return report

    monkeypatch.setattr(provenance.targets, "analyze_file", read_then_rewritten)
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer, require_stable=True)
    assert outcome.action is IngestAction.SKIPPED
    assert _count(catalog, PathEntry) == 0
    monkeypatch.setattr(provenance.targets, "analyze_file", real)
    again = ingest_path(path, catalog=catalog, analyzer=analyzer, require_stable=True)
    assert again.action is IngestAction.NEW
    gone = ingest_path(root / "gone.jpg", catalog=catalog, analyzer=analyzer, require_stable=True)
    assert gone.action is IngestAction.SKIPPED  # moved or deleted: its event records that
    assert _count(catalog, PathEntry) == 1


def test_a_file_rewritten_after_it_settled_is_not_recorded_alone_or_in_a_burst(
    catalog: Catalog, analyzer: Analyzer, root: Path
) -> None:
    # The rewrite began before the read and paused through it: the read and the commit agree,
    # only the fingerprint the watcher saw settle tells it is not the settled file.
    plate, other = write_jpeg(root / "plate.jpg"), write_jpeg(root / "other.jpg", GREEN)
    settled = {path: fingerprint(path) for path in (plate, other)}
    write_jpeg(plate, RED)
    alone = ingest_settled(plate, catalog=catalog, analyzer=analyzer, settled=settled[plate])
    assert alone is not None and alone.action is IngestAction.SKIPPED
    burst = list(
        ingest_settled_many([plate, other], catalog=catalog, analyzer=analyzer, settled=settled)
    )
    assert {Path(o.path).name: o.action for o in burst} == {
        "plate.jpg": IngestAction.SKIPPED,
        "other.jpg": IngestAction.NEW,
    }
    with catalog.session() as session:
        assert get_path(session, path_key(plate)) is None


# -- heartbeats and totals -------------------------------------------------------------------


def test_heartbeat_rows_register_update_stop_and_go_stale(catalog: Catalog) -> None:
    info = WatcherInfo.for_this_process(["/mnt/a", "/mnt/b"], "final")
    seen_at = utcnow()
    with catalog.transaction() as session:
        upsert_watcher(session, info, Beat(last_event_at=seen_at, backlog=3, ingested=1))
    with catalog.transaction() as session:  # a beat without a new event keeps the old time
        upsert_watcher(session, info, Beat(backlog=0, ingested=5))
    with catalog.session() as session:
        (row,) = list_watchers(session)
    assert (row.host, row.pid, row.folders, row.role) == (
        info.host,
        info.pid,
        ("/mnt/a", "/mnt/b"),
        "final",
    )
    assert (row.state, row.backlog, row.ingested) == ("running", 0, 5)
    assert row.last_event_at == seen_at
    with catalog.transaction() as session:
        upsert_watcher(session, info, Beat(state="stopped", ingested=5))
    with catalog.session() as session:
        (row,) = list_watchers(session)
        assert row.state == "stopped" and row.stopped_at is not None
        later = utcnow() + timedelta(hours=1)
        assert list_watchers(session, stopped_since=later) == []
    # a watcher that went silent (SIGKILL, host down) is stale once silent for over two
    # heartbeat intervals (issue 8); the clock is injected
    silent = WatcherInfo.for_this_process(["/mnt/c"], None)
    with catalog.transaction() as session:
        upsert_watcher(session, silent, Beat())
    with catalog.session() as session:
        beat = next(w for w in list_watchers(session) if w.id == silent.id).last_heartbeat
        for silence, state in [(0, "running"), (2, "running"), (2.01, "stale"), (3, "stale")]:
            now = beat + timedelta(seconds=HEARTBEAT_EVERY * silence)
            states = {w.id: w.state for w in list_watchers(session, now=now)}
            assert states == {info.id: "stopped", silent.id: state}, silence
        shorter = beat + timedelta(seconds=25)  # a watcher configured to beat every 10 s
        states = {w.id: w.state for w in list_watchers(session, now=shorter, heartbeat_every=10)}
        assert states[silent.id] == "stale"


def test_catalog_totals(catalog: Catalog, analyzer: Analyzer, root: Path) -> None:
    a, b = write_jpeg(root / "a.jpg"), write_jpeg(root / "b.jpg")  # same content
    write_jpeg(root / "c.jpg", RED)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    write_jpeg(a, GREEN)
    b.unlink()
    reconcile([root], catalog=catalog, analyzer=analyzer)
    with catalog.session() as session:
        totals = catalog_totals(session)
    assert (totals.paths, totals.missing, totals.versions, totals.assets) == (3, 1, 4, 3)
    assert totals.by_status == {"no_credentials": 2}
    assert totals.by_involvement == {"unknown": 2}
