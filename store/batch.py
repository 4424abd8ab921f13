"""Batched writes for `prov scan`: many files per transaction, one savepoint per file.

A commit per file costs more than reading a small file's credentials; a scan of thousands of
frames commits every BATCH_FILES files or BATCH_SECONDS instead. Each file still gets its own
savepoint, so a file that fails to write rolls back alone, and the batch commits atomically:
after a crash the catalog holds whole files only, and the next scan picks up the rest.
The watcher keeps one transaction per file (its latency matters more than its throughput).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, SessionTransaction

from store import audit
from store.db import Catalog

BATCH_FILES = 200
BATCH_SECONDS = 1.0


class WriteBatch:
    """An open transaction that per-file units of work join as savepoints."""

    def __init__(
        self, catalog: Catalog, *, max_files: int = BATCH_FILES, max_seconds: float = BATCH_SECONDS
    ) -> None:
        self.catalog = catalog
        self.max_files = max_files
        self.max_seconds = max_seconds
        self._session: Session | None = None
        self._transaction: SessionTransaction | None = None
        self._files = 0
        self._opened_at = 0.0

    @property
    def session(self) -> Session:
        """The batch's session, opening a transaction if none is open."""
        if self._session is None:
            self._session = self.catalog.session()
        if self._transaction is None:
            self._transaction = self._session.begin()
            self._opened_at = time.monotonic()
            self._files = 0
            # Writers take the chain lock before any path lock (issue 3: no deadlock between
            # a scan and a watcher writing the same paths).
            audit.lock_chain(self._session)
        return self._session

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One file's writes: a savepoint in the batch transaction."""
        session = self.session
        try:
            with session.begin_nested():
                yield session
        except BaseException:
            audit.forget_head(session)  # events appended in the savepoint are gone
            raise
        self._files += 1

    @property
    def due(self) -> bool:
        return self._transaction is not None and (
            self._files >= self.max_files or time.monotonic() - self._opened_at >= self.max_seconds
        )

    def commit(self) -> None:
        if self._transaction is not None:
            self._transaction.commit()
            self._transaction = None
        if self._session is not None:
            self._session.expunge_all()  # keep memory flat over a long scan

    def rollback(self) -> None:
        if self._transaction is not None:
            self._transaction.rollback()
            self._transaction = None

    def close(self) -> None:
        self.rollback()
        if self._session is not None:
            self._session.close()
            self._session = None
