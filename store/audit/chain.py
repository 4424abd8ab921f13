"""The hash-chained audit log (issue 4): append an event, list events, verify the chain.

Each event stores the hash of the one before, and its own hash covers that link plus every
column of the entry, so an edited entry no longer matches its hash and a deleted one leaves a
gap in `seq` and a `prev_hash` that points nowhere. Appends are serialised by a database lock
held to the end of the caller's transaction (several watchers may share a PostgreSQL catalog),
never by a Python lock. Sessions are the caller's; nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.orm import Session

from store.catalog.dialect import hold_chain_lock
from store.catalog.models import (
    EventRow,
    utcnow,
)
from store.catalog.path_filter import at_or_below_any

GENESIS_HASH = "0" * 64  # the prev_hash of the first entry


class EventKind(StrEnum):
    INGEST = "ingest"  # a new version was recorded
    CLASSIFY = "classify"  # a version got a (new) classification
    DECLARE = "declare"  # an operator recorded a declaration
    APPROVE = "approve"
    REJECT = "reject"
    REPORT = "report"  # intended use reported to the studio contact (`prov reported`)
    # Path rows (issue 7): what takes a file in or out of the gate without a new version.
    MOVE = "move"  # a watcher saw the file renamed: the old path is missing, moved_to set
    MISSING = "missing"  # the file is gone: the path is marked missing (history kept)
    PATH = "path"  # re-read with the same content, back after missing, a sidecar paired


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    created_at: datetime,
    kind: str,
    target: str | None,
    sha256: str | None,
    payload: dict[str, Any],
) -> str:
    body = {
        "prev_hash": prev_hash,
        "seq": seq,
        "created_at": created_at.isoformat(),
        "kind": kind,
        "target": target,
        "sha256": sha256,
        "payload": payload,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def row_hash(row: EventRow) -> str:
    """The hash `row` should have, recomputed from what is stored."""
    return event_hash(
        prev_hash=row.prev_hash,
        seq=row.seq,
        created_at=row.created_at,
        kind=row.kind,
        target=row.target,
        sha256=row.sha256,
        payload=row.payload,
    )


def append_event(
    session: Session,
    kind: EventKind,
    *,
    target: str | None,
    sha256: str | None = None,
    payload: dict[str, Any] | None = None,
) -> EventRow:
    """Add one entry at the head of the chain, in the caller's transaction (the row is
    returned: its id and seq are the caller's to cite)."""
    _lock_chain(session)
    seq, prev_hash = _next_link(session)
    row = EventRow(**_event_row(seq, prev_hash, NewEvent(kind, target, sha256, payload or {})))
    session.add(row)
    session.flush()
    session.info[_HEAD] = (session.get_transaction(), row.seq, row.hash)
    return row


@dataclass(frozen=True)
class NewEvent:
    """One entry for append_events."""

    kind: EventKind
    target: str | None
    sha256: str | None
    payload: dict[str, Any]


def append_events(session: Session, events: Sequence[NewEvent]) -> None:
    """append_event for many entries at once (a scan batch): one head read and one
    executemany INSERT, with the seqs, links and hashes appending them one by one gives."""
    if not events:
        return
    _lock_chain(session)
    seq, prev_hash = _next_link(session)
    rows = []
    for event in events:
        row = _event_row(seq, prev_hash, event)
        rows.append(row)
        seq, prev_hash = seq + 1, row["hash"]
    table: Table = EventRow.__table__  # type: ignore[assignment]
    session.execute(insert(table), rows)
    session.info[_HEAD] = (session.get_transaction(), seq - 1, prev_hash)


def _event_row(seq: int, prev_hash: str, event: NewEvent) -> dict[str, Any]:
    # A JSON round trip first, so the hash is computed over exactly what will be read back.
    body = json.loads(canonical_json(event.payload))
    row = {
        "seq": seq,
        "created_at": utcnow(),
        "kind": str(event.kind),
        "target": event.target,
        "sha256": event.sha256,
        "payload": body,
    }
    row["hash"] = event_hash(prev_hash=prev_hash, **row)
    row["prev_hash"] = prev_hash
    return row


def _next_link(session: Session) -> tuple[int, str]:
    """(seq, prev_hash) for the next entry. The head is read once per transaction: while the
    chain lock is held nobody else can move it, so a batch of ingests appends without
    re-reading it for every event."""
    cached = session.info.get(_HEAD)
    if cached is not None and cached[0] is session.get_transaction():
        return cached[1] + 1, cached[2]
    head = session.execute(
        select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
    ).first()
    return (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)


_HEAD = "prov.audit.chain_head_in"  # session.info key: (transaction, seq, hash) of our last append


def lock_chain(session: Session) -> None:
    """Take the chain lock now (writers take it first, before any row lock)."""
    _lock_chain(session)


def _lock_chain(session: Session) -> None:
    """Hold the chain until the transaction ends, so two appends never read the same head.

    PostgreSQL: a transaction-level advisory lock. SQLite: a no-op UPDATE takes the database
    write lock now (pysqlite starts the transaction at the first write), before the head is
    read; only one writer can hold it.
    """
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_LOCKED) is transaction:
        return  # held already: it lasts until this transaction ends
    hold_chain_lock(session)
    session.info[_LOCKED] = transaction


_LOCKED = "prov.audit.chain_locked_in"  # session.info key: the transaction holding the lock


# --- reading ---------------------------------------------------------------------------------


def events_for(
    session: Session, *, paths: Iterable[str] = (), sha_prefix: str | None = None
) -> list[EventRow]:
    """Events about the given paths (a folder's path covers everything below it) or whose
    content hash starts with `sha_prefix`; every event when neither is given."""
    query = select(EventRow).order_by(EventRow.seq)
    keys = list(paths)
    clauses: list[Any] = [at_or_below_any(EventRow.target, keys)] if keys else []
    if sha_prefix:
        clauses.append(EventRow.sha256.startswith(sha_prefix.lower(), autoescape=True))
    if clauses:
        query = query.where(or_(*clauses))
    return list(session.scalars(query))


def event_record(row: EventRow) -> dict[str, Any]:
    """The JSON shape of one event (`prov audit log --json`)."""
    return {
        "seq": row.seq,
        "created_at": row.created_at.isoformat(),
        "kind": row.kind,
        "target": row.target,
        "sha256": row.sha256,
        "payload": row.payload,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    seq: int  # the first entry that does not check out
    problem: str  # what is wrong, in plain words


@dataclass(frozen=True)
class ChainReport:
    count: int  # entries read
    head_seq: int | None
    head_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(session: Session) -> ChainReport:
    """Recompute the whole chain in order and name the first broken entry."""
    # Plain rows, not ORM objects: a third of the time on a long log (writers verify first).
    table: Table = EventRow.__table__  # type: ignore[assignment]
    query = select(*table.c).order_by(table.c.seq).execution_options(yield_per=1000)
    return check_rows(session.execute(query))  # type: ignore[arg-type]


def check_rows(rows: Iterable[EventRow]) -> ChainReport:
    count, expected_seq, expected_prev = 0, 1, GENESIS_HASH
    for row in rows:
        count += 1
        problem = _problem(row, expected_seq, expected_prev)
        if problem is not None:
            return ChainReport(count, row.seq, row.hash, ChainBreak(row.seq, problem))
        expected_seq, expected_prev = row.seq + 1, row.hash
    head = expected_seq - 1 if count else None
    return ChainReport(count, head, expected_prev, None)


def _problem(row: EventRow, expected_seq: int, expected_prev: str) -> str | None:
    if row.seq != expected_seq:
        missing = _span(expected_seq, row.seq - 1)
        jump = f"the log jumps from {expected_seq - 1} to {row.seq}"
        return f"entry {missing} is missing (deleted): {jump}"
    if row.prev_hash != expected_prev:
        return (
            f"prev_hash {row.prev_hash[:12]}... does not match the hash of entry "
            f"{row.seq - 1} ({expected_prev[:12]}...): the entry before it was replaced or deleted"
        )
    if row_hash(row) != row.hash:
        return "its content no longer matches its hash: the entry was edited"
    return None


def _span(first: int, last: int) -> str:
    return str(first) if first >= last else f"{first}..{last}"
