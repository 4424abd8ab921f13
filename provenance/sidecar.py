"""Pairing assets with C2PA sidecar manifest stores (`.c2pa` files).

Rule (c2patool's, which writes `dst.set_extension("c2pa")`): the sidecar of an asset is the
asset's path with its LAST extension replaced by `.c2pa`, in the same folder:
`ATBP_0A1_010_FG01_v001.01000.exr` -> `ATBP_0A1_010_FG01_v001.01000.c2pa`. Frame numbers
survive because only the last suffix is replaced. The reverse is ambiguous: `shot.c2pa`
may belong to `shot.exr` or `shot.dpx`, so `asset_candidates_for` returns every sibling
with that stem and the caller picks (the one whose whole-file hash validates). Pure, except
that `asset_candidates_for` lists the folder when no sibling names are given.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

SIDECAR_SUFFIX = ".c2pa"


def is_sidecar(path: Path) -> bool:
    return path.suffix.lower() == SIDECAR_SUFFIX


def sidecar_path_for(asset: Path) -> Path:
    """Where the sidecar of `asset` lives: same folder, last extension -> `.c2pa`."""
    if is_sidecar(asset):
        raise ValueError(f"{asset} is itself a sidecar")
    return asset.with_suffix(SIDECAR_SUFFIX)


def asset_candidates_for(sidecar: Path, siblings: Iterable[Path] | None = None) -> list[Path]:
    """The files `sidecar` may describe: siblings whose stem equals the sidecar's stem, with
    any other extension (or none), sorted by name. `siblings` defaults to a listing of the
    sidecar's folder (the only I/O here); an empty list means the asset is missing."""
    if not is_sidecar(sidecar):
        raise ValueError(f"{sidecar} is not a {SIDECAR_SUFFIX} sidecar")
    if siblings is None:
        siblings = _files_in(sidecar.parent)
    stem = sidecar.stem
    matches = (p for p in siblings if p.stem == stem and not is_sidecar(p))
    return sorted(matches, key=lambda p: p.name)


def _files_in(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []  # folder vanished or unreadable: no candidates, the caller reports an orphan


# --- Lookups used by ingest (does I/O: stats and, cached, folder listings) ---------------
# Besides c2patool's `<stem>.c2pa` we accept `<full name>.c2pa` (`frame.exr.c2pa`), which
# some vendors write so that `frame.exr` and `frame.dpx` can each have their own sidecar.


def find_sidecar(asset: Path) -> Path | None:
    """The sidecar that exists beside `asset`, if any (`<stem>.c2pa` first)."""
    if is_sidecar(asset):
        return None
    for candidate in (asset.with_suffix(SIDECAR_SUFFIX), asset.with_name(asset.name + ".c2pa")):
        if _is_file(candidate):
            return candidate
    return None


def _is_file(path: Path) -> bool:
    """Path.is_file, but a name too long to exist (an asset named near the 255-byte limit
    plus `.c2pa`) is simply absent: probing must not stop the scan (issue 10)."""
    try:
        return path.is_file()
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return False
        raise


def asset_for_sidecar(sidecar: Path) -> Path | None:
    """The asset a sidecar describes, or None for an orphan sidecar."""
    direct = sidecar.with_suffix("")
    if direct.suffix and direct.is_file():
        return direct
    try:
        folder_mtime = sidecar.parent.stat().st_mtime_ns
    except OSError:
        return None
    names = _names_by_stem(sidecar.parent, folder_mtime).get(sidecar.stem, ())
    return sidecar.parent / names[0] if names else None


@lru_cache(maxsize=64)
def _names_by_stem(folder: Path, _mtime_ns: int) -> dict[str, tuple[str, ...]]:
    """Folder listing grouped by stem. Cached per folder mtime (adding or removing a file
    changes it), so a folder of 10,000 frames with sidecars is listed once, not 10,000 times."""
    grouped: dict[str, list[str]] = {}
    for path in _files_in(folder):
        if not is_sidecar(path):
            grouped.setdefault(path.stem, []).append(path.name)
    return {stem: tuple(sorted(names)) for stem, names in grouped.items()}
