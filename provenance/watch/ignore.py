"""Ignore rules for watched folders, kept as data: names that mean "still being copied" (issue 3).

Pure: no I/O. A glob matches one path component (case-insensitively, for deliveries written from
Windows and macOS); a file is ignored when its name or any folder between the watched root and
it matches. An ignored file that is renamed to a real name arrives then (see SettleTracker.moved).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import PurePath

DEFAULT_IGNORE_GLOBS: tuple[str, ...] = (
    "*.part",  # curl, wget, rsync --partial, Firefox
    "*.tmp",
    "*.crdownload",  # Chrome
    ".~*",  # LibreOffice locks, some copy tools' temporaries
    ".*",  # dotfiles and dot-folders: rsync's .name.XXXXXX temporaries, .DS_Store, .Trash-1000
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
    lowered = [glob.lower() for glob in globs]
    return any(_matches(part, lowered) for part in _components(path, root))


def _components(path: PurePath, root: PurePath | None) -> tuple[str, ...]:
    """The path components that ignore rules apply to."""
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).parts
    return (path.name,)


def _matches(name: str, lowered_globs: Sequence[str]) -> bool:
    return any(fnmatchcase(name.lower(), glob) for glob in lowered_globs)


def _check_glob(glob: str) -> None:
    """Reject globs that could never match one component, so a typo does not ignore silently."""
    if not glob.strip():
        raise ValueError("ignore glob is empty")
    if "/" in glob or "\\" in glob:
        raise ValueError(f"ignore glob {glob!r} contains a path separator; globs match one name")
