"""Catalog fixtures: every store/ingest/CLI test runs on SQLite, and on the real PostgreSQL
server when PROV_TEST_POSTGRES_URL is set (each test in its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store.catalog.db import Catalog, open_catalog

POSTGRES_ENV = "PROV_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    return url


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def temporary_catalog_url(backend: str, folder: Path) -> Iterator[str]:
    """A URL for an empty catalog: a SQLite file in `folder`, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'catalog.db'}"
        return
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(base, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty catalog on the backend the test is parametrised with."""
    with temporary_catalog_url(getattr(request, "param", "sqlite"), tmp_path) as url:
        yield url


@pytest.fixture
def catalog(db_url: str) -> Iterator[Catalog]:
    opened = open_catalog(db_url)
    try:
        yield opened
    finally:
        opened.dispose()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Any test that asks for a catalog runs once per backend.
    if "db_url" in metafunc.fixturenames and "backend_fixed" not in metafunc.fixturenames:
        metafunc.parametrize("db_url", BACKENDS, indirect=True)
