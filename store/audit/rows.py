"""The rows the audit log vouches for (issues 4 and 7): which tables and columns an event's
digest covers, the reference an event stores about the row it records, path events, and the
check of every audited row against the log (`prov audit verify`).

store/audit/chain.py appends events and verifies the chain itself; this module says what the
events vouch for.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.audit.chain import EventKind, NewEvent, append_event, canonical_json
from store.catalog.models import (
    ClassificationRow,
    DecisionRow,
    DeclarationRow,
    EventRow,
    PathEntry,
    Version,
)

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


# --- rows the log vouches for ----------------------------------------------------------------
# Each event names the row it recorded and a digest of the columns that matter, so editing,
# deleting or inserting a decision (or classification, declaration, version) directly in the
# database shows up in `prov audit verify`, not only edits of the log itself.
# A path row changes over time (moves, deletions, new versions): the latest event naming it
# (`row`, or `path_row` beside an ingest's version) holds the digest it must match (issue 7).

_AUDITED: dict[str, tuple[Any, tuple[str, ...]]] = {
    "versions": (
        Version,
        (
            "path_id",
            "seq",
            "sha256",
            "status",
            "involvement",
            "validation_state",
            "cred_present",
            "content_seq",
        ),
    ),
    "classifications": (
        ClassificationRow,
        (
            "version_id",
            "outcome",
            "error",
            "unverified",
            "involvement",
            "rules",
            "policy_id",
            "policy_version",
            "role",
            "declaration",
        ),
    ),
    "declarations": (DeclarationRow, ("path", "is_folder", "fields", "declared_by")),
    "decisions": (
        DecisionRow,
        (
            "version_id",
            "sha256",
            "decision",
            "decided_by",
            "reference",
            "rule_id",
            "note",
            "reported_to",
        ),
    ),
    "paths": (PathEntry, PATH_COLUMNS),
}
# Columns added after their table was first audited: digested only when set, so rows recorded
# before the column existed (always NULL there) keep the digest their event stored.
# versions.content_seq (issue 8) is covered so an edit cannot carry an approval to content it
# never saw.
_DIGESTED_WHEN_SET = {("decisions", "reported_to"), ("versions", "content_seq")}
_REF_KEYS = ("row", "path_row")  # payload keys that name a row
# Columns a digest gained later (issue 7): the evidence `prov classify` judges a version by
# again, so an edit of it would launder into a new, logged classification. References made
# with them say so ("cols": 2); references without verify over the first set, as before.
_ADDED: dict[str, tuple[str, ...]] = {
    "versions": ("ai_evidence", "tool_names", "extra_credentials"),
}
_COLS = 2


def row_ref(row: Any) -> dict[str, Any]:
    """What an event payload stores about the row it records: {"table", "id", "digest"}
    (and "cols" where the digest covers the columns added later)."""
    table = row.__tablename__
    ref = {"table": table, "id": row.id, "digest": row_digest(table, row)}
    if table in _ADDED:
        ref["cols"] = _COLS
    return ref


def path_ref(path_id: int, values: Any) -> dict[str, Any]:
    """row_ref of a path row given as any object with its columns (a Core result row)."""
    return {"table": "paths", "id": path_id, "digest": row_digest("paths", values)}


def row_digest(table: str, row: Any, cols: int = _COLS) -> str:
    columns = _AUDITED[table][1] + (_ADDED.get(table, ()) if cols >= _COLS else ())
    lists = _ADDED.get(table, ())
    values = {name: _value(getattr(row, name), name in lists) for name in columns}
    for name in columns:
        if (table, name) in _DIGESTED_WHEN_SET and values[name] is None:
            del values[name]
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


def _value(value: Any, is_list: bool) -> Any:
    # The added JSON lists are NOT NULL with a default of []: an object not yet flushed (the
    # bulk writer's) holds None for one it was not given.
    return [] if value is None and is_list else plain(value)


def path_event(entry: PathEntry, kind: EventKind, **payload: Any) -> NewEvent:
    """The event recording a path row as it is now."""
    return NewEvent(kind, entry.path, None, {**payload, "row": row_ref(entry)})


def record_path(session: Session, entry: PathEntry, kind: EventKind, **payload: Any) -> None:
    """Append the event that vouches for a path row's audited columns as they are now. Every
    write of those columns needs one (or the `path_row` of an ingest event), or `prov audit
    verify` reports the row as edited outside prov."""
    event = path_event(entry, kind, **payload)
    append_event(session, event.kind, target=event.target, payload=event.payload)


def check_rows_against_log(session: Session) -> list[str]:
    """Problems with audited rows: edited since their event, deleted, or without an event.
    Versions recorded before the log began (catalogs older than issue 4), and path rows last
    written before path rows were logged (older than issue 7), are not covered by events:
    such a path must still point at its newest version."""
    refs, legacy_below = _row_refs(session)
    first_logged_version = min((i for t, i in refs if t == "versions"), default=None)
    problems: list[str] = []
    legacy: dict[int, int | None] = {}  # uncovered path id -> its current version id
    for table, (model, columns) in _AUDITED.items():
        names = columns + _ADDED.get(table, ())
        query = select(model.id, *(getattr(model, c) for c in names)).order_by(model.id)
        for row in session.execute(query.execution_options(yield_per=1000)):
            found = refs.pop((table, row.id), None)
            if found is None:
                if table == "versions" and (
                    first_logged_version is None or row.id < first_logged_version
                ):
                    continue
                if table == "paths" and legacy_path(row, legacy_below):
                    legacy[row.id] = row.current_version_id
                    continue
                problems.append(f"{table} row {row.id} has no audit event (written outside prov)")
            elif found[1] != row_digest(table, row, found[2]):
                problems.append(
                    f"{table} row {row.id} differs from what event {found[0]} recorded (edited)"
                )
    for (table, row_id), (seq, _digest, _cols) in sorted(refs.items(), key=lambda item: item[1][0]):
        problems.append(f"event {seq} records {table} row {row_id}, which is gone (deleted)")
    return problems + off_their_newest(session, legacy)


def _row_refs(session: Session) -> tuple[dict[tuple[str, int], tuple[int, str, int]], int | None]:
    """(table, id) -> (seq, digest) of the latest event naming each row; and the first version
    whose ingest event also vouched for its path row (None: path rows were never logged)."""
    refs: dict[tuple[str, int], tuple[int, str, int]] = {}
    first_path_logged: int | None = None
    query = select(EventRow.seq, EventRow.payload).order_by(EventRow.seq)
    for seq, payload in session.execute(query.execution_options(yield_per=1000)):
        if not isinstance(payload, dict):
            continue
        for key in _REF_KEYS:
            ref = payload.get(key)
            if isinstance(ref, dict) and ref.get("table") in _AUDITED:
                found = (seq, str(ref.get("digest")), int(ref.get("cols") or 1))
                refs[(str(ref["table"]), int(ref.get("id") or 0))] = found
        if first_path_logged is None and isinstance(payload.get("path_row"), dict):
            row = payload.get("row")
            first_path_logged = int(row.get("id") or 0) if isinstance(row, dict) else 0
    return refs, first_path_logged
