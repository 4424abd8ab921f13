"""initial catalog: assets, paths, versions

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:41:36.880631
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from store.catalog.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("first_seen", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("sha256", name=op.f("uq_assets_sha256")),
    )
    op.create_table(
        "paths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("inode", sa.BigInteger(), nullable=True),
        sa.Column("sidecar_size", sa.BigInteger(), nullable=True),
        sa.Column("sidecar_mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("first_seen", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", UTCDateTime(timezone=True), nullable=False),
        sa.Column("missing_since", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paths")),
        sa.UniqueConstraint("path", name=op.f("uq_paths_path")),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("cred_present", sa.Boolean(), nullable=False),
        sa.Column("cred_location", sa.String(length=20), nullable=True),
        sa.Column("validation_state", sa.String(length=20), nullable=True),
        sa.Column(
            "failure_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "informational_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("active_manifest", sa.Text(), nullable=True),
        sa.Column("claim_generator", sa.Text(), nullable=True),
        sa.Column("signer_issuer", sa.Text(), nullable=True),
        sa.Column("signer_common_name", sa.Text(), nullable=True),
        sa.Column("signing_time", UTCDateTime(timezone=True), nullable=True),
        sa.Column("manifest_count", sa.Integer(), nullable=False),
        sa.Column("ingredient_count", sa.Integer(), nullable=False),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("sidecar_path", sa.Text(), nullable=True),
        sa.Column(
            "manifest_store",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("involvement", sa.String(length=20), nullable=False),
        sa.Column(
            "ai_evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_versions_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(["path_id"], ["paths.id"], name=op.f("fk_versions_path_id_paths")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("path_id", "seq", name=op.f("uq_versions_path_id_seq")),
    )
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.create_index("ix_versions_involvement", ["involvement"], unique=False)
        batch_op.create_index(batch_op.f("ix_versions_path_id"), ["path_id"], unique=False)
        batch_op.create_index("ix_versions_sha256", ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_versions_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_versions_validation_state"), ["validation_state"], unique=False
        )

    # paths.current_version_id and versions.path_id point at each other: add this one last.
    with op.batch_alter_table("paths", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_paths_current_version_id_versions", "versions", ["current_version_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("paths", schema=None) as batch_op:
        batch_op.drop_constraint("fk_paths_current_version_id_versions", type_="foreignkey")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_versions_validation_state"))
        batch_op.drop_index(batch_op.f("ix_versions_status"))
        batch_op.drop_index("ix_versions_sha256")
        batch_op.drop_index(batch_op.f("ix_versions_path_id"))
        batch_op.drop_index("ix_versions_involvement")

    op.drop_table("versions")
    op.drop_table("paths")
    op.drop_table("assets")
