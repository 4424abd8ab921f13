"""The file walk of `prov scan` and a watcher's reconcile: every file under the given paths,
and which of them are ingest targets. Does I/O (lists folders), never the catalog.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.policy import is_declaration_file
from provenance.sidecar import asset_for_sidecar, is_sidecar
from provenance.targets import is_within, real_roots
from provenance.watch.ignore import DEFAULT_RULES, IgnoreRules
from store.catalog.paths import path_key


@dataclass(frozen=True)
class UnreadableFolder:
    """A folder the walk could not list (permission denied, I/O error): the files in it are
    not catalogued, so it is a failure to report, never a silent gap (issue 7)."""

    path: str  # as the catalog stores paths (store.catalog.paths.path_key)
    reason: str

    def record(self) -> dict[str, Any]:
        """The JSON record `scan --jsonl` and `watch --jsonl` print for it."""
        return {"path": self.path, "kind": "folder", "status": "unreadable", "reason": self.reason}


class UnreadableFolderError(OSError):
    """Raised by iter_files for an unreadable folder when the caller gave no list for them."""

    def __init__(self, folder: UnreadableFolder) -> None:
        super().__init__(f"{folder.path}: {folder.reason}")
        self.folder = folder


def iter_files(
    roots: Iterable[Path],
    ignore: IgnoreRules = DEFAULT_RULES,
    *,
    unreadable: list[UnreadableFolder] | None = None,
    follow_symlinks: bool = False,
) -> Iterator[Path]:
    """Every file under the given paths, sorted, skipping names that mean "still copying"
    or hidden (the watcher's ignore globs). A path given explicitly is skipped only when it
    is one of prov's own files (`ignore.files`: the catalog's, the config file; issue 8).

    Directory symlinks are not followed (a link to `/` must not walk the file system,
    issue 10); with `follow_symlinks` they are, but only to folders inside the given roots,
    and a (device, inode) set stops loops. File symlinks are listed: whether one may be read
    is decided with the roots (provenance.targets.resolve_target).

    A folder that cannot be listed is appended to `unreadable` for the caller to report;
    without that list, iter_files raises UnreadableFolderError (it never skips one silently).
    A folder that vanished during the walk is skipped: nothing is delivered there."""
    roots = list(roots)

    def problem(folder: UnreadableFolder) -> None:
        if unreadable is None:
            raise UnreadableFolderError(folder)
        unreadable.append(folder)

    walk = _Walk(set(), ignore, problem, follow_symlinks, real_roots(roots))
    for root in roots:
        if root.is_dir():
            yield from _walk(root, walk)
        elif not ignore.is_own_file(root):
            yield root


_Problem = Callable[[UnreadableFolder], None]


@dataclass(frozen=True)
class _Walk:
    """What every step of one walk needs."""

    seen: set[tuple[int, int]]  # (device, inode) of each folder walked: stops cycles
    ignore: IgnoreRules
    problem: _Problem
    follow_symlinks: bool
    roots: tuple[str, ...]  # real paths (real_roots)


def _walk(folder: Path, walk: _Walk) -> Iterator[Path]:
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in walk.seen:
            return
        walk.seen.add((info.st_dev, info.st_ino))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except FileNotFoundError:
        return
    except OSError as exc:
        walk.problem(UnreadableFolder(path_key(folder), _folder_reason(exc)))
        return
    for entry in entries:
        path = Path(entry.path)
        if not walk.ignore.ignores(path):  # the name only: the folders above passed already
            yield from _entry_files(path, entry, walk)


def _folder_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            "permission denied: the folder cannot be listed, so its files are not "
            "catalogued; make it readable (r and x) by the user running prov"
        )
    return f"cannot list the folder, so its files are not catalogued: {exc.strerror or exc}"


def _entry_files(path: Path, entry: os.DirEntry[str], walk: _Walk) -> Iterator[Path]:
    try:
        is_dir = entry.is_dir()
        is_link = entry.is_symlink()
    except OSError:
        is_dir = is_link = False
    if not is_dir:
        yield path
    elif not is_link or (walk.follow_symlinks and is_within(path, walk.roots)):
        yield from _walk(path, walk)


def scan_targets(files: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: a sidecar whose asset is also in the scan is read with that asset.
    GenAI declaration files are targets too: not media, but recorded with their fingerprint
    so that one added or changed while nobody watched re-classifies what it covers."""
    for path in files:
        if is_sidecar(path) and asset_for_sidecar(path) is not None:
            continue
        yield path


def declarations_first(paths: Iterable[Path]) -> list[Path]:
    """Declaration files ahead of the other files (in order otherwise): what they change is
    re-classified before the assets are listed, so a scan's records and summary are current."""
    listed = list(paths)
    return sorted(listed, key=lambda path: not is_declaration_file(path))
