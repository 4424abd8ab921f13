"""Issue 8 through the CLI: prov.toml is found from a subfolder and the catalog sits beside it
(never a second one in the subfolder); prov's own files (the open catalog and its SQLite
companions, the config, the trust anchors, key files) are never recorded by scan or watch,
so the gate never waits on them; a bad key anywhere in prov.toml is exit 2, naming file,
table and key, with no catalog made. Real SQLite files, click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from cli.main import prov
from store.catalog.db import open_catalog
from store.catalog.models import PathEntry
from tests.conftest import DevPki, write_jpeg

DECLARATION = 'tool = "SignSmith AI"\nuse_case = "background"\n'


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROV_DB", raising=False)
    monkeypatch.delenv("PROV_CONFIG", raising=False)


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """tmp/show: a project folder with a prov.toml and a delivery below, ep1/sc2/a.jpg."""
    root = tmp_path / "show"
    (root / "ep1" / "sc2").mkdir(parents=True)
    (root / "prov.toml").write_text("", encoding="utf-8")
    write_jpeg(root / "ep1" / "sc2" / "a.jpg")
    return root


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(prov, list(args), catch_exceptions=False)
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    return result


def listed(*args: str) -> list[str]:
    return [Path(record["path"]).name for record in json.loads(run(*args, "ls", "--json").stdout)]


def gate_findings(folder: str) -> list[str]:
    """The names `prov check FOLDER` blocks on (it blocks: the declared genAI use escalates)."""
    findings = json.loads(run("check", "--json", folder, code=3).stdout)
    return [Path(finding["path"]).name for finding in findings]


def databases(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if ".db" in p.name or ".sqlite" in p.name)


def rows(catalog_file: Path) -> dict[str, str]:
    """Every path row of the catalog: file name -> kind."""
    catalog = open_catalog(f"sqlite:///{catalog_file}", create=False)
    try:
        with catalog.session() as session:
            return {Path(e.path).name: e.kind for e in session.scalars(select(PathEntry))}
    finally:
        catalog.dispose()


# --- discovery ----------------------------------------------------------------------------------


def test_scan_from_a_subfolder_writes_the_catalog_beside_prov_toml(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(show / "ep1")
    run("scan", ".")
    assert databases(show.parent) == [show / "prov.db"]
    monkeypatch.chdir(show / "ep1" / "sc2")
    assert listed() == ["a.jpg"]  # and any command below finds it
    assert databases(show.parent) == [show / "prov.db"]


@pytest.mark.parametrize("db", ["prov.db", "catalogs/show.db", "sqlite:///catalogs/show.db"])
def test_catalog_db_in_prov_toml_is_relative_to_prov_toml(
    show: Path, monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    (show / "catalogs").mkdir()
    (show / "prov.toml").write_text(f'[catalog]\ndb = "{db}"\n', encoding="utf-8")
    monkeypatch.chdir(show / "ep1" / "sc2")
    run("scan", ".")
    expected = show / db.removeprefix("sqlite:///")
    assert databases(show.parent) == [expected]
    assert rows(expected) == {"a.jpg": "asset"}


def test_db_option_and_env_stay_relative_to_the_current_folder(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (show / "prov.toml").write_text('[catalog]\ndb = "prov.db"\n', encoding="utf-8")
    here = show / "ep1" / "sc2"
    monkeypatch.chdir(here)
    run("--db", "given.db", "scan", ".")
    monkeypatch.setenv("PROV_DB", "env.db")
    run("scan", ".")
    assert databases(show.parent) == [here / "env.db", here / "given.db"]


def test_config_option_and_env_win_over_the_one_found(
    show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (show / "prov.toml").write_text('[catalog]\ndb = "found.db"\n', encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "studio.toml").write_text('[catalog]\ndb = "studio.db"\n', encoding="utf-8")
    (other / "env.toml").write_text('[catalog]\ndb = "env.db"\n', encoding="utf-8")
    monkeypatch.chdir(show / "ep1")
    run("--config", str(other / "studio.toml"), "scan", ".")
    monkeypatch.setenv("PROV_CONFIG", str(other / "env.toml"))
    run("scan", ".")
    assert databases(tmp_path) == [other / "env.db", other / "studio.db"]


def test_without_a_config_the_catalog_is_made_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_jpeg(tmp_path / "a.jpg")
    monkeypatch.chdir(tmp_path)
    run("scan", ".")
    assert databases(tmp_path) == [tmp_path / "prov.db"]


# --- the catalog's own files --------------------------------------------------------------------


@pytest.fixture
def project(show: Path, dev_pki: DevPki) -> Path:
    """The project folder scanned or watched as a whole: its catalog (named so that only the
    exact-file rule can know it), its config, trust anchors, a key and a declaration."""
    (show / "pki").mkdir()
    (show / "pki" / "studio-ca.crt").write_bytes(dev_pki.ca_pem)  # no key-file glob matches
    (show / "pki" / "signer.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    (show / "prov.toml").write_text(
        '[catalog]\ndb = "catalog.sqlite"\n[trust]\nanchors = "pki/studio-ca.crt"\n',
        encoding="utf-8",
    )
    (show / "ep1" / "genai-declaration.toml").write_text(DECLARATION, encoding="utf-8")
    return show


EXPECTED_ROWS = {"a.jpg": "asset", "genai-declaration.toml": "declaration"}


def test_scan_never_records_the_catalogs_own_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    run("scan", ".")
    run("scan", ".")  # now the catalog exists before the walk (and its WAL while it runs)
    run("scan", "--force", ".")
    assert rows(project / "catalog.sqlite") == EXPECTED_ROWS
    assert gate_findings(".") == ["a.jpg"]  # the declared genAI use; none of prov's files


def test_watch_once_never_records_the_catalogs_own_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "ep1")
    run("watch", "--once", "..")
    run("watch", "--once", "..")
    assert rows(project / "catalog.sqlite") == EXPECTED_ROWS
    assert gate_findings("..") == ["a.jpg"]


def test_a_catalog_file_named_on_the_command_line_is_not_recorded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    run("scan", "ep1")
    run("scan", "catalog.sqlite", "prov.toml", "ep1/sc2/a.jpg")
    assert rows(project / "catalog.sqlite") == EXPECTED_ROWS


def test_a_database_that_is_not_the_open_catalog_is_recorded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the open catalog's files are prov's own: another .db is delivered content.
    (project / "ep1" / "edit.db").write_bytes(b"SQLite format 3\x00")
    monkeypatch.chdir(project)
    run("scan", ".")
    assert rows(project / "catalog.sqlite") == EXPECTED_ROWS | {"edit.db": "asset"}


# --- every table and key checked ----------------------------------------------------------------

BAD = [
    ('[catalog]\ndbb = "x.db"\n', "catalog.dbb: unknown key (known: db)"),
    ('[trust]\nanchor = "ca.pem"\n', "trust.anchor: unknown key (known: anchors, fetch_remote)"),
    ('[gate]\nfailon = "escalate"\n', "gate.failon: unknown key (known: fail_on)"),
    ("[watch]\nx = 1\n", "watch.x: unknown key"),
    ('[production]\ntitel = "X"\n', "production.titel: unknown key"),
    ("[policy]\nfile = 3\n", "policy.file: expected a string, got int 3"),
    ('[trust]\nfetch_remote = "yes"\n', "trust.fetch_remote: expected true or false"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
@pytest.mark.parametrize("command", [("scan", "."), ("ls",), ("status",)])
def test_a_bad_key_is_exit_2_naming_file_table_and_key_and_makes_no_catalog(
    show: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, command: tuple[str, ...]
) -> None:
    (show / "prov.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(show / "ep1")
    result = run(*command, code=2)
    assert f"error: {show / 'prov.toml'}: {message}" in result.stderr
    assert databases(show.parent) == []


def test_a_bad_production_key_stops_commands_that_do_not_classify(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(show)
    run("scan", ".")
    (show / "prov.toml").write_text(
        '[production]\ntitle = "X"\nkind = "scripted"\n'
        '[[production.folders]]\nglob = "final/**"\nrole = "finale"\n',
        encoding="utf-8",
    )
    for command in (("ls",), ("check", "."), ("show", "ep1/sc2/a.jpg")):
        result = run(*command, code=2)
        assert "production.folders[0].role: 'finale' is not one of" in result.stderr
