"""Migrations are the only way a catalog gets its schema: they must agree with the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from store.catalog.db import Catalog, open_catalog
from store.catalog.models import Base
from store.migrations.runner import downgrade, upgrade


def test_models_and_migrations_agree(catalog: Catalog) -> None:
    with catalog.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_new_catalog_is_created_at_head(catalog: Catalog) -> None:
    tables = set(inspect(catalog.engine).get_table_names())
    assert {"assets", "paths", "versions", "alembic_version"} <= tables


def test_downgrade_to_base_and_upgrade_again(catalog: Catalog) -> None:
    with catalog.engine.begin() as connection:
        downgrade(connection, "base")
    assert "versions" not in inspect(catalog.engine).get_table_names()
    with catalog.engine.begin() as connection:
        upgrade(connection)
    assert "versions" in inspect(catalog.engine).get_table_names()


def test_opening_twice_is_idempotent(db_url: str) -> None:
    open_catalog(db_url).dispose()
    open_catalog(db_url).dispose()


def test_older_catalog_is_upgraded_on_open_and_keeps_its_rows(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        upgrade(connection, "0001")
        connection.execute(
            text(
                "INSERT INTO paths (path, kind, first_seen, last_seen) VALUES ('/a', 'asset', :t, :t)"
            ),
            {"t": "2026-01-01 00:00:00+00:00"},
        )
    engine.dispose()
    catalog = open_catalog(db_url)
    try:
        with catalog.engine.connect() as connection:
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == _head()
            )
            assert connection.execute(text("SELECT path FROM paths")).scalar() == "/a"
    finally:
        catalog.dispose()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from store.migrations.runner import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_cheap_head_revision_matches_alembic_and_history_is_linear() -> None:
    from alembic.script import ScriptDirectory

    from store.catalog.db import head_revision
    from store.migrations.runner import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    for revision in script.walk_revisions():
        assert revision.module.__file__ is not None
        assert Path(revision.module.__file__).name.startswith(revision.revision + "_")
