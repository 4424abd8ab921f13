"""Bulk catalog writes for `prov scan`: a batch of analysed files in a handful of statements.

The per-file path (store/ingest.py `ingest_path`, what a watcher uses) spends about fifteen
statements and an ORM flush on every file; on a first scan of a frame sequence that costs
several times the reading itself. Here a whole batch is written with executemany Core
statements in the caller's transaction: the same rows, in the same order, with the same
values, audit payloads (row digests included) and hash chain as recording the files one by
one (tests/store/test_bulk.py compares the two catalogs). The caller falls back to the
per-file path on any database error, e.g. a unique violation from a concurrent writer.

Repository style: the session is the caller's and nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from provenance.model import AssetReport
from store import audit, audit_paths
from store.approvals import PolicyState, carried_decisions, policy_states
from store.audit import EventKind, NewEvent
from store.models import Asset, PathEntry, Version, utcnow
from store.models_policy import ClassificationRow
from store.policy_store import PolicyInputs, classification_payload, evaluate, ingest_payload
from store.queries import ORPHAN_SIDECAR
from store.repository import (
    RecordAction,
    SidecarFingerprint,
    content_seq_after,
    path_key,
    same_reading,
    version_columns,
)


@dataclass(frozen=True)
class Pending:
    """An analysed file waiting to be written (what ingest's `_record` gets, per file)."""

    report: AssetReport
    kind: str  # "asset" | "orphan_sidecar"
    sidecar: SidecarFingerprint | None
    sidecar_key: str | None  # the paired sidecar's path key: no longer an orphan

    @cached_property
    def key(self) -> str:  # looked up several times per file: computed once
        return path_key(self.report.path)


@dataclass(frozen=True)
class Written:
    """What was recorded for one Pending: the version is the current one of the path."""

    action: RecordAction
    entry: PathEntry
    version: Version
    state: PolicyState


SAME, CHANGED = RecordAction.SAME, RecordAction.CHANGED


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def write_batch(
    session: Session, pending: Sequence[Pending], inputs: PolicyInputs
) -> list[Written]:
    """Record every file of `pending` (path keys all different), in order. Takes the chain lock
    first, as every writer does (issue 3)."""
    audit.lock_chain(session)
    entries, created = _lock_paths(session, pending)
    actions = [_action(entries[p.key], p, created) for p in pending]
    fresh = [(p, entries[p.key]) for p, a in zip(pending, actions, strict=True) if a is not SAME]
    versions = _insert_versions(session, fresh, created)
    changes = _update_paths(session, pending, entries, versions)
    paired = _mark_sidecars_paired(session, [p.sidecar_key for p in pending if p.sidecar_key])
    classes = _classify(session, fresh, versions, inputs)
    log = _Log(entries, versions, classes, changes, paired)
    audit.append_events(session, _events(log, actions, pending))
    return _written(session, pending, entries, actions, versions, classes)


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
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=PathEntry)
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
    statement = insert(_table(PathEntry)).returning(
        _table(PathEntry).c.id, sort_by_parameter_order=True
    )
    ids = [row.id for row in session.execute(statement, rows)]
    return [
        PathEntry(id=i, current_version=None, missing_since=None, **row)
        for i, row in zip(ids, rows, strict=True)
    ]


def _action(entry: PathEntry, p: Pending, created: set[str]) -> RecordAction:
    """As repository.record_report decides: same reading, new path, or a changed one."""
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
    """Fingerprint, kind and current version of every path (repository._refresh_fingerprint),
    on the detached objects and in the database. Returns how each path row changed
    (audit_paths.path_change), for the events of re-reads that add no version."""
    rows, changes = [], {}
    for p in pending:
        entry = entries[p.key]
        before = audit_paths.path_values(entry)
        version = versions.get(p.key)
        if version is not None:
            entry.current_version_id = version.id
            entry.current_version = version
        _refresh(entry, p)
        if (change := audit_paths.path_change(before, entry)) is not None:
            changes[p.key] = change
        rows.append({f"b_{name}": getattr(entry, name) for name in _REFRESHED})
    table = _table(PathEntry)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
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
    """repository.mark_sidecar_paired for many sidecars in one statement. Returns the event
    payload (change and row reference) of each sidecar it paired, by path key."""
    if not keys:
        return {}
    table = _table(PathEntry)
    statement = (
        update(table)
        .where(table.c.path.in_(keys), table.c.kind == "orphan_sidecar")
        .values(kind="sidecar")
        .returning(*table.c)
    )
    return {
        row.path: {"change": "paired", "row": audit.path_ref(row.id, row)}
        for row in session.execute(statement)
    }


# --- versions ---------------------------------------------------------------------------------


def _insert_versions(
    session: Session, fresh: Sequence[tuple[Pending, PathEntry]], created: set[str]
) -> dict[str, Version]:
    """The new versions (transient objects carrying their ids), by path key."""
    if not fresh:
        return {}
    seqs = _last_seqs(session, [e.id for p, e in fresh if p.key not in created])
    assets = _upsert_assets(session, [p.report for p, _e in fresh])
    rows = []
    for p, entry in fresh:
        report = p.report
        rows.append(
            {
                "path_id": entry.id,
                "seq": seqs.get(entry.id, 0) + 1,
                "content_seq": content_seq_after(entry.current_version, report),
                "asset_id": assets.get(report.sha256) if _has_asset(report) else None,
                **version_columns(report),
            }
        )
    statement = insert(_table(Version)).returning(
        _table(Version).c.id, sort_by_parameter_order=True
    )
    ids = [row.id for row in session.execute(statement, rows)]
    return {p.key: Version(id=i, **row) for (p, _e), i, row in zip(fresh, ids, rows, strict=True)}


def _last_seqs(session: Session, path_ids: list[int]) -> dict[int, int]:
    if not path_ids:
        return {}
    query = (
        select(Version.path_id, func.max(Version.seq))
        .where(Version.path_id.in_(path_ids))
        .group_by(Version.path_id)
    )
    return {path_id: seq or 0 for path_id, seq in session.execute(query)}


def _has_asset(report: AssetReport) -> bool:
    return bool(report.sha256 and report.fingerprint and report.media)


def _upsert_assets(session: Session, reports: Sequence[AssetReport]) -> dict[str | None, int]:
    """repository.upsert_asset for many reports: sha256 -> asset id. One row per content,
    the first report's values (as one-by-one upserts leave them: a later one only rewrites
    the size, which the same content has too)."""
    rows: dict[str, dict[str, Any]] = {}
    for report in reports:
        if _has_asset(report) and report.sha256 not in rows:
            assert report.fingerprint is not None and report.media is not None
            rows[report.sha256 or ""] = {
                "sha256": report.sha256,
                "size": report.fingerprint.size,
                "media_type": report.media.media_type,
                "first_seen": utcnow(),
            }
    if not rows:
        return {}
    statement = _dialect_insert(session, Asset)
    statement = statement.on_conflict_do_update(
        index_elements=["sha256"], set_={"size": statement.excluded.size}
    )
    session.execute(statement, list(rows.values()))
    query = select(Asset.sha256, Asset.id).where(Asset.sha256.in_(list(rows)))
    return {sha: asset_id for sha, asset_id in session.execute(query)}


def _dialect_insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(_table(model))


# --- classifications and events ---------------------------------------------------------------


def _classify(
    session: Session,
    fresh: Sequence[tuple[Pending, PathEntry]],
    versions: dict[str, Version],
    inputs: PolicyInputs,
) -> dict[str, ClassificationRow]:
    """Each new version's classification (policy_store.classify_version for a new version),
    as transient objects carrying their ids, by path key."""
    if not fresh:
        return {}
    # Orphan sidecars are not classified: judged with their asset (issue 8).
    judged = [(p, entry) for p, entry in fresh if p.kind != ORPHAN_SIDECAR]
    if not judged:
        return {}
    rows = []
    for p, entry in judged:
        version = versions[p.key]
        values = evaluate(session, entry, version, inputs)
        rows.append({"version_id": version.id, **values, "created_at": utcnow()})
    statement = insert(_table(ClassificationRow)).returning(
        _table(ClassificationRow).c.id, sort_by_parameter_order=True
    )
    ids = [row.id for row in session.execute(statement, rows)]
    return {
        p.key: ClassificationRow(id=i, **row)
        for (p, _e), i, row in zip(judged, ids, rows, strict=True)
    }


@dataclass(frozen=True)
class _Log:
    """What the batch wrote, for its audit events."""

    entries: dict[str, PathEntry]
    versions: dict[str, Version]
    classes: dict[str, ClassificationRow]
    changes: dict[str, str]  # path key -> how a path row without a new version changed
    paired: dict[str, dict[str, Any]]  # sidecar key -> its event payload


def _events(
    log: _Log, actions: Sequence[RecordAction], pending: Sequence[Pending]
) -> list[NewEvent]:
    """Per file, in file order, what the per-file path appends: a re-read's path event
    (repository.record_report), its paired sidecar's (mark_sidecar_paired), then a new
    version's ingest and classification events (policy_store.record_new_version)."""
    events: list[NewEvent] = []
    for p, action in zip(pending, actions, strict=True):
        entry = log.entries[p.key]
        if action is SAME and p.key in log.changes:
            events.append(audit.path_event(entry, EventKind.PATH, change=log.changes[p.key]))
        if p.sidecar_key in log.paired:
            payload = log.paired[p.sidecar_key]
            events.append(NewEvent(EventKind.PATH, p.sidecar_key, None, payload))
        if action is SAME:
            continue
        version, row = log.versions[p.key], log.classes.get(p.key)
        ingest = ingest_payload(version, str(action), entry)
        events.append(NewEvent(EventKind.INGEST, entry.path, version.sha256, ingest))
        if row is not None:  # an orphan sidecar has none
            classify = classification_payload(row)
            events.append(NewEvent(EventKind.CLASSIFY, entry.path, version.sha256, classify))
    return events


def _written(
    session: Session,
    pending: Sequence[Pending],
    entries: dict[str, PathEntry],
    actions: Sequence[RecordAction],
    versions: dict[str, Version],
    classes: dict[str, ClassificationRow],
) -> list[Written]:
    """The outcome per file; a re-read with the same reading keeps its stored state, loaded
    for all such files in one go (ingest's per-file path asks state_of for each)."""
    same = [
        entries[p.key].current_version_id
        for p, a in zip(pending, actions, strict=True)
        if a is SAME
    ]
    states = policy_states(session, [i for i in same if i is not None])
    # New rows have no decisions; a new reading of known content carries its earlier ones.
    changed = [versions[p.key].id for p, a in zip(pending, actions, strict=True) if a is CHANGED]
    carried = carried_decisions(session, changed) if changed else {}
    written = []
    for p, action in zip(pending, actions, strict=True):
        entry = entries[p.key]
        version = versions.get(p.key) or entry.current_version
        assert version is not None
        if action is SAME:
            state = states[version.id]
        else:
            state = PolicyState(classes.get(p.key), (), carried.get(version.id, ()))
        written.append(Written(action, entry, version, state))
    return written
