"""Catalog connection: URL resolution (a plain file path is a SQLite catalog), where a SQLite
catalog's files are, opening an engine, migrations to head.

Does I/O: opens database connections. The SQL that differs between SQLite and PostgreSQL
(pragmas, locks, upserts) is in store/catalog/dialect.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

# Session is also the type the CLI names (cli/ may not import sqlalchemy: pyproject.toml bans).
from sqlalchemy.orm import Session, sessionmaker

from provenance.errors import EXIT_USAGE, ProvError
from store.catalog import dialect

DEFAULT_DB_FILE = "prov.db"


class CatalogError(ProvError):
    """The catalog cannot be opened or used; the message says what and where (exit 1)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)


class NoCatalog(CatalogError):
    """A command that only reads (or decides on what is there) named a catalog that does not
    exist: a SQLite file that is not there, or a database without prov's tables (issue 7).
    Nothing is created: a typo in --db must never look like an empty, passing catalog.
    A usage error (exit 2): a wrong --db, say."""

    exit_code = EXIT_USAGE

    def __init__(self, where: str) -> None:
        super().__init__(f"no catalog at {where} (run prov scan, or give --db)")
        self.where = where


def resolve_url(db: str | None, *, base: Path | None = None) -> str:
    """A SQLAlchemy URL from `--db` / PROV_DB / `[catalog] db`: a URL, or a plain file path for
    SQLite. A relative SQLite path is made absolute against `base` (the folder of the prov.toml
    that named it) or, without one, the current folder; with no value at all the catalog is
    DEFAULT_DB_FILE there (issue 8: a command run in a subfolder uses the project's catalog).
    PROV_DB, read when `db` is None, is relative to the current folder like --db."""
    if db is None and (env := os.environ.get("PROV_DB")):
        db, base = env, None
    value = db or DEFAULT_DB_FILE
    folder = base if base is not None else Path.cwd()
    if "://" in value:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise CatalogError(f"not a database URL: {value!r}", _URL_HINT) from exc
        return _anchored(value, url, folder)
    return "sqlite:///" + str((folder / Path(value).expanduser()).resolve())


def _anchored(value: str, url: URL, folder: Path) -> str:
    """`sqlite:///relative.db` made absolute against `folder`; any other URL unchanged."""
    database = url.database
    if not url.drivername.startswith("sqlite") or not database or database == ":memory:":
        return value
    if database.startswith("file:") or Path(database).is_absolute():
        return value
    absolute = str((folder / Path(database).expanduser()).resolve())
    return url.set(database=absolute).render_as_string(hide_password=False)


# SQLite keeps a catalog in its file and, while it is open, these beside it (issue 8: they
# are the catalog's own files, never assets).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def catalog_files(url: str) -> tuple[Path, ...]:
    """The files a SQLite catalog at `url` is kept in: the database file and its WAL, shared
    memory and rollback journal, both as named and with symlinks resolved (SQLite opens the
    resolved file and puts its companions beside it). None for a server database."""
    if not url.startswith("sqlite"):
        return ()
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return ()
    named = Path(os.path.abspath(database))
    forms = {named, Path(os.path.realpath(named))}
    return tuple(sorted(Path(f"{form}{suffix}") for form in forms for suffix in SQLITE_COMPANIONS))


_URL_HINT = "use a file path (prov.db) or a URL like postgresql+psycopg://user@host:5432/dbname"


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


@dataclass
class Catalog:
    """An opened, migrated catalog: an engine and a session factory."""

    engine: Engine
    url: str

    @property
    def is_sqlite(self) -> bool:
        return not dialect.is_postgresql(self.engine)

    def session(self) -> Session:
        return _sessions(self.engine)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any exception."""
        with self.session() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def open_catalog(db: str | None, *, create: bool = True, migrate: bool = True) -> Catalog:
    """Open (and by default upgrade) the catalog named by `--db`/PROV_DB. `create=True` makes
    a new one where there is none (`prov scan`, `prov watch`); `create=False` raises NoCatalog
    instead, and leaves no file behind (every other command)."""
    url = resolve_url(db)
    if not create:
        _require_sqlite_file(url)  # before connecting: SQLite creates the file on connect
    engine = _make_engine(url)
    catalog = Catalog(engine, url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            exists = create or _has_schema(connection)
        if not exists:
            engine.dispose()
            raise NoCatalog(_where(url))
        if migrate:
            upgrade_to_head(catalog)
    except OperationalError as exc:
        engine.dispose()
        raise CatalogError(
            f"cannot open the catalog at {redact(url)}: {_first_line(exc)}",
            "check --db / PROV_DB, that the server is running and the folder is writable",
        ) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise CatalogError(f"catalog error at {redact(url)}: {_first_line(exc)}") from exc
    return catalog


def _where(url: str) -> str:
    """How a missing catalog is named: the file for SQLite, the redacted URL otherwise."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            return database
    return redact(url)


def _require_sqlite_file(url: str) -> None:
    if not url.startswith("sqlite"):
        return
    database = make_url(url).database
    if database and database != ":memory:":
        path = Path(database)
        # An empty file is no catalog either, and connecting would write a header into it.
        if not path.is_file() or path.stat().st_size == 0:
            raise NoCatalog(database)


def _has_schema(connection: Connection) -> bool:
    """Whether prov's migrations ever ran here (an empty SQLite file, or a PostgreSQL database
    or schema holding something else, is no catalog)."""
    return inspect(connection).has_table("alembic_version")


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        timeout = dialect.SQLITE_BUSY_TIMEOUT_MS / 1000
        engine = create_engine(url, connect_args={"timeout": timeout})
        event.listen(engine, "connect", dialect.sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise CatalogError(f"cannot use database URL {redact(url)}: {exc}", _URL_HINT) from exc


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not Path(database).parent.is_dir():
        raise CatalogError(
            f"the folder for the catalog file {database} does not exist",
            "create the folder or point --db somewhere else",
        )


def upgrade_to_head(catalog: Catalog) -> None:
    """Apply every Alembic migration the catalog lacks. New catalogs are made this way too."""
    if _at_head(catalog):
        return  # the common case: no need to load Alembic at all
    from store.migrations.runner import upgrade

    with catalog.engine.begin() as connection:
        dialect.hold_migration_lock(connection)
        upgrade(connection)


def head_revision() -> str:
    """The newest migration's id. Revision ids are the zero-padded number their file name
    starts with and the history is linear (tests/store/catalog/test_migrations.py checks both), so
    this needs no Alembic import: opening a current catalog stays fast."""
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    return max(p.name.split("_", 1)[0] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _at_head(catalog: Catalog) -> bool:
    try:
        with catalog.engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return False  # a new catalog: no alembic_version table yet
    return current == head_revision()
