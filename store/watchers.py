"""Watcher heartbeats and catalog totals (issue 3): the rows behind `prov status`.

Each `prov watch` process keeps one row in `watchers` (who, where, what, how far behind),
upserted by id so the first beat also registers it and several hosts never collide. Functions
take the session first and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import Asset, PathEntry, Version, Watcher, utcnow
from store.queries import LISTED_KINDS

HEARTBEAT_EVERY = 30.0  # seconds between a watcher's heartbeats
# Missing this many beats in a row means the process is gone (killed, host down) or wedged;
# three rather than one so a slow rescan or some clock skew between hosts is not "stale".
STALE_AFTER_BEATS = 3


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
    statement = _insert(session).values(**values)
    changes = {k: statement.excluded[k] for k in values if k not in ("id", "started_at")}
    changes["last_event_at"] = func.coalesce(
        statement.excluded.last_event_at, Watcher.last_event_at
    )
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=changes))


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(Watcher)


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
    """running, stopped, or stale: marked running but silent for over STALE_AFTER_BEATS beats
    (SIGKILL, a crashed host, a lost network)."""
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
    """How big the catalog is; statuses and involvement count present paths' current versions."""

    paths: int
    missing: int
    versions: int
    assets: int
    by_status: dict[str, int]
    by_involvement: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "missing": self.missing,
            "versions": self.versions,
            "assets": self.assets,
            "by_status": dict(self.by_status),
            "by_involvement": dict(self.by_involvement),
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
    )


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _current_counts(session: Session, column: Any) -> dict[str, int]:
    """Counts of `column` over the current versions of present, listed paths."""
    query = (
        select(column, func.count())
        .select_from(PathEntry)
        .join(Version, PathEntry.current_version_id == Version.id)
        .where(PathEntry.kind.in_(LISTED_KINDS), PathEntry.missing_since.is_(None))
        .group_by(column)
        .order_by(column)
    )
    return {str(value): int(count) for value, count in session.execute(query)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
