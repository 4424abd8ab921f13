"""SQLAlchemy models of the genAI risk policy (issue 4): classifications, operator
declarations, approval decisions and the hash-chained audit log.

Every table here is append-only (ARCHITECTURE.md "Store"): a new classification, declaration or
decision adds a row and the latest one counts; nothing is updated in place. Changing anything
here needs an Alembic migration (tests/store/test_migrations.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, JsonType, UTCDateTime, utcnow


class ClassificationRow(Base):
    """The policy's decision for one version at one time. The current one is the latest row
    (highest id) of the version; earlier rows are the history kept by `prov classify`."""

    __tablename__ = "classifications"
    __table_args__ = (Index("ix_classifications_version_id_id", "version_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    # none | socialize | escalate | approval-required; NULL when the version could not be
    # classified (`error` says why, e.g. a malformed declaration file): it fails every gate.
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    involvement: Mapped[str | None] = mapped_column(String(20))  # evidence + declaration
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    policy_id: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))  # folder role used: final, wip, ...
    production_title: Mapped[str | None] = mapped_column(Text)  # groups `prov escalations`
    declaration: Mapped[dict[str, Any] | None] = mapped_column(JsonType)  # snapshot used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeclarationRow(Base):
    """A declaration an operator recorded with `prov declare`, for a file or a folder (then it
    covers everything below). The latest row of a path wins; it is merged over the vendor's
    declaration files and applies to later versions of the path too."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, index=True)  # store.repository.path_key form
    is_folder: Mapped[bool] = mapped_column(Boolean, default=False)
    fields: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # declaration keys
    declared_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionRow(Base):
    """A written approval or rejection of exactly one version (a changed file is a new version
    and needs its own), or a report that its intended use was shared with the studio contact
    (`prov reported`, issue 7). `rule_id` NULL: the whole version; else the one rule it
    addresses (reports always cover the whole version)."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_version_id_id", "version_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # approve | reject | report
    decided_by: Mapped[str] = mapped_column(Text)  # who decided, or who reported
    reference: Mapped[str] = mapped_column(Text)  # the written approval document, or report
    rule_id: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    # report only: to whom the intended use was reported (migration 0005)
    reported_to: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventRow(Base):
    """One entry of the audit log. `hash` covers this entry and `prev_hash`, so editing or
    deleting any entry breaks the chain from there on (store/audit.py recomputes it)."""

    __tablename__ = "events"

    # Assigned under the chain lock (store/audit.py), never by the database: a gap means a
    # deleted entry.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # ingest|classify|declare|...
    target: Mapped[str | None] = mapped_column(Text, index=True)  # a path
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
