"""Issue 9: one pipeline and one writer. Every way a file reaches the catalog (scan, a
watcher's single files and bursts, reconcile, moves, a deleted sidecar, declaration files)
writes through store.ingest.writer.write_batch; a file not stable under the row lock is left
out of its batch and the others are still recorded; a path named twice is written once and
then found unchanged (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import provenance.targets
import store.ingest.writer
from provenance.analyze import Analyzer, fingerprint
from provenance.c2pa_io import action, manifest_definition, sign_sidecar
from store.audit.chain import verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog import paths as catalog_paths
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, Version
from store.ingest import IngestAction, ingest_many, ingest_path
from store.watch.changes import (
    ingest_settled,
    ingest_settled_many,
    reconcile,
    record_deletion,
    record_move,
)
from tests.conftest import DevPki, write_jpeg

RED, GREEN = (200, 10, 10), (10, 200, 10)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The names of the files each call of the one writer wrote (or tried to)."""
    calls: list[list[str]] = []
    real = store.ingest.writer.write_batch

    def spy(session: Any, pending: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append([Path(p.report.path).name for p in pending])
        return real(session, pending, *args, **kwargs)

    monkeypatch.setattr(store.ingest.writer, "write_batch", spy)
    return calls


def _count(catalog: Catalog, model: type) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _assert_log_verifies(catalog: Catalog) -> None:
    with catalog.session() as session:
        assert verify_chain(session).ok
        assert check_rows_against_log(session) == []


def _exr_with_sidecar(folder: Path, stem: str, dev_pki: DevPki) -> tuple[Path, Path]:
    frame = folder / f"{stem}.exr"
    frame.write_bytes(b"v/1\x01" + os.urandom(2048))
    created = action("c2pa.created", digital_source_type="digitalCapture")
    manifest = manifest_definition(stem, actions=[created])
    sidecar = folder / f"{stem}.c2pa"
    sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    return frame, sidecar


def test_every_way_in_writes_through_the_one_writer(
    catalog: Catalog, analyzer: Analyzer, dev_pki: DevPki, tmp_path: Path, writes: list[Any]
) -> None:
    root = tmp_path / "deliveries"
    root.mkdir()
    plate = write_jpeg(root / "plate.jpg")
    assert ingest_path(plate, catalog=catalog, analyzer=analyzer).action is IngestAction.NEW
    assert writes == [["plate.jpg"]]
    a, b = write_jpeg(root / "a.jpg", RED), write_jpeg(root / "b.jpg", GREEN)
    burst = ingest_settled_many([a, b], catalog=catalog, analyzer=analyzer)
    assert [o.action for o in burst] == [IngestAction.NEW] * 2
    assert writes[-1] == ["a.jpg", "b.jpg"]  # a burst: one batch, one transaction
    write_jpeg(plate, GREEN)
    single = ingest_settled(plate, catalog=catalog, analyzer=analyzer)
    assert single is not None and single.action is IngestAction.CHANGED
    assert writes[-1] == ["plate.jpg"]
    frame, sidecar = _exr_with_sidecar(root, "shot", dev_pki)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    assert writes[-1] == ["shot.exr"]  # the frame, read with its sidecar
    (root / "moved.jpg").write_bytes(a.read_bytes())
    a.unlink()
    assert record_move(a, root / "moved.jpg", catalog=catalog, analyzer=analyzer)
    assert writes[-1] == ["moved.jpg"]
    sidecar.unlink()
    record_deletion(sidecar, catalog=catalog, analyzer=analyzer)
    assert writes[-1] == ["shot.exr"]  # read again without its credentials
    declaration = root / "prov.genai.toml"
    declaration.write_text('[[declarations]]\ntool = "Firefly"\n', encoding="utf-8")
    ingest_path(declaration, catalog=catalog, analyzer=analyzer)
    assert writes[-1] == ["prov.genai.toml"]
    _assert_log_verifies(catalog)


def test_the_per_file_writers_are_gone() -> None:
    for module in ("store.batch", "store.bulk", "store.declaration_ingest"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(module)
    for twin in ("record_report", "lock_path", "upsert_asset", "mark_sidecar_paired"):
        assert not hasattr(catalog_paths, twin)


def test_a_file_not_stable_is_left_out_and_the_rest_of_its_batch_recorded(
    catalog: Catalog,
    analyzer: Analyzer,
    tmp_path: Path,
    writes: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = [write_jpeg(tmp_path / f"{n}.jpg", (n * 40, 10, 10)) for n in range(3)]
    real = provenance.targets.analyze_file

    def rewritten_after_read(path: Path, **kwargs: Any) -> Any:
        report = real(path, **kwargs)
        if path.name == "1.jpg":
            write_jpeg(path, GREEN)  # another writer, between our read and our commit
        return report

    monkeypatch.setattr(provenance.targets, "analyze_file", rewritten_after_read)
    outcomes = list(ingest_many(paths, catalog=catalog, analyzer=analyzer, require_stable=True))
    assert [str(o.action) for o in outcomes] == ["new", "skipped", "new"]
    assert outcomes[1].reason and "changed while it was read" in outcomes[1].reason
    # The batch is rolled back under the lock and written again without the file.
    assert writes == [["0.jpg", "1.jpg", "2.jpg"], ["0.jpg", "2.jpg"]]
    assert (_count(catalog, PathEntry), _count(catalog, Version)) == (2, 2)
    _assert_log_verifies(catalog)


def test_a_file_not_stable_without_require_stable_is_recorded(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scan is not a watcher: what it read is recorded; the next scan sees the rewrite.
    path = write_jpeg(tmp_path / "plate.jpg")
    real = provenance.targets.analyze_file

    def rewritten_after_read(target: Path, **kwargs: Any) -> Any:
        report = real(target, **kwargs)
        write_jpeg(target, GREEN)
        return report

    monkeypatch.setattr(provenance.targets, "analyze_file", rewritten_after_read)
    assert ingest_path(path, catalog=catalog, analyzer=analyzer).action is IngestAction.NEW


def test_a_burst_with_every_file_unstable_records_nothing(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    paths = [write_jpeg(tmp_path / f"{n}.jpg") for n in range(2)]
    settled = {catalog_paths.path_key(p): fingerprint(p) for p in paths}
    for path in paths:
        write_jpeg(path, RED)  # rewritten after it settled
    outcomes = list(
        ingest_many(paths, catalog=catalog, analyzer=analyzer, require_stable=True, settled=settled)
    )
    assert [str(o.action) for o in outcomes] == ["skipped", "skipped"]
    assert _count(catalog, PathEntry) == 0


def test_a_path_named_twice_is_written_once_then_found_unchanged(
    catalog: Catalog, analyzer: Analyzer, dev_pki: DevPki, tmp_path: Path, writes: list[Any]
) -> None:
    plate = write_jpeg(tmp_path / "plate.jpg")
    frame, sidecar = _exr_with_sidecar(tmp_path, "shot", dev_pki)
    targets = [plate, plate, sidecar, frame]  # the sidecar arriving is read with its frame
    outcomes = list(ingest_many(targets, catalog=catalog, analyzer=analyzer))
    assert [str(o.action) for o in outcomes] == ["new", "unchanged", "new", "unchanged"]
    assert [Path(o.path).name for o in outcomes] == ["plate.jpg"] * 2 + ["shot.exr"] * 2
    assert writes == [["plate.jpg"], ["shot.exr"]]
    assert (_count(catalog, PathEntry), _count(catalog, Version)) == (2, 2)
    _assert_log_verifies(catalog)
