"""Every SQL difference between SQLite and PostgreSQL the store makes, in one module.

Upserts (each dialect has its own INSERT ... ON CONFLICT construct), the locks that serialise
writers (PostgreSQL: transaction-level advisory locks and row locks; SQLite: its one database
write lock), and connection settings (SQLite pragmas; how long to wait for a lock). Callers
ask with a session, connection or engine and never branch on the dialect themselves.
Does I/O only through the connections it is given; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Advisory lock keys. Any constants work; they must differ from each other and be the same for
# every prov process sharing a catalog.
_MIGRATION_LOCK = 0x70726F76  # "prov"
_CHAIN_LOCK = 0x70726F7663  # "provc"

Query = TypeVar("Query", bound=Select)  # any row shape


def is_postgresql(bind: Session | Connection | Engine) -> bool:
    """Whether `bind` talks to PostgreSQL (anything else is SQLite: prov knows no third)."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "postgresql"


def insert_for(session: Session, model: Any) -> Any:
    """An INSERT of `model` (a mapped class or a Table) that supports `on_conflict_do_update`
    and `.excluded`, in the session's dialect."""
    table = getattr(model, "__table__", model)
    return (pg_insert if is_postgresql(session) else sqlite_insert)(table)


def for_update(session: Session, query: Query, of: Any) -> Query:
    """`query` locking the rows of `of` it reads until the transaction ends. PostgreSQL only:
    a SQLite writer already holds the whole database (see hold_chain_lock)."""
    return query.with_for_update(of=of) if is_postgresql(session) else query


def hold_chain_lock(session: Session) -> None:
    """Serialise audit-chain appends until the session's transaction ends. PostgreSQL: a
    transaction-level advisory lock. SQLite: a no-op UPDATE takes the database write lock now
    (pysqlite starts the transaction at the first write), before the chain head is read."""
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    else:
        session.execute(text("UPDATE events SET seq = seq WHERE 1 = 0"))


def hold_migration_lock(connection: Connection) -> None:
    """Serialise migrations until the connection's transaction ends: several watchers may start
    at once against one PostgreSQL catalog (SQLite's migration takes its write lock itself)."""
    if is_postgresql(connection):
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """The `connect` listener of every SQLite engine. WAL lets a watcher write while an auditor
    reads; foreign keys are off by default in SQLite; the busy timeout makes concurrent
    writers wait instead of failing."""
    _execute(dbapi_connection, "PRAGMA journal_mode=WAL")
    _execute(dbapi_connection, "PRAGMA foreign_keys=ON")
    _execute(dbapi_connection, f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _execute(dbapi_connection, "PRAGMA synchronous=NORMAL")


def lock_wait_listener(engine: Engine, millis: int) -> Callable[[Any, Any], None]:
    """A `connect` listener making the engine's connections give up waiting for a lock after
    `millis` (SQLite: busy_timeout; PostgreSQL: lock_timeout)."""
    postgresql = is_postgresql(engine)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if not postgresql:
            _execute(dbapi_connection, f"PRAGMA busy_timeout={millis}")
            return
        # SET inside a transaction would be undone by the pool's rollback: run it outside.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        _execute(dbapi_connection, f"SET lock_timeout = {millis}")
        dbapi_connection.autocommit = autocommit

    return on_connect


def _execute(dbapi_connection: Any, sql: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(sql)
    cursor.close()
