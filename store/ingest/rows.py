"""The rows the one writer adds for a batch (store/ingest/writer.py): versions, assets,
classifications and audit events, each kind in one executemany statement, and what each file
came to. Repository style: the session is the caller's and nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from provenance.model import AssetReport
from provenance.targets import ASSET
from store.audit.chain import EventKind, NewEvent
from store.audit.rows import path_event
from store.catalog.dialect import insert_for
from store.catalog.models import Asset, ClassificationRow, PathEntry, Version, utcnow
from store.catalog.paths import (
    RecordAction,
    SidecarFingerprint,
    content_seq_after,
    path_key,
    version_columns,
)
from store.policy import classify as policy_classify
from store.policy.approvals import PolicyState, carried_decisions, policy_states
from store.policy.classify import PolicyInputs, classification_payload, evaluate


@dataclass(frozen=True)
class Pending:
    """An analysed file waiting to be written."""

    report: AssetReport
    kind: str  # "asset" | "orphan_sidecar" | "declaration"
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


def table(model: Any) -> Table:
    found: Table = model.__table__
    return found


# --- versions ---------------------------------------------------------------------------------


def insert_versions(
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
    statement = insert(table(Version)).returning(table(Version).c.id, sort_by_parameter_order=True)
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
    """The asset row of every distinct content: sha256 -> asset id. One row per content,
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
    statement = insert_for(session, table(Asset))
    statement = statement.on_conflict_do_update(
        index_elements=["sha256"], set_={"size": statement.excluded.size}
    )
    session.execute(statement, list(rows.values()))
    query = select(Asset.sha256, Asset.id).where(Asset.sha256.in_(list(rows)))
    return {sha: asset_id for sha, asset_id in session.execute(query)}


# --- classifications and events ---------------------------------------------------------------


def classify(
    session: Session,
    fresh: Sequence[tuple[Pending, PathEntry]],
    versions: dict[str, Version],
    inputs: PolicyInputs,
) -> dict[str, ClassificationRow]:
    """Each new version's classification (policy_classify.classify_version for a new version),
    as transient objects carrying their ids, by path key."""
    if not fresh:
        return {}
    # Only assets are classified: an orphan sidecar is judged with its asset (issue 8), a
    # declaration file is what assets are judged with.
    judged = [(p, entry) for p, entry in fresh if p.kind == ASSET]
    if not judged:
        return {}
    rows = []
    for p, entry in judged:
        version = versions[p.key]
        values = evaluate(session, entry, version, inputs)
        rows.append({"version_id": version.id, **values, "created_at": utcnow()})
    statement = insert(table(ClassificationRow)).returning(
        table(ClassificationRow).c.id, sort_by_parameter_order=True
    )
    ids = [row.id for row in session.execute(statement, rows)]
    return {
        p.key: ClassificationRow(id=i, **row)
        for (p, _e), i, row in zip(judged, ids, rows, strict=True)
    }


@dataclass(frozen=True)
class Log:
    """What the batch wrote, for its audit events."""

    entries: dict[str, PathEntry]
    versions: dict[str, Version]
    classes: dict[str, ClassificationRow]
    changes: dict[str, str]  # path key -> how a path row without a new version changed
    paired: dict[str, dict[str, Any]]  # sidecar key -> its event payload


def events(log: Log, actions: Sequence[RecordAction], pending: Sequence[Pending]) -> list[NewEvent]:
    """Per file, in file order: a re-read's path event (its fingerprint changed, no new
    version), its paired sidecar's, then a new version's ingest and classification events."""
    out: list[NewEvent] = []
    for p, action in zip(pending, actions, strict=True):
        entry = log.entries[p.key]
        if action is SAME and p.key in log.changes:
            out.append(path_event(entry, EventKind.PATH, change=log.changes[p.key]))
        if p.sidecar_key in log.paired:
            payload = log.paired[p.sidecar_key]
            out.append(NewEvent(EventKind.PATH, p.sidecar_key, None, payload))
        if action is SAME:
            continue
        version, row = log.versions[p.key], log.classes.get(p.key)
        ingest = policy_classify.ingest_payload(version, str(action), entry)  # one payload
        out.append(NewEvent(EventKind.INGEST, entry.path, version.sha256, ingest))
        if row is not None:  # an orphan sidecar has none
            verdict = classification_payload(row)
            out.append(NewEvent(EventKind.CLASSIFY, entry.path, version.sha256, verdict))
    return out


def written(
    session: Session,
    pending: Sequence[Pending],
    entries: dict[str, PathEntry],
    actions: Sequence[RecordAction],
    versions: dict[str, Version],
    classes: dict[str, ClassificationRow],
) -> list[Written]:
    """The outcome per file; a re-read with the same reading keeps its stored state, loaded
    for all such files in one go."""
    same = [
        entries[p.key].current_version_id
        for p, a in zip(pending, actions, strict=True)
        if a is SAME
    ]
    states = policy_states(session, [i for i in same if i is not None])
    # New rows have no decisions; a new reading of known content carries its earlier ones.
    changed = [versions[p.key].id for p, a in zip(pending, actions, strict=True) if a is CHANGED]
    carried = carried_decisions(session, changed) if changed else {}
    results = []
    for p, action in zip(pending, actions, strict=True):
        entry = entries[p.key]
        version = versions.get(p.key) or entry.current_version
        assert version is not None
        if action is SAME:
            state = states[version.id]
        else:
            state = PolicyState(classes.get(p.key), (), carried.get(version.id, ()))
        results.append(Written(action, entry, version, state))
    return results
