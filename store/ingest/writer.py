"""The one writer: a batch of analysed files becomes catalog rows in one transaction of a
handful of executemany statements (scan, watch, reconcile, moves, declaration files).

`write` owns the transaction: it takes the chain lock, then the path rows (locked on
PostgreSQL, one order for every writer), and with `still` checks under those locks that each
file is still what was read (a watcher's compare-and-set, issue 3: no lost updates). A file
that is not is left out and the batch written again without it; a unique violation from a
concurrent writer (two watchers, PostgreSQL) rolls back and writes the batch again, the rows
now read under lock, so the other writer's row is updated rather than inserted twice.

Every new version is logged and classified in the same transaction (issue 4), so the gate
never sees a version unjudged. Rows are built in store/ingest/rows.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.audit import chain as audit_chain
from store.audit import rows as audit_rows
from store.catalog.db import Catalog
from store.catalog.dialect import for_update
from store.catalog.models import PathEntry, Version, utcnow
from store.catalog.paths import RecordAction, same_reading
from store.ingest.outcome import (
    ACTIONS,
    SKIPPED_REASON,
    IngestAction,
    IngestOutcome,
    database_errors,
)
from store.ingest.rows import (
    SAME,
    Log,
    Pending,
    Written,
    classify,
    events,
    insert_versions,
    table,
    written,
)
from store.policy.classify import PolicyInputs
from store.read.records import version_record

CONFLICT_RETRIES = 5

Still = Callable[[Pending], bool]


class NotStable(Exception):
    """Files no longer what was read; raised inside the transaction to roll it back."""

    def __init__(self, keys: set[str]) -> None:
        super().__init__(", ".join(sorted(keys)))
        self.keys = keys


def write(
    catalog: Catalog, pending: Sequence[Pending], inputs: PolicyInputs, still: Still | None = None
) -> list[IngestOutcome]:
    """Record `pending` (path keys all different) in one transaction and return each file's
    outcome, built before the commit so a caller interrupted right after it still counts
    every committed file (`prov scan` after Ctrl-C, issue 8). With `still`, a file for which
    it is False under the row lock is SKIPPED and the others are recorded."""
    skipped: set[str] = set()
    conflicts = 0
    while True:
        todo = [p for p in pending if p.key not in skipped]
        if not todo:
            return [_skipped(p) for p in pending]
        try:
            with database_errors(catalog), catalog.transaction() as session:
                done = write_batch(session, todo, inputs, still)
                outcomes = {p.key: _outcome(w, p) for p, w in zip(todo, done, strict=True)}
        except NotStable as moved:
            skipped |= moved.keys  # at least one more each time: this ends
            continue
        except IntegrityError:
            # Another writer recorded one of these paths (or contents) a moment ago; its row
            # is there now, so the next attempt locks and updates it.
            conflicts += 1
            if conflicts >= CONFLICT_RETRIES:
                raise
            continue
        return [outcomes.get(p.key) or _skipped(p) for p in pending]


def write_batch(
    session: Session, pending: Sequence[Pending], inputs: PolicyInputs, still: Still | None = None
) -> list[Written]:
    """Record every file of `pending` (path keys all different), in order, in the caller's
    transaction. Takes the chain lock first, as every writer does (issue 3)."""
    audit_chain.lock_chain(session)
    entries, created = _lock_paths(session, pending)
    if still is not None and (moved := {p.key for p in pending if not still(p)}):
        raise NotStable(moved)
    actions = [_action(entries[p.key], p, created) for p in pending]
    fresh = [(p, entries[p.key]) for p, a in zip(pending, actions, strict=True) if a is not SAME]
    versions = insert_versions(session, fresh, created)
    changes = _update_paths(session, pending, entries, versions)
    paired = _mark_sidecars_paired(session, [p.sidecar_key for p in pending if p.sidecar_key])
    classes = classify(session, fresh, versions, inputs)
    log = Log(entries, versions, classes, changes, paired)
    audit_chain.append_events(session, events(log, actions, pending))
    return written(session, pending, entries, actions, versions, classes)


def _outcome(done: Written, pending: Pending) -> IngestOutcome:
    record = version_record(done.entry, done.version, done.state)
    report = pending.report
    return IngestOutcome(record["path"], ACTIONS[done.action], report.status, report.reason, record)


def _skipped(pending: Pending) -> IngestOutcome:
    report = pending.report
    return IngestOutcome(report.path, IngestAction.SKIPPED, report.status, SKIPPED_REASON)


# --- paths ------------------------------------------------------------------------------------


def _lock_paths(
    session: Session, pending: Sequence[Pending]
) -> tuple[dict[str, PathEntry], set[str]]:
    """Every pending path's row with its current version (created if new), locked on
    PostgreSQL. The rows are detached: they are updated below with Core statements, and the
    objects are only what the JSON records are built from."""
    keys = [p.key for p in pending]
    entries = _existing(session, keys)
    missing = [p for p in pending if p.key not in entries]
    for entry in _insert_paths(session, missing):
        entries[entry.path] = entry
    return entries, {p.key for p in missing}


def _existing(session: Session, keys: list[str]) -> dict[str, PathEntry]:
    query = (
        select(PathEntry, Version)
        .outerjoin(Version, PathEntry.current_version_id == Version.id)
        .where(PathEntry.path.in_(keys))
        .order_by(PathEntry.id)  # one lock order for every writer
        .execution_options(populate_existing=True)
    )
    query = for_update(session, query, of=PathEntry)
    found: dict[str, PathEntry] = {}
    for entry, version in session.execute(query):
        session.expunge(entry)
        if version is not None:
            session.expunge(version)
        # Set on the detached object so records need no lazy load (viewonly: never written).
        entry.current_version = version
        found[entry.path] = entry
    return found


def _insert_paths(session: Session, pending: Sequence[Pending]) -> list[PathEntry]:
    if not pending:
        return []
    now = utcnow()
    rows = [{"path": p.key, "kind": p.kind, "first_seen": now, "last_seen": now} for p in pending]
    statement = insert(table(PathEntry)).returning(
        table(PathEntry).c.id, sort_by_parameter_order=True
    )
    ids = [row.id for row in session.execute(statement, rows)]
    return [
        PathEntry(id=i, current_version=None, missing_since=None, **row)
        for i, row in zip(ids, rows, strict=True)
    ]


def _action(entry: PathEntry, p: Pending, created: set[str]) -> RecordAction:
    """Same reading (no new version), a new path, or a changed one."""
    current = entry.current_version
    if current is not None and same_reading(current, p.report):
        return RecordAction.SAME
    new = p.key in created or current is None
    return RecordAction.NEW if new else RecordAction.CHANGED


def _update_paths(
    session: Session,
    pending: Sequence[Pending],
    entries: dict[str, PathEntry],
    versions: dict[str, Version],
) -> dict[str, str]:
    """Fingerprint, kind and current version of every path, on the detached objects and in
    the database. Returns how each path row changed
    (audit_rows.path_change), for the events of re-reads that add no version."""
    rows, changes = [], {}
    for p in pending:
        entry = entries[p.key]
        before = audit_rows.path_values(entry)
        version = versions.get(p.key)
        if version is not None:
            entry.current_version_id = version.id
            entry.current_version = version
        _refresh(entry, p)
        if (change := audit_rows.path_change(before, entry)) is not None:
            changes[p.key] = change
        rows.append({f"b_{name}": getattr(entry, name) for name in _REFRESHED})
    paths = table(PathEntry)
    statement = (
        update(paths)
        .where(paths.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in _REFRESHED if name != "id"})
    )
    session.execute(statement, rows)
    return changes


_REFRESHED = (
    "id",
    "current_version_id",
    "kind",
    "size",
    "mtime_ns",
    "inode",
    "sidecar_size",
    "sidecar_mtime_ns",
    "last_seen",
    "missing_since",
    "moved_to",
)


def _refresh(entry: PathEntry, p: Pending) -> None:
    fp, sidecar = p.report.fingerprint, p.sidecar
    entry.kind = p.kind
    entry.size, entry.mtime_ns, entry.inode = (
        (fp.size, fp.mtime_ns, fp.inode) if fp else (None, None, None)
    )
    entry.sidecar_size = sidecar.size if sidecar else None
    entry.sidecar_mtime_ns = sidecar.mtime_ns if sidecar else None
    entry.last_seen = utcnow()
    entry.missing_since = None
    entry.moved_to = None


def _mark_sidecars_paired(session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """An orphan sidecar whose asset arrived stops being listed as an orphan (one statement
    for the batch). Returns the event payload (change and row reference) of each sidecar it
    paired, by path key."""
    if not keys:
        return {}
    paths = table(PathEntry)
    statement = (
        update(paths)
        .where(paths.c.path.in_(keys), paths.c.kind == "orphan_sidecar")
        .values(kind="sidecar")
        .returning(*paths.c)
    )
    return {
        row.path: {"change": "paired", "row": audit_rows.path_ref(row.id, row)}
        for row in session.execute(statement)
    }
