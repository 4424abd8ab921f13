"""resolve_target: what a path on disk is, for the catalog, in one call (issue 9).

The store asks once per file: the answer says what is read (the asset, an orphan sidecar, a
declaration file), with which sidecar, and the stat of both as they are now (the fast path of
a re-scan compares them with the catalog's). `Target.analyse` reads the file when it has to
be recorded, and `still_as_read` tells a watcher, under the path's row lock, whether the file
is still what was read. Given the roots of the delivery, a symlink that leads out of them is
refused unread (issue 10). Does I/O (stat, folder listings for sidecars), never the catalog.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from provenance.analyze import (
    Analyzer,
    analyze_file,
    analyze_orphan_sidecar,
    fingerprint,
    refused,
)
from provenance.model import AssetReport, FileFingerprint, FileStatus
from provenance.policy import is_declaration_file
from provenance.sidecar import asset_for_sidecar, find_sidecar, is_sidecar

ASSET, ORPHAN_SIDECAR, DECLARATION = "asset", "orphan_sidecar", "declaration"
OUTSIDE = "outside"  # a symlink to outside the delivery: recorded, never read
OUTSIDE_REASON = "symlink to outside the delivery"


@dataclass(frozen=True)
class SidecarFingerprint:
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Target:
    """One path resolved: `path` is what is read; `given` as the caller named it (the sidecar
    itself, for a sidecar that arrived and is read with its asset)."""

    given: Path
    path: Path
    kind: str  # ASSET | ORPHAN_SIDECAR | DECLARATION | OUTSIDE
    sidecar: Path | None
    sidecar_fp: SidecarFingerprint | None
    fingerprint: FileFingerprint | None  # None: cannot stat it (analyse says why)

    def analyse(self, analyzer: Analyzer) -> AssetReport:
        """Everything the catalog records about the file (not for a declaration file)."""
        if self.kind == OUTSIDE:
            return refused(self.given, FileStatus.UNSUPPORTED, OUTSIDE_REASON)
        if self.kind == ORPHAN_SIDECAR:
            return analyze_orphan_sidecar(self.path, analyzer=analyzer)
        return analyze_file(self.path, analyzer=analyzer, sidecar=self.sidecar)


def resolve_target(path: Path, roots: tuple[str, ...] | None = None) -> Target:
    """What `path` is: a declaration file, a sidecar read with its asset, an orphan sidecar,
    or an asset with the sidecar beside it (if any). The path is made absolute.

    With `roots` (real_roots of the folders and files named on the command line), a path
    whose symlinks lead out of them is OUTSIDE: recorded `unsupported`, never read, so a
    link in a delivery cannot pull in a file from elsewhere on the machine."""
    path = Path(os.path.abspath(path))
    if roots is not None and not is_within(path, roots):
        return Target(path, path, OUTSIDE, None, None, None)
    if is_declaration_file(path):
        return Target(path, path, DECLARATION, None, None, _stat(path))
    if is_sidecar(path):
        asset = asset_for_sidecar(path)
        if asset is None:
            return Target(path, path, ORPHAN_SIDECAR, None, None, _stat(path))
        return Target(path, asset, ASSET, path, sidecar_fingerprint(path), _stat(asset))
    sidecar = find_sidecar(path)
    return Target(path, path, ASSET, sidecar, sidecar_fingerprint(sidecar), _stat(path))


def real_roots(roots: Iterable[Path | str]) -> tuple[str, ...]:
    """The roots of a delivery with every symlink resolved, for `is_within`."""
    return tuple(os.path.realpath(root) for root in roots)


def is_within(path: Path | str, roots: tuple[str, ...]) -> bool:
    """Whether `path`, symlinks resolved, is one of `roots` (real_roots) or below one."""
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return False  # cannot tell where it leads: not inside (fail closed)
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def sidecar_fingerprint(sidecar: Path | None) -> SidecarFingerprint | None:
    """Size and mtime of a sidecar; None without one (or when it cannot be stat'ed)."""
    if sidecar is None:
        return None
    try:
        info = sidecar.stat()
    except OSError:
        return None
    return SidecarFingerprint(info.st_size, info.st_mtime_ns)


def _stat(path: Path) -> FileFingerprint | None:
    try:
        return fingerprint(path)
    except OSError:
        return None


def still_as_read(report: AssetReport, settled: FileFingerprint | None) -> bool:
    """Whether the file is still what `report` read, and what it settled as (when known):
    the compare-and-set of a watcher, done while the path's row is locked."""
    try:
        now = fingerprint(Path(report.path))
    except OSError:
        return False
    read = report.fingerprint
    return (read is None or now == read) and (settled is None or now == settled)
