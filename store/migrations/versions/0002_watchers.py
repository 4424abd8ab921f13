"""watchers heartbeat table, paths.moved_to

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:53:05.744476
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from store.catalog.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column(
            "folders",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_heartbeat", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("backlog", sa.Integer(), nullable=False),
        sa.Column("ingested", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stopped_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchers")),
    )
    with op.batch_alter_table("paths", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved_to", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("paths", schema=None) as batch_op:
        batch_op.drop_column("moved_to")

    op.drop_table("watchers")
