"""The one writer (store/ingest/writer.py) in batches (ingest_many) against the same writer a
file at a time (ingest_path, a batch of one): the same delivery scanned twice, with changes in
between, into two catalogs must give the same rows, records and outcomes, and a log that
verifies (SQLite and PostgreSQL). A conflict with another writer is retried inside the writer.

On SQLite the two catalogs are compared column by column, ids and audit digests included.
On PostgreSQL rows are compared by their natural keys, and the digests by verifying the log.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

import store.ingest.pipeline
import store.ingest.writer
from provenance.analyze import Analyzer
from provenance.c2pa_io import ReaderSettings, action, manifest_definition, sign_sidecar
from store.audit.chain import verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog, open_catalog
from store.catalog.models import Asset, ClassificationRow, EventRow, PathEntry, Version
from store.catalog.paths import get_path, path_key
from store.ingest import IngestOutcome, ingest_many, ingest_path, iter_files, scan_targets
from store.policy.approvals import record_decision
from store.policy.classify import default_inputs
from tests.conftest import DevPki, SignJpeg, write_jpeg
from tests.fixtures_db import BACKENDS, temporary_catalog_url

GENERATED = "trainedAlgorithmicMedia"
TIMES = {"first_seen", "last_seen", "recorded_at", "created_at", "hash", "prev_hash"}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _delivery(folder: Path, sign_jpeg: SignJpeg, dev_pki: DevPki) -> None:
    """Signed (capture and generated), unsigned, a copy, a sidecar pair, an orphan sidecar
    and bad files."""
    folder.mkdir()
    generated = [action("c2pa.created", digital_source_type=GENERATED, software_agent="Firefly")]
    shutil.move(sign_jpeg("gen.jpg", actions=generated), folder / "a_gen.jpg")
    shutil.move(sign_jpeg("cam.jpg", color=(1, 2, 3)), folder / "b_cam.jpg")
    for name, color in (("c_plate", (10, 10, 10)), ("d_plate", (20, 20, 20))):
        write_jpeg(folder / f"{name}.jpg", color)
    shutil.copyfile(folder / "c_plate.jpg", folder / "e_copy.jpg")
    for stem in ("f_shot", "g_lost"):
        frame = folder / f"{stem}.exr"
        frame.write_bytes(b"\x76\x2f\x31\x01" + stem.encode() * 64)
        manifest = manifest_definition(stem, actions=generated)
        sidecar = folder / f"{stem}.c2pa"
        sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    shutil.move(folder / "g_lost.exr", folder.parent / "g_lost.exr")  # its sidecar: an orphan
    (folder / "h_empty.jpg").write_bytes(b"")
    (folder / "i_truncated.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 10)
    (folder / "j_text.txt").write_bytes(b"just some text\n")


def _change(folder: Path) -> None:
    """Between the scans: new content, a touched-only file, a new file, an orphan's asset back."""
    write_jpeg(folder / "c_plate.jpg", (200, 10, 10))
    os.utime(folder / "d_plate.jpg", ns=(1_000_000_000, 1_000_000_000))
    write_jpeg(folder / "k_new.jpg", (5, 6, 7))
    shutil.move(folder.parent / "g_lost.exr", folder / "g_lost.exr")


def _one_by_one(
    folder: Path, catalog: Catalog, analyzer: Analyzer, force: bool = False
) -> list[IngestOutcome]:
    targets = scan_targets(iter_files([folder]))
    return [ingest_path(p, catalog=catalog, analyzer=analyzer, force=force) for p in targets]


def _bulk(
    folder: Path, catalog: Catalog, analyzer: Analyzer, force: bool = False
) -> list[IngestOutcome]:
    targets = list(scan_targets(iter_files([folder])))
    return list(ingest_many(targets, catalog=catalog, analyzer=analyzer, force=force))


def _outcomes(outcomes: list[IngestOutcome]) -> list[tuple[Any, ...]]:
    def record(r: dict[str, Any]) -> dict[str, Any]:
        risk = {k: v for k, v in (r.get("risk") or {}).items() if k != "classified_at"}
        approval = {k: v for k, v in (r.get("approval") or {}).items() if k != "at"}
        kept = {k: v for k, v in r.items() if k != "recorded_at"}
        return {**kept, "risk": risk, "approval": approval}

    return [(o.path, o.action, o.status, o.reason, record(o.record)) for o in outcomes]


def _raw(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Every row as the database stores it (JSON as text on SQLite), times left out."""
    dump = {}
    with catalog.engine.connect() as connection:
        for table in ("paths", "assets", "versions", "classifications", "events"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).mappings()
            dump[table] = [{k: v for k, v in row.items() if k not in TIMES} for row in rows]
    return dump


def _natural(catalog: Catalog) -> dict[str, list[Any]]:
    """Rows named by natural keys (path, path + seq, sha256) instead of ids; payloads without
    the row ids and digests that name them."""
    with catalog.session() as session:
        versions = {v.id: v for v in session.scalars(select(Version))}
        paths = {p.id: p.path for p in session.scalars(select(PathEntry))}
        shas = {a.id: a.sha256 for a in session.scalars(select(Asset))}

        def version_key(version_id: int | None) -> tuple[str, int] | None:
            v = versions.get(version_id) if version_id else None
            return (paths[v.path_id], v.seq) if v else None

        def columns(row: Any, skip: set[str]) -> dict[str, Any]:
            names = row.__table__.columns.keys()
            return {n: getattr(row, n) for n in names if n not in TIMES | skip}

        return {
            "paths": sorted(
                (
                    p.path,
                    version_key(p.current_version_id),
                    columns(p, {"id", "current_version_id"}),
                )
                for p in session.scalars(select(PathEntry))
            ),
            "assets": sorted(str(columns(a, {"id"})) for a in session.scalars(select(Asset))),
            "versions": sorted(
                (version_key(v.id), shas.get(v.asset_id or 0), str(columns(v, _VERSION_IDS)))
                for v in versions.values()
            ),
            "classifications": [
                (version_key(c.version_id), columns(c, {"id", "version_id"}))
                for c in session.scalars(select(ClassificationRow).order_by(ClassificationRow.id))
            ],
            "events": [
                (e.seq, e.kind, e.target, e.sha256, _without_ids(e.payload))
                for e in session.scalars(select(EventRow).order_by(EventRow.seq))
            ],
        }


_VERSION_IDS = {"id", "path_id", "asset_id"}


def _without_ids(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in {"row", "path_row", "version_id"}}


def _assert_log_verifies(catalog: Catalog) -> None:
    with catalog.session() as session:
        report = verify_chain(session)
        assert report.ok, report.broken
        assert report.count > 0
        assert check_rows_against_log(session) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_batches_write_what_files_one_by_one_write(
    backend: str,
    analyzer: Analyzer,
    sign_jpeg: SignJpeg,
    dev_pki: DevPki,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "delivery"
    _delivery(folder, sign_jpeg, dev_pki)
    monkeypatch.setattr(
        store.ingest.pipeline, "BATCH_FILES", 3
    )  # several batches: the chain goes on
    with _two_catalogs(backend, tmp_path) as (one, bulk):
        for step in range(2):
            if step:
                _change(folder)
            expected = _outcomes(_one_by_one(folder, one, analyzer))
            assert _outcomes(_bulk(folder, bulk, analyzer)) == expected
        actions = {str(o[1]) for o in expected}
        assert {"unchanged", "changed", "same", "new"} <= actions
        assert _natural(bulk) == _natural(one)
        if backend == "sqlite":
            assert _raw(bulk) == _raw(one)
        _assert_log_verifies(bulk)
        _assert_log_verifies(one)


def test_a_conflict_is_retried_inside_the_one_writer(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 9: no per-file fallback any more; a unique violation from a concurrent writer
    # rolls the batch back and the writer writes it again, rows now read under lock.
    from sqlalchemy.exc import IntegrityError

    paths = [write_jpeg(tmp_path / f"{n}.jpg", (n, n, n)) for n in range(3)]
    real, calls = store.ingest.writer.write_batch, []

    def conflict_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[1]))
        if len(calls) == 1:
            real(*args, **kwargs)  # rows written, then the other writer's commit wins
            raise IntegrityError("INSERT", {}, Exception("a watcher was first"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store.ingest.writer, "write_batch", conflict_once)
    outcomes = list(ingest_many(paths, catalog=catalog, analyzer=analyzer))
    assert [str(o.action) for o in outcomes] == ["new"] * 3
    assert calls == [3, 3]  # the whole batch again, in one transaction: never file by file
    with catalog.session() as session:
        assert len(list(session.scalars(select(Version)))) == 3  # the first try rolled back
    _assert_log_verifies(catalog)


def test_a_conflict_that_persists_is_raised_not_swallowed(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    paths = [write_jpeg(tmp_path / f"{n}.jpg", (n, n, n)) for n in range(2)]
    calls: list[int] = []

    def conflict(*_args: object, **_kwargs: object) -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("a watcher was first"))

    monkeypatch.setattr(store.ingest.writer, "write_batch", conflict)
    with pytest.raises(IntegrityError):
        list(ingest_many(paths, catalog=catalog, analyzer=analyzer))
    assert len(calls) == store.ingest.writer.CONFLICT_RETRIES
    with catalog.session() as session:
        assert list(session.scalars(select(PathEntry))) == []


@contextmanager
def _two_catalogs(backend: str, tmp_path: Path) -> Iterator[tuple[Catalog, Catalog]]:
    """Two fresh catalogs on `backend`: one written file by file, one in batches."""
    with (
        temporary_catalog_url(backend, tmp_path / "one") as one_url,
        temporary_catalog_url(backend, tmp_path / "bulk") as bulk_url,
    ):
        (tmp_path / "one").mkdir(exist_ok=True)
        (tmp_path / "bulk").mkdir(exist_ok=True)
        one, bulk = open_catalog(one_url), open_catalog(bulk_url)
        try:
            yield one, bulk
        finally:
            one.dispose()
            bulk.dispose()


def _approve(catalog: Catalog, path: Path) -> None:
    with catalog.transaction() as session:
        entry = get_path(session, path_key(path))
        assert entry is not None and entry.current_version is not None
        record_decision(
            session,
            entry,
            entry.current_version,
            decision="approve",
            by="M. Ortiz",
            ref="LEGAL-2291",
            policy=default_inputs().policy,
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_batches_carry_approvals_to_a_new_reading_like_files_one_by_one(
    backend: str, analyzer: Analyzer, sign_jpeg: SignJpeg, dev_pki: DevPki, tmp_path: Path
) -> None:
    # Issue 8: new trust anchors over unchanged bytes are a new reading of the same content
    # version; both writers record it so and carry the approval to it.
    folder = tmp_path / "delivery"
    _delivery(folder, sign_jpeg, dev_pki)
    trusted = Analyzer(ReaderSettings(trust_anchors_pem=dev_pki.ca_pem.decode()))
    with _two_catalogs(backend, tmp_path) as (one, bulk):
        _one_by_one(folder, one, analyzer)
        _bulk(folder, bulk, analyzer)
        for catalog in (one, bulk):
            _approve(catalog, folder / "a_gen.jpg")
        expected = _outcomes(_one_by_one(folder, one, trusted, force=True))
        assert _outcomes(_bulk(folder, bulk, trusted, force=True)) == expected
        gen = next(o[4] for o in expected if o[0].endswith("a_gen.jpg"))
        assert gen["credentials"]["validation_state"] == "Trusted"
        assert (gen["version"], gen["reading"]) == (1, 2)
        assert gen["approval"]["state"] == "approved"
        assert _natural(bulk) == _natural(one)
        if backend == "sqlite":
            assert _raw(bulk) == _raw(one)
        _assert_log_verifies(bulk)
        _assert_log_verifies(one)
