"""The gate and the read-only commands never pass on nothing (issue 7): a catalog that does not
exist, a gate with nothing to judge, an empty or cut-off audit log, and writers refusing a log
that does not verify. Through click's CliRunner: exit codes, stdout, stderr."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from cli.main import prov
from provenance.c2pa_io import action
from tests.conftest import SignJpeg, write_jpeg

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]

READERS = [
    ["ls"],
    ["show", "x.jpg"],
    ["check"],
    ["escalations"],
    ["audit", "log"],
    ["audit", "verify"],
    ["status"],
    ["approve", "x.jpg", "--by", "Legal", "--ref", "L-1"],
    ["reject", "x.jpg", "--by", "Legal", "--ref", "L-1"],
    ["declare", ".", "--use", "ideation"],
    ["classify"],
    ["reported", "x.jpg", "--to", "A. Chen", "--ref", "mail-1"],
]


def _prov(db: str, *args: str, code: int) -> Result:
    result = CliRunner().invoke(prov, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def _sql(db_url: str, statement: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _count(db_url: str, table: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        found = int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return found


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:1]))
def test_commands_on_a_catalog_that_does_not_exist_exit_2_and_create_nothing(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _prov("typo.db", *args, code=2)
    typo = tmp_path / "typo.db"
    assert result.stderr.startswith(f"error: no catalog at {typo} (run prov scan, or give --db)")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_or_database_is_no_catalog(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        (tmp_path / "catalog.db").write_bytes(b"")  # what `prov check` used to leave behind
    result = _prov(db_url, "check", code=2)
    assert "no catalog at" in result.stderr
    if db_url.startswith("sqlite"):
        assert (tmp_path / "catalog.db").read_bytes() == b""
    _prov(db_url, "scan", str(tmp_path), code=0)  # scan creates one
    _prov(db_url, "ls", code=0)


def test_check_fails_when_there_is_nothing_to_check(
    db_url: str, tmp_path: Path, sign_jpeg: SignJpeg
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _prov(db_url, "scan", str(empty), code=0)
    result = _prov(db_url, "check", code=3)
    assert "error: nothing to check: no current versions in the catalog" in result.stderr
    result = _prov(db_url, "check", str(empty), code=3)
    assert f"nothing to check: no current versions under {empty}" in result.stderr
    camera = shutil.move(sign_jpeg("cam.jpg"), tmp_path / "cam.jpg")
    _prov(db_url, "scan", str(camera), code=0)
    assert "gate passed: 0 item(s)" in _prov(db_url, "check", code=0).stderr
    _prov(db_url, "check", str(empty), code=3)  # still nothing there


def test_verify_an_empty_log_fails_unless_allowed(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _prov(db_url, "scan", str(tmp_path / "empty"), code=0)
    result = _prov(db_url, "audit", "verify", code=1)
    assert "the audit log is empty" in result.stdout
    assert "--allow-empty" in result.stderr
    allowed = _prov(db_url, "audit", "verify", "--allow-empty", code=0)
    assert allowed.stdout.startswith("0 events verified; head 0 ")


def test_expect_head_catches_entries_cut_off_the_end(
    db_url: str, tmp_path: Path, sign_jpeg: SignJpeg
) -> None:
    delivery = tmp_path / "d"
    delivery.mkdir()
    write_jpeg(delivery / "a.jpg")
    _prov(db_url, "scan", str(delivery), code=0)
    saved = tmp_path / "head.txt"
    saved.write_text(_prov(db_url, "audit", "verify", code=0).stdout)  # `> head.txt`
    # More history, then the newest entries deleted with SQL.
    shutil.move(sign_jpeg("gen.jpg", actions=GENERATED), delivery / "gen.jpg")
    _prov(db_url, "scan", str(delivery), code=0)
    grown = _prov(db_url, "audit", "verify", "--expect-head-file", str(saved), code=0)
    assert "2 event(s) added since" in grown.stderr
    _sql(db_url, "DELETE FROM classifications WHERE id = 2")
    _sql(db_url, "DELETE FROM events WHERE seq >= 3")
    _sql(db_url, "UPDATE paths SET current_version_id = NULL WHERE path LIKE '%gen.jpg'")
    _sql(db_url, "DELETE FROM versions WHERE id = 2")
    _sql(db_url, "DELETE FROM paths WHERE path LIKE '%gen.jpg'")
    _prov(db_url, "audit", "verify", code=0)  # cut off cleanly: only a saved head tells
    head = saved.read_text().split()[-1]
    result = _prov(db_url, "audit", "verify", "--expect-head", f"4:{head}", code=1)
    assert "entries 3..4 were cut off" in result.stdout
    _prov(db_url, "audit", "verify", "--expect-head-file", str(saved), code=0)
    _prov(db_url, "audit", "verify", "--expect-head", f"1:{'0' * 64}", code=1)
    assert (
        "no entry has the expected head hash"
        in _prov(db_url, "audit", "verify", "--expect-head", "f" * 64, code=1).stdout
    )
    bad = _prov(db_url, "audit", "verify", "--expect-head", "nonsense", code=2)
    assert "error: no head in 'nonsense'" in bad.stderr


def test_writers_refuse_a_log_that_does_not_verify(
    db_url: str, tmp_path: Path, sign_jpeg: SignJpeg
) -> None:
    delivery = tmp_path / "d"
    delivery.mkdir()
    shutil.move(sign_jpeg("gen.jpg", actions=GENERATED), delivery / "gen.jpg")
    _prov(db_url, "scan", str(delivery), code=0)
    _sql(db_url, "UPDATE events SET target = '/elsewhere' WHERE seq = 1")
    before = {t: _count(db_url, t) for t in ("events", "classifications", "decisions")}
    target = str(delivery / "gen.jpg")
    for args in (
        ["classify"],
        ["approve", target, "--by", "Legal", "--ref", "L-1"],
        ["reject", target, "--by", "Legal", "--ref", "L-1"],
        ["declare", target, "--use", "ideation"],
        ["reported", target, "--to", "A. Chen", "--ref", "mail-1"],
    ):
        result = _prov(db_url, *args, code=1)
        assert result.stderr.startswith(
            "error: the audit log does not verify (event 1: its content no longer matches"
        )
        assert "nothing was written\nhint: run `prov audit verify`" in result.stderr
    assert {t: _count(db_url, t) for t in before} == before
    assert _count(db_url, "declarations") == 0


def test_scan_refuses_when_the_head_of_the_log_was_edited(db_url: str, tmp_path: Path) -> None:
    delivery = tmp_path / "d"
    delivery.mkdir()
    write_jpeg(delivery / "a.jpg")
    _prov(db_url, "scan", str(delivery), code=0)
    _sql(db_url, "UPDATE events SET target = '/x' WHERE seq = 2")
    write_jpeg(delivery / "b.jpg", (1, 2, 3))
    result = _prov(db_url, "scan", str(delivery), code=1)
    assert "error: the audit log does not verify (event 2: its content" in result.stderr
    assert "nothing was written" in result.stderr
    _prov(db_url, "watch", "--once", str(delivery), code=1)
    assert _count(db_url, "events") == 2 and _count(db_url, "paths") == 1


def test_deletions_show_in_the_audit_log_and_verify(db_url: str, tmp_path: Path) -> None:
    delivery = tmp_path / "d"
    delivery.mkdir()
    write_jpeg(delivery / "a.jpg")
    write_jpeg(delivery / "b.jpg", (1, 2, 3))
    _prov(db_url, "scan", str(delivery), code=0)
    (delivery / "b.jpg").unlink()
    _prov(db_url, "watch", "--once", str(delivery), code=0)
    log = _prov(db_url, "audit", "log", str(delivery / "b.jpg"), code=0).stdout
    assert "missing: the file is gone" in log
    _prov(db_url, "audit", "verify", code=0)
    _sql(db_url, "UPDATE paths SET missing_since = NULL")  # back in the gate, by hand
    result = _prov(db_url, "audit", "verify", code=1)
    assert "paths row 2 differs from what event 5 recorded (edited)" in result.stdout
