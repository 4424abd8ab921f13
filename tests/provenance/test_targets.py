"""provenance.targets: what a path is for the catalog, resolved in one call (issue 9), and the
watcher's compare-and-set. Real files on disk, real c2pa reads."""

from __future__ import annotations

import os
from pathlib import Path

from provenance.analyze import Analyzer, fingerprint
from provenance.model import FileStatus
from provenance.targets import (
    ASSET,
    DECLARATION,
    ORPHAN_SIDECAR,
    SidecarFingerprint,
    resolve_target,
    still_as_read,
)
from tests.conftest import write_jpeg


def test_an_asset_is_resolved_with_the_sidecar_beside_it(tmp_path: Path) -> None:
    frame = tmp_path / "shot.01000.exr"
    frame.write_bytes(b"v/1\x01" + os.urandom(64))
    sidecar = tmp_path / "shot.01000.c2pa"
    sidecar.write_bytes(b"not a manifest store")
    for given in (frame, sidecar):  # a sidecar arriving is read with its asset
        target = resolve_target(given)
        assert (target.given, target.path, target.kind) == (given, frame, ASSET)
        assert target.sidecar == sidecar
        assert target.sidecar_fp == SidecarFingerprint(20, sidecar.stat().st_mtime_ns)
        assert target.fingerprint == fingerprint(frame)


def test_an_asset_without_a_sidecar_and_an_orphan_sidecar(tmp_path: Path) -> None:
    plate = write_jpeg(tmp_path / "plate.jpg")
    target = resolve_target(plate)
    assert (target.kind, target.sidecar, target.sidecar_fp) == (ASSET, None, None)
    orphan = tmp_path / "lost.c2pa"
    orphan.write_bytes(b"manifest store without its asset")
    target = resolve_target(orphan)
    assert (target.path, target.kind, target.sidecar) == (orphan, ORPHAN_SIDECAR, None)
    report = target.analyse(Analyzer())
    assert report.reason and report.reason.startswith("orphan sidecar")


def test_declaration_files_are_their_own_kind(tmp_path: Path) -> None:
    for name in ("genai-declaration.toml", "plate.jpg.genai.toml"):
        declaration = tmp_path / name
        declaration.write_text("", encoding="utf-8")
        assert resolve_target(declaration).kind == DECLARATION
    assert resolve_target(tmp_path / "genai-declaration.toml.bak").kind == ASSET


def test_a_missing_file_resolves_without_a_stat_and_analyses_as_unreadable(
    tmp_path: Path,
) -> None:
    gone = tmp_path / "gone.jpg"
    target = resolve_target(Path(os.path.relpath(gone)))  # made absolute
    assert target.path == gone and target.fingerprint is None
    assert target.analyse(Analyzer()).status is FileStatus.UNREADABLE


def test_still_as_read_is_the_compare_and_set(tmp_path: Path) -> None:
    plate = write_jpeg(tmp_path / "plate.jpg")
    settled = fingerprint(plate)
    report = resolve_target(plate).analyse(Analyzer())
    assert still_as_read(report, None) and still_as_read(report, settled)
    write_jpeg(plate, (1, 2, 3))
    os.utime(plate, ns=(1, 1))
    assert not still_as_read(report, None)  # rewritten since the read
    fresh = resolve_target(plate).analyse(Analyzer())
    assert still_as_read(fresh, None) and not still_as_read(fresh, settled)  # not as settled
    plate.unlink()
    assert not still_as_read(fresh, None)  # gone
