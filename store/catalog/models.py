"""SQLAlchemy models of the catalog, all of them in one module.

Content identities, paths and the versions seen at each path; then the genAI risk policy
(issue 4): classifications, operator declarations, approval decisions and the hash-chained audit
log. Typed columns for what queries filter on; JSON columns for the audit detail (manifest store,
evidence). The policy tables are append-only (ARCHITECTURE.md "Store"): a new classification,
declaration or decision adds a row and the latest one counts; nothing is updated in place.
Changing anything here needs an Alembic migration (tests/store/catalog/test_migrations.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both backends (SQLite drops tzinfo: reattach it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Asset(Base):
    """One distinct content, identified by its SHA-256. Many paths may hold it."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PathEntry(Base):
    """A file path in a delivery folder, with the fingerprint of what was last read there."""

    __tablename__ = "paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    # "asset" for media; "orphan_sidecar" for a .c2pa whose asset is absent.
    kind: Mapped[str] = mapped_column(String(20), default="asset")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", use_alter=True, name="fk_paths_current_version_id_versions")
    )
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    inode: Mapped[int | None] = mapped_column(BigInteger)
    sidecar_size: Mapped[int | None] = mapped_column(BigInteger)
    sidecar_mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    missing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the file went when a watcher saw it renamed (its content identity goes along).
    moved_to: Mapped[str | None] = mapped_column(Text)

    current_version: Mapped[Version | None] = relationship(
        # viewonly: current_version_id is set directly; a writable relationship here made
        # the ORM issue a second UPDATE of the path for every new version.
        foreign_keys=[current_version_id],
        viewonly=True,
    )


class Version(Base):
    """What was read at a path at one time. Append-only: a change adds a row."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("path_id", "seq"),
        Index("ix_versions_sha256", "sha256"),
        Index("ix_versions_involvement", "involvement"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the reading: every row of the path counts
    # The content version this row is a reading of (issue 8): re-reading unchanged bytes
    # (`scan --force`, new trust anchors) adds a row, a new reading of the same content
    # version, and decisions carry over to it (store/policy/approvals.py). NULL on rows recorded
    # before migration 0006: each is a content version of its own (`content_version`).
    content_seq: Mapped[int | None] = mapped_column(Integer)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    # Content Credentials
    cred_present: Mapped[bool] = mapped_column(Boolean, default=False)
    cred_location: Mapped[str | None] = mapped_column(String(20))
    validation_state: Mapped[str | None] = mapped_column(String(20), index=True)
    failure_codes: Mapped[list[str]] = mapped_column(JsonType, default=list)
    informational_codes: Mapped[list[str]] = mapped_column(JsonType, default=list)
    active_manifest: Mapped[str | None] = mapped_column(Text)
    claim_generator: Mapped[str | None] = mapped_column(Text)
    signer_issuer: Mapped[str | None] = mapped_column(Text)
    signer_common_name: Mapped[str | None] = mapped_column(Text)
    signing_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    manifest_count: Mapped[int] = mapped_column(Integer, default=0)
    ingredient_count: Mapped[int] = mapped_column(Integer, default=0)
    remote_url: Mapped[str | None] = mapped_column(Text)
    sidecar_path: Mapped[str | None] = mapped_column(Text)
    # Deferred: kilobytes to megabytes of JSON that only `prov show` and audits read.
    manifest_store: Mapped[dict[str, Any] | None] = mapped_column(JsonType, deferred=True)
    # Generative-AI involvement
    involvement: Mapped[str] = mapped_column(String(20), default="unknown")
    ai_evidence: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # Software the credentials or metadata name ({"name", "source", "strength"}), for the
    # policy's tool registry (GP-2/GP-3), whether or not it is a known generator (issue 7).
    tool_names: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonType, default=list, server_default=text("'[]'")
    )
    # Credential readings besides the main one (a sidecar beside embedded credentials is
    # read too, never hides them; issue 7): credential-record dicts.
    extra_credentials: Mapped[list[dict[str, Any]]] = mapped_column(
        JsonType, default=list, server_default=text("'[]'")
    )

    path: Mapped[PathEntry] = relationship(foreign_keys=[path_id])

    @property
    def content_version(self) -> int:
        """The JSON record's `version`: the content version (issue 8)."""
        return self.content_seq if self.content_seq is not None else self.seq


class Watcher(Base):
    """A `prov watch` process's heartbeat: who watches what, and how far behind it is."""

    __tablename__ = "watchers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4 chosen by the process
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    folders: Mapped[list[str]] = mapped_column(JsonType, default=list)
    role: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_heartbeat: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    backlog: Mapped[int] = mapped_column(Integer, default=0)
    ingested: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="running")  # running | stopped
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
    path: Mapped[str] = mapped_column(Text, index=True)  # store.catalog.paths.path_key form
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
    deleting any entry breaks the chain from there on (store/audit/chain.py recomputes it)."""

    __tablename__ = "events"

    # Assigned under the chain lock (store/audit/chain.py), never by the database: a gap means a
    # deleted entry.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # ingest|classify|declare|...
    target: Mapped[str | None] = mapped_column(Text, index=True)  # a path
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
