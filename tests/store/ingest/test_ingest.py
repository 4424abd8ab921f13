"""ingest_path against real files, real c2pa-python and a real catalog (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

import provenance.analyze
from provenance.analyze import Analyzer
from provenance.c2pa_io import action, manifest_definition, sign_sidecar
from store.catalog.db import Catalog
from store.catalog.models import Asset, PathEntry, Version
from store.ingest import IngestAction, ingest_path, iter_files, scan_targets
from tests.conftest import DevPki, SignJpeg, write_jpeg

GENERATED = "trainedAlgorithmicMedia"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _count(catalog: Catalog, model: type) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_signed_generated_still_is_recorded_with_evidence(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg
) -> None:
    path = sign_jpeg(
        "gen.jpg",
        actions=[action("c2pa.created", digital_source_type=GENERATED, software_agent="Firefly")],
    )
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer)
    record = outcome.record
    assert outcome.action is IngestAction.NEW
    assert record["status"] == "ok"
    assert record["media_type"] == "image/jpeg"
    assert record["credentials"]["present"] is True
    assert record["credentials"]["location"] == "embedded"
    assert record["credentials"]["validation_state"] == "Valid"
    assert "signingCredential.untrusted" in record["credentials"]["failure_codes"]
    assert record["credentials"]["signer"]["issuer"]
    assert record["ai"]["involvement"] == "generated"
    assert any(e["value"].endswith(GENERATED) for e in record["ai"]["evidence"])
    with catalog.session() as session:
        version = session.scalars(select(Version)).one()
        assert version.manifest_store and version.manifest_store["manifests"]


def test_trust_anchor_makes_studio_files_trusted(
    catalog: Catalog, dev_pki: DevPki, sign_jpeg: SignJpeg
) -> None:
    from provenance.c2pa_io import ReaderSettings

    trusted = Analyzer(ReaderSettings(trust_anchors_pem=dev_pki.ca_pem.decode()))
    outcome = ingest_path(sign_jpeg(), catalog=catalog, analyzer=trusted)
    assert outcome.record["credentials"]["validation_state"] == "Trusted"


def test_rescan_of_unchanged_file_does_not_rehash(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sign_jpeg()
    ingest_path(path, catalog=catalog, analyzer=analyzer)

    def no_hashing(_path: Path) -> tuple[str, bytes]:
        raise AssertionError("an unchanged file was hashed again")

    monkeypatch.setattr(provenance.analyze, "hash_file", no_hashing)
    again = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert again.action is IngestAction.UNCHANGED
    assert again.record["sha256"]
    assert _count(catalog, Version) == 1


def test_changed_content_adds_a_version_and_keeps_history(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    path = write_jpeg(tmp_path / "plate.jpg", (10, 10, 10))
    first = ingest_path(path, catalog=catalog, analyzer=analyzer)
    write_jpeg(path, (200, 10, 10))
    second = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert second.action is IngestAction.CHANGED
    assert second.record["sha256"] != first.record["sha256"]
    assert second.record["version"] == 2
    assert _count(catalog, Version) == 2
    assert _count(catalog, Asset) == 2


def test_touched_but_identical_file_keeps_one_version(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    path = write_jpeg(tmp_path / "plate.jpg")
    ingest_path(path, catalog=catalog, analyzer=analyzer)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    again = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert again.action is IngestAction.SAME
    assert _count(catalog, Version) == 1


def test_one_content_at_two_paths_is_one_asset(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    original = write_jpeg(tmp_path / "a.jpg")
    copy = tmp_path / "b.jpg"
    shutil.copyfile(original, copy)
    for path in (original, copy):
        ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert _count(catalog, Asset) == 1
    assert _count(catalog, PathEntry) == 2


def test_unsigned_file_has_no_credentials_and_unknown_involvement(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    outcome = ingest_path(write_jpeg(tmp_path / "x.jpg"), catalog=catalog, analyzer=analyzer)
    assert outcome.record["status"] == "no_credentials"
    assert outcome.record["credentials"]["present"] is False
    assert outcome.record["ai"]["involvement"] == "unknown"


def test_tampered_file_reads_invalid(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg
) -> None:
    path = sign_jpeg()
    data = bytearray(path.read_bytes())
    data[-200] ^= 0xFF  # inside the entropy-coded image data, after the manifest
    path.write_bytes(bytes(data))
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert outcome.record["credentials"]["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in outcome.record["credentials"]["failure_codes"]


def _exr_like(path: Path) -> Path:
    path.write_bytes(b"v/1\x01" + os.urandom(2048))
    return path


def test_sidecar_is_read_with_its_asset(
    catalog: Catalog, analyzer: Analyzer, dev_pki: DevPki, tmp_path: Path
) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    frame = _exr_like(folder / "shot.01000.exr")
    manifest = manifest_definition(
        "shot", actions=[action("c2pa.created", digital_source_type=GENERATED)]
    )
    sidecar = folder / "shot.01000.c2pa"
    sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    targets = list(scan_targets(iter_files([folder])))
    assert targets == [frame]
    record = ingest_path(frame, catalog=catalog, analyzer=analyzer).record
    assert record["credentials"]["location"] == "sidecar"
    assert record["credentials"]["sidecar"] == str(sidecar)
    assert record["ai"]["involvement"] == "generated"
    # the sidecar arriving (again) re-reads its asset rather than becoming an asset itself
    sidecar.write_bytes(sidecar.read_bytes())
    os.utime(sidecar, ns=(2_000_000_000, 2_000_000_000))
    again = ingest_path(sidecar, catalog=catalog, analyzer=analyzer)
    assert again.path == str(frame)
    assert _count(catalog, PathEntry) == 1


def test_orphan_sidecar_is_listed_not_dropped(
    catalog: Catalog, analyzer: Analyzer, dev_pki: DevPki, tmp_path: Path
) -> None:
    frame = _exr_like(tmp_path / "lost.exr")
    manifest = manifest_definition(
        "lost", actions=[action("c2pa.created", digital_source_type=GENERATED)]
    )
    sidecar = tmp_path / "lost.c2pa"
    sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    frame.unlink()
    outcome = ingest_path(sidecar, catalog=catalog, analyzer=analyzer)
    assert outcome.record["kind"] == "orphan_sidecar"
    assert "orphan sidecar" in (outcome.reason or "")
    assert outcome.record["credentials"]["present"] is True


@pytest.mark.parametrize(
    ("make", "status", "reason_part"),
    [
        (lambda p: p.write_bytes(b""), "unreadable", "empty file"),
        (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 10), "error", "malformed"),
        (lambda p: p.write_bytes(b"just some text\n"), "unsupported", "format"),
        (lambda p: p.symlink_to(p), "unreadable", "symlink loop"),
    ],
    ids=["zero-byte", "truncated-jpeg", "text", "symlink-loop"],
)
def test_bad_files_get_a_status_and_reason(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path, make, status: str, reason_part: str | None
) -> None:
    path = tmp_path / "bad.jpg"
    make(path)
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert outcome.record["status"] == status
    if reason_part:
        assert reason_part in (outcome.reason or "")


def test_vanished_file_is_unreadable(catalog: Catalog, analyzer: Analyzer, tmp_path: Path) -> None:
    outcome = ingest_path(tmp_path / "gone.jpg", catalog=catalog, analyzer=analyzer)
    assert outcome.record["status"] == "unreadable"
    assert "vanished" in (outcome.reason or "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file; permissions can't fail")
def test_permission_denied_is_unreadable(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    path = write_jpeg(tmp_path / "locked.jpg")
    path.chmod(0)
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert outcome.record["status"] == "unreadable"


def test_non_utf8_file_name_is_recorded(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.jpg"
    write_jpeg(Path(os.fsdecode(raw)))
    outcome = ingest_path(Path(os.fsdecode(raw)), catalog=catalog, analyzer=analyzer)
    assert outcome.record["status"] == "no_credentials"
    assert outcome.record["path"].endswith("caf\\xe9.jpg")


def test_concurrent_ingest_of_one_file_records_one_version(
    catalog: Catalog, tmp_path: Path
) -> None:
    path = write_jpeg(tmp_path / "shared.jpg")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            ingest_path(path, catalog=catalog, analyzer=Analyzer(), force=True)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(catalog, Version) == 1
    assert _count(catalog, Asset) == 1
