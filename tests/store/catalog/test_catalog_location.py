"""Where the catalog is (issue 8): store.catalog.db.resolve_url anchors a relative SQLite path at the
folder of the prov.toml that named it (or the current folder), and catalog_files names the
files a SQLite catalog lives in, which scan and watch must never record."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.catalog.db import catalog_files, open_catalog, resolve_url


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PROV_DB", raising=False)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


def test_a_plain_path_is_relative_to_the_base_folder(tmp_path: Path) -> None:
    base = tmp_path / "show"
    assert resolve_url("cat/prov.db", base=base) == f"sqlite:///{base / 'cat' / 'prov.db'}"


def test_without_a_base_it_is_relative_to_the_current_folder(tmp_path: Path) -> None:
    assert resolve_url("prov.db") == f"sqlite:///{tmp_path / 'here' / 'prov.db'}"


def test_no_value_is_prov_db_in_the_base_folder(tmp_path: Path) -> None:
    assert resolve_url(None, base=tmp_path) == f"sqlite:///{tmp_path / 'prov.db'}"
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'here' / 'prov.db'}"


def test_prov_db_from_the_environment_is_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROV_DB", "env.db")
    assert resolve_url(None, base=tmp_path / "show") == f"sqlite:///{tmp_path / 'here/env.db'}"


def test_a_relative_sqlite_url_is_anchored_too(tmp_path: Path) -> None:
    base = tmp_path / "show"
    assert resolve_url("sqlite:///cat.db", base=base) == f"sqlite:///{base / 'cat.db'}"
    assert resolve_url("sqlite:///cat.db") == f"sqlite:///{tmp_path / 'here' / 'cat.db'}"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////abs/prov.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://prov:secret@dbhost:5432/prov",
    ],
)
def test_other_urls_are_kept_as_given(tmp_path: Path, url: str) -> None:
    assert resolve_url(url, base=tmp_path) == url


def test_a_relative_url_opens_where_it_says(tmp_path: Path) -> None:
    catalog = open_catalog(resolve_url("sqlite:///cat.db", base=tmp_path))
    catalog.dispose()
    assert (tmp_path / "cat.db").is_file()
    assert not (tmp_path / "here" / "cat.db").exists()


def test_catalog_files_of_sqlite_are_the_database_and_its_companions(tmp_path: Path) -> None:
    files = catalog_files(f"sqlite:///{tmp_path / 'cat.sqlite'}")
    names = {path.name for path in files}
    assert names == {"cat.sqlite", "cat.sqlite-wal", "cat.sqlite-shm", "cat.sqlite-journal"}
    assert all(path.parent == tmp_path for path in files)


def test_catalog_files_name_the_resolved_file_behind_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "store"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    files = set(catalog_files(f"sqlite:///{tmp_path / 'link' / 'prov.db'}"))
    assert real / "prov.db-wal" in files and tmp_path / "link" / "prov.db-wal" in files


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://prov@dbhost/prov", "sqlite://", "sqlite:///:memory:"]
)
def test_no_catalog_files_without_a_database_file(url: str) -> None:
    assert catalog_files(url) == ()
