"""Ignore rules for scanned and watched folders, kept as data: names that mean "still being
copied" (issue 3), and files that are never assets: prov's own (issue 8).

The globs are prov's one dialect (provenance/globs.py, README "Globs"), matched
case-insensitively (deliveries are written from Windows and macOS) against the path below the
watched root: a name pattern (`*.part`, `.*`) ignores a file when its name or any folder between
the root and it matches; a trailing `/` (`tmp/`) names folders only. A user's glob names one
name: a `/` inside it is rejected, so a typo does not ignore silently.
An ignored file that is renamed to a real name arrives then (see SettleTracker.moved).
IgnoreRules adds exact files (the open catalog's, the config file, the trust anchors). Pure
except IgnoreRules.ignores, which resolves symlinks for a path bearing one of those names.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from provenance.globs import Globs, compiled, glob_regex

DEFAULT_IGNORE_GLOBS: tuple[str, ...] = (
    "*.part",  # curl, wget, rsync --partial, Firefox
    "*.tmp",
    "*.crdownload",  # Chrome
    ".~*",  # LibreOffice locks, some copy tools' temporaries
    ".*",  # dotfiles and dot-folders: rsync's .name.XXXXXX temporaries, .DS_Store, .Trash-1000
    # Never assets (issue 8): prov's config, SQLite's companions of any catalog (a WAL is
    # rewritten every few seconds while a watcher writes), and key and certificate files
    # (PEM, PKCS#12, private keys): key material is not media, and its name does not belong in
    # an audit trail. Keep keys in a hidden folder (.pki) or name them so.
    "prov.toml",
    "*.db-wal",
    "*.db-shm",
    "*.db-journal",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
)


def ignore_globs(extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The default globs plus the user's `extra` ones; ValueError names a malformed glob."""
    globs = list(DEFAULT_IGNORE_GLOBS)
    for glob in extra:
        _check_glob(glob)
        if glob not in globs:
            globs.append(glob)
    return tuple(globs)


def is_ignored(
    path: PurePath, globs: Sequence[str] = DEFAULT_IGNORE_GLOBS, *, root: PurePath | None = None
) -> bool:
    """True when the name of `path`, or a folder below `root` on the way to it, matches a glob.

    Without `root` only the file name is checked: folders above the watched root (a watch on
    `~/.local/deliveries`, say) must not hide everything below them.
    """
    return compiled(tuple(globs), True).match_parts(_components(path, root))


def _components(path: PurePath, root: PurePath | None) -> tuple[str, ...]:
    """The path components that ignore rules apply to."""
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).parts
    return (path.name,)


def _check_glob(glob: str) -> None:
    """Reject globs that could never match one component, so a typo does not ignore silently."""
    if not glob.strip():
        raise ValueError("ignore glob is empty")
    if "/" in glob.rstrip("/") or "\\" in glob:
        raise ValueError(f"ignore glob {glob!r} contains a path separator; globs match one name")
    glob_regex(glob)  # ValueError: "not a valid glob"


@dataclass(frozen=True)
class IgnoreRules:
    """What scan, watch and the gate never treat as an asset: names matching `globs`, and the
    exact `files` (absolute; the open catalog's own files, the config file and the trust
    anchors in use: cli/context.py builds them), whatever folder is scanned or watched."""

    globs: tuple[str, ...] = DEFAULT_IGNORE_GLOBS
    files: frozenset[str] = frozenset()
    _names: frozenset[str] = field(init=False, repr=False, compare=False)
    _globs: Globs = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", frozenset(PurePath(f).name for f in self.files))
        # One regular expression for every glob: a scan asks once per file and folder.
        object.__setattr__(self, "_globs", Globs(self.globs, ignore_case=True))

    def ignores(self, path: PurePath, *, root: PurePath | None = None) -> bool:
        """As is_ignored by the globs, or one of the exact files (symlinks resolved)."""
        return self._globs.match_parts(_components(path, root)) or self.is_own_file(path)

    @classmethod
    def of(cls, globs: tuple[str, ...], files: Iterable[PurePath]) -> IgnoreRules:
        """The rules for `globs` and `files`, each file in the forms is_own_file compares."""
        return cls(globs, frozenset(form for f in files for form in _forms(f)))

    def is_own_file(self, path: PurePath) -> bool:
        if path.name not in self._names:
            return False  # the common case: no file system look-up
        beside = os.path.join(os.path.realpath(path.parent), path.name)
        return beside in self.files or os.path.realpath(path) in self.files


def _forms(path: PurePath) -> tuple[str, ...]:
    """The path with its folder's symlinks resolved, and with its own resolved too."""
    absolute = os.path.abspath(path)
    beside = os.path.join(os.path.realpath(os.path.dirname(absolute)), path.name)
    return (beside, os.path.realpath(absolute))


DEFAULT_RULES = IgnoreRules()  # the globs alone: for callers that know no catalog
