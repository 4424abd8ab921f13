"""Alembic environment: always run online on the connection the caller hands in."""

from __future__ import annotations

from alembic import context

from store.catalog.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a misconfigured caller
    raise RuntimeError("prov migrations run through store.migrations.runner with a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
