"""TARGET arguments (a path as scanned, or 6+ hex digits of a SHA-256) resolved to one
catalogued path, for `show`, `approve`, `reject` and `reported`. Nothing found, or several
paths found, is a usage error (exit 2) saying what to give instead (issue 8)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cli.errors import EXIT_USAGE, fail
from store.catalog.models import PathEntry, Version
from store.read.queries import resolve_target

if TYPE_CHECKING:  # the session comes from store.catalog.db; the CLI only passes it on
    from store.catalog.db import Session

LISTED = 10  # paths named in an "several paths match" message


def one_path(session: Session, target: str) -> PathEntry:
    """The one catalogued path TARGET names, or a usage error."""
    entries = resolve_target(session, target)
    if not entries:
        fail(f"nothing in the catalog matches {target!r}", hint=_not_found_hint(target), code=2)
    if len(entries) > 1:
        _ambiguous(target, entries)
    return entries[0]


def current_version(session: Session, target: str) -> tuple[PathEntry, Version]:
    """The catalogued path TARGET names and its current version; a usage error otherwise."""
    entry = one_path(session, target)
    version = entry.current_version
    if version is None:
        fail(
            f"{entry.path} has no recorded version",
            hint="run `prov scan` on it",
            code=EXIT_USAGE,
        )
    return entry, version


def _not_found_hint(target: str) -> str:
    if os.path.lexists(target):
        return "it is on disk but not in the catalog: run `prov scan` on it (or check --db)"
    return "give a path as scanned or 6+ hex digits of a SHA-256; `prov ls` lists the paths"


def _ambiguous(target: str, entries: list[PathEntry]) -> None:
    digests = {_sha(entry) for entry in entries}
    lines = [_line(entry) for entry in entries[:LISTED]]
    if len(entries) > LISTED:
        lines.append(f"... and {len(entries) - LISTED} more")
    if len(digests) == 1:
        # Identical content at several paths (a copy, a move): no prefix can pick one.
        message = f"{target!r} matches {len(entries)} paths with the same content"
        hint = "give the path instead: a longer prefix cannot tell identical files apart"
    else:
        message = f"{target!r} matches {len(entries)} paths"
        hint = "give the path, or more hex digits of the SHA-256"
    fail(message + ":", hint=hint, code=EXIT_USAGE, details=lines)


def _sha(entry: PathEntry) -> str | None:
    version = entry.current_version
    return version.sha256 if version is not None else None


def _line(entry: PathEntry) -> str:
    missing = "  (missing)" if entry.missing_since is not None else ""
    return f"{entry.path}  {(_sha(entry) or '-')[:16]}{missing}"
