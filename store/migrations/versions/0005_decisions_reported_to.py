"""decisions.reported_to: to whom a version's intended use was reported (`prov reported`,
decision "report"); NULL for approvals and rejections

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows are approvals and rejections: nothing was reported, so NULL is true.
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_to", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("reported_to")
