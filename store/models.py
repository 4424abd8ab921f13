"""SQLAlchemy models of the catalog: content identities, paths, and the versions seen at each path.

Typed columns for what queries filter on; JSON columns for the audit detail (manifest store,
evidence). Changing anything here needs an Alembic migration (tests/store/test_migrations.py).
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
    # version, and decisions carry over to it (store/approvals.py). NULL on rows recorded
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


# The policy tables (issue 4) live in their own module; importing it here registers them on
# Base.metadata wherever the models are used (Alembic autogenerate, the migrations test).
from store import models_policy  # noqa: E402, F401
