"""Watcher heartbeats and catalog totals (issues 3, 8): the rows behind `prov status`.

Each `prov watch` process keeps one row in `watchers` (who, where, what, how far behind),
upserted by id so the first beat also registers it and several hosts never collide; it is
written after each committed batch as well as every heartbeat, so its counts are current. Functions
take the session first and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from provenance.policy import Outcome
from store.catalog.dialect import insert_for
from store.catalog.models import Asset, ClassificationRow, PathEntry, Version, Watcher, utcnow
from store.policy.approvals import policy_states
from store.read.queries import LISTED_KINDS, UNCLASSIFIED

APPROVAL_PENDING, APPROVAL_TO_REPORT = "pending", "to-report"  # store.policy.approvals' states
_STATES_PER_QUERY = 500  # version ids per IN (...) list

HEARTBEAT_EVERY = 30.0  # seconds between a watcher's heartbeats
# Silent for over this many beat intervals means the process is gone (killed, host down) or
# wedged (issue 8: two); more than one so a slow file or some clock skew is not "stale".
STALE_AFTER_BEATS = 2


@dataclass(frozen=True)
class WatcherInfo:
    """Who a watcher is; fixed for the life of the process."""

    id: str
    host: str
    pid: int
    folders: tuple[str, ...]
    role: str | None = None

    @classmethod
    def for_this_process(cls, folders: Sequence[str], role: str | None) -> WatcherInfo:
        return cls(str(uuid.uuid4()), socket.gethostname(), os.getpid(), tuple(folders), role)


@dataclass(frozen=True)
class Beat:
    """What a heartbeat reports. `last_event_at=None` keeps the value already stored."""

    state: str = "running"  # running | stopped
    last_event_at: datetime | None = None
    backlog: int = 0
    ingested: int = 0


def upsert_watcher(session: Session, info: WatcherInfo, beat: Beat) -> None:
    """Insert the watcher's row, or update it with this beat (one statement, no read first)."""
    now = utcnow()
    values: dict[str, Any] = {
        "id": info.id,
        "host": info.host,
        "pid": info.pid,
        "folders": list(info.folders),
        "role": info.role,
        "started_at": now,
        "last_heartbeat": now,
        "last_event_at": beat.last_event_at,
        "backlog": beat.backlog,
        "ingested": beat.ingested,
        "state": beat.state,
        "stopped_at": now if beat.state == "stopped" else None,
    }
    statement = insert_for(session, Watcher).values(**values)
    changes = {k: statement.excluded[k] for k in values if k not in ("id", "started_at")}
    changes["last_event_at"] = func.coalesce(
        statement.excluded.last_event_at, Watcher.last_event_at
    )
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=changes))


@dataclass(frozen=True)
class WatcherStatus:
    """One watcher as `prov status` shows it."""

    id: str
    host: str
    pid: int
    folders: tuple[str, ...]
    role: str | None
    state: str  # running | stale | stopped
    started_at: datetime
    last_heartbeat: datetime
    last_event_at: datetime | None
    stopped_at: datetime | None
    backlog: int
    ingested: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "host": self.host,
            "pid": self.pid,
            "folders": list(self.folders),
            "role": self.role,
            "state": self.state,
            "started_at": _iso(self.started_at),
            "last_heartbeat": _iso(self.last_heartbeat),
            "last_event_at": _iso(self.last_event_at),
            "stopped_at": _iso(self.stopped_at),
            "backlog": self.backlog,
            "ingested": self.ingested,
        }


def watcher_state(row: Watcher, now: datetime, heartbeat_every: float = HEARTBEAT_EVERY) -> str:
    """running, stopped, or stale: marked running but silent for over STALE_AFTER_BEATS beat
    intervals (SIGKILL, a crashed host, a lost network)."""
    if row.state == "stopped":
        return "stopped"
    silent = now - row.last_heartbeat
    return "stale" if silent > timedelta(seconds=heartbeat_every * STALE_AFTER_BEATS) else "running"


def list_watchers(
    session: Session,
    *,
    stopped_since: datetime | None = None,
    now: datetime | None = None,
    heartbeat_every: float = HEARTBEAT_EVERY,
) -> list[WatcherStatus]:
    """Watchers not stopped, plus those stopped at or after `stopped_since` (all when None);
    newest first."""
    query = select(Watcher).order_by(Watcher.started_at.desc(), Watcher.id)
    if stopped_since is not None:
        query = query.where(or_(Watcher.state != "stopped", Watcher.stopped_at >= stopped_since))
    now = now or utcnow()
    return [_status(row, now, heartbeat_every) for row in session.scalars(query)]


def _status(row: Watcher, now: datetime, heartbeat_every: float) -> WatcherStatus:
    return WatcherStatus(
        id=row.id,
        host=row.host,
        pid=row.pid,
        folders=tuple(row.folders or ()),
        role=row.role,
        state=watcher_state(row, now, heartbeat_every),
        started_at=row.started_at,
        last_heartbeat=row.last_heartbeat,
        last_event_at=row.last_event_at,
        stopped_at=row.stopped_at,
        backlog=row.backlog,
        ingested=row.ingested,
    )


@dataclass(frozen=True)
class CatalogTotals:
    """How big the catalog is; statuses, involvement and risk count present paths' current
    versions. `awaiting` counts those waiting for a person: a decision (`prov escalations`)
    or a report to the studio contact (`prov escalations --to-report`)."""

    paths: int
    missing: int
    versions: int
    assets: int
    by_status: dict[str, int]
    by_involvement: dict[str, int]
    by_risk: dict[str, int] = field(default_factory=dict)
    awaiting: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "missing": self.missing,
            "versions": self.versions,
            "assets": self.assets,
            "by_status": dict(self.by_status),
            "by_involvement": dict(self.by_involvement),
            "by_risk": dict(self.by_risk),
            "awaiting": dict(self.awaiting),
        }


def catalog_totals(session: Session) -> CatalogTotals:
    listed = PathEntry.kind.in_(LISTED_KINDS)
    return CatalogTotals(
        paths=_count(session, select(func.count()).select_from(PathEntry).where(listed)),
        missing=_count(
            session,
            select(func.count())
            .select_from(PathEntry)
            .where(listed, PathEntry.missing_since.is_not(None)),
        ),
        versions=_count(session, select(func.count()).select_from(Version)),
        assets=_count(session, select(func.count()).select_from(Asset)),
        by_status=_current_counts(session, Version.status),
        by_involvement=_current_counts(session, Version.involvement),
        by_risk=risk_totals(session),
        awaiting=awaiting_totals(session),
    )


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _present_current() -> Select[Any]:
    """The current versions of present, listed paths (what the gate and `prov ls` show)."""
    return (
        select(Version.id)
        .select_from(PathEntry)
        .join(Version, PathEntry.current_version_id == Version.id)
        .where(PathEntry.kind.in_(LISTED_KINDS), PathEntry.missing_since.is_(None))
    )


def _current_counts(session: Session, column: Any) -> dict[str, int]:
    """Counts of `column` over the current versions of present, listed paths."""
    query = _present_current().with_only_columns(column, func.count()).group_by(column)
    return {str(value): int(count) for value, count in session.execute(query.order_by(column))}


def _latest_outcome() -> Any:
    """The outcome of a version's current classification (its latest row); NULL when it has
    none or could not be classified."""
    return (
        select(ClassificationRow.outcome)
        .where(ClassificationRow.version_id == Version.id)
        .order_by(ClassificationRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def risk_totals(session: Session) -> dict[str, int]:
    """Every risk outcome, lowest first, then `unclassified` (no usable classification: it
    fails every gate), with how many current versions have it (0 included)."""
    outcomes = _present_current().with_only_columns(_latest_outcome().label("outcome"))
    inner = outcomes.subquery()
    query = select(inner.c.outcome, func.count()).group_by(inner.c.outcome)
    found = {value: int(n) for value, n in session.execute(query)}
    totals = {str(outcome): found.pop(str(outcome), 0) for outcome in Outcome}
    totals[UNCLASSIFIED] = found.pop(None, 0)
    for unknown, n in found.items():  # an outcome of another policy version: still counted
        totals[str(unknown)] = n
    return totals


def awaiting_totals(session: Session) -> dict[str, int]:
    """How many current versions await a decision (escalate, approval-required or
    unclassified, without a standing one) and how many a report (socialize, not reported):
    the lengths of `prov escalations` and `prov escalations --to-report`."""
    states = [APPROVAL_PENDING, APPROVAL_TO_REPORT]
    waiting = _present_current().where(
        or_(_latest_outcome().is_(None), _latest_outcome() != str(Outcome.NONE))
    )
    ids = list(session.scalars(waiting))
    counts = dict.fromkeys(("decision", "report"), 0)
    for start in range(0, len(ids), _STATES_PER_QUERY):
        for state in policy_states(session, ids[start : start + _STATES_PER_QUERY]).values():
            approval = state.approval()["state"]
            if approval in states:
                counts["decision" if approval == APPROVAL_PENDING else "report"] += 1
    return counts


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
