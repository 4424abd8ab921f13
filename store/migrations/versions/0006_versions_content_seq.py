"""versions.content_seq: the content version a row is a reading of (issue 8), so that
re-reading unchanged bytes (`scan --force`, new trust anchors) is a new reading, not a new
content version, and approvals carry over to it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows stay NULL: each counts as a content version of its own (its `version` is
    # its seq, as before), and the digest of its audit event, which never had the column,
    # still matches (store/audit/chain.py digests content_seq only when set).
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_column("content_seq")
