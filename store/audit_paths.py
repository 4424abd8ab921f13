"""Path rows in the audit log (issue 7): which columns of a path row the log vouches for, how a
write changed them, and the check of rows last written before path rows were logged.

Pure helpers over row objects, plus one read query; store/audit.py appends and verifies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Version

PATH_COLUMNS = (
    "path",
    "kind",
    "current_version_id",
    "missing_since",
    "moved_to",
    # The fingerprint: `prov check PATH` trusts it to say the file on disk is what was judged.
    "size",
    "mtime_ns",
    "inode",
    "sidecar_size",
    "sidecar_mtime_ns",
)


def plain(value: Any) -> Any:
    # Timestamps as UTC ISO strings: microseconds survive both databases, tzinfo does not.
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def path_values(entry: Any) -> dict[str, Any]:
    """The audited columns of a path row, to compare before and after a write."""
    return {name: plain(getattr(entry, name)) for name in PATH_COLUMNS}


def path_change(before: dict[str, Any], entry: Any) -> str | None:
    """What a write without a new version did to a path row (the `change` of its PATH event),
    or None when no audited column changed."""
    after = path_values(entry)
    if after == before:
        return None
    if before["missing_since"] is not None and after["missing_since"] is None:
        return "back"
    if before["kind"] != after["kind"]:
        return "kind"
    return "reread"


def legacy_path(row: Any, first_logged_version: int | None) -> bool:
    """A path row no event names is accepted only when nothing was written to it since path
    rows are logged: its current version is older than the first logged path row's."""
    current = row.current_version_id
    return first_logged_version is None or current is None or current < first_logged_version


def off_their_newest(session: Session, legacy: dict[int, int | None]) -> list[str]:
    """Uncovered path rows must point at their newest version (versions are append-only and
    a new one always becomes current): pointing back at an older, approved version or at
    none would change what the gate judges."""
    if not legacy:
        return []
    newest = (
        select(Version.path_id, func.max(Version.seq).label("seq"))
        .group_by(Version.path_id)
        .subquery()
    )
    query = select(Version.path_id, Version.id).join(
        newest, (Version.path_id == newest.c.path_id) & (Version.seq == newest.c.seq)
    )
    latest = {path_id: version_id for path_id, version_id in session.execute(query)}
    return [
        f"paths row {path_id} does not point at its newest version (edited)"
        for path_id, current in sorted(legacy.items())
        if latest.get(path_id) != current
    ]
