"""`prov scan` never leaves the delivery (issue 10): a symlink out of the PATHs given is
recorded `unsupported` unread, folder symlinks are walked only with --follow-symlinks and only
inside the PATHs; names near the 255-byte limit are probed for sidecars and declarations
without an OSError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import prov
from tests.conftest import write_jpeg


def _scan(db_url: str, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = CliRunner().invoke(prov, ["--db", db_url, "scan", "--jsonl", "-q", *args])
    assert "Traceback" not in result.output, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, {Path(row["path"]).name: row for row in rows}


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    folder = tmp_path / "delivery"
    folder.mkdir()
    write_jpeg(folder / "plate.jpg")
    (tmp_path / "outside").mkdir()
    write_jpeg(tmp_path / "outside" / "secret.jpg", color=(1, 2, 3))
    return folder


def test_a_file_symlink_to_outside_is_unsupported_and_not_read(db_url: str, delivery: Path) -> None:
    (delivery / "leak.jpg").symlink_to(delivery.parent / "outside" / "secret.jpg")
    code, rows = _scan(db_url, str(delivery))
    assert code == 0
    assert rows["leak.jpg"]["status"] == "unsupported"
    assert rows["leak.jpg"]["reason"] == "symlink to outside the delivery"
    assert rows["leak.jpg"]["sha256"] is None  # not hashed, not read
    assert rows["plate.jpg"]["status"] == "no_credentials"


def test_a_file_symlink_inside_the_delivery_is_recorded_as_before(
    db_url: str, delivery: Path
) -> None:
    (delivery / "same.jpg").symlink_to(delivery / "plate.jpg")
    code, rows = _scan(db_url, str(delivery))
    assert code == 0
    assert rows["same.jpg"]["status"] == "no_credentials"
    assert rows["same.jpg"]["sha256"] == rows["plate.jpg"]["sha256"]


@pytest.mark.parametrize("follow", [[], ["--follow-symlinks"]])
def test_a_folder_symlink_to_outside_is_never_followed(
    db_url: str, delivery: Path, follow: list[str]
) -> None:
    (delivery / "out").symlink_to(delivery.parent / "outside")
    (delivery / "root").symlink_to("/")
    code, rows = _scan(db_url, *follow, str(delivery))
    assert code == 0
    assert set(rows) == {"plate.jpg"}


def test_follow_symlinks_walks_a_folder_symlink_inside_the_delivery(
    db_url: str, delivery: Path
) -> None:
    (delivery / "shots").mkdir()
    write_jpeg(delivery / "shots" / "a.jpg", color=(9, 9, 9))
    (delivery.parent / "alias").symlink_to(delivery / "shots")  # outside the delivery
    (delivery / "alias").symlink_to(delivery / "shots")
    assert set(_scan(db_url, str(delivery))[1]) == {"plate.jpg", "a.jpg"}
    code, rows = _scan(db_url, "--follow-symlinks", str(delivery))
    assert code == 0
    assert set(rows) == {"plate.jpg", "a.jpg"}


@pytest.mark.parametrize("length", [245, 250, 255])
def test_a_name_near_the_255_byte_limit_is_recorded(
    db_url: str, tmp_path: Path, length: int
) -> None:
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "genai-declaration.toml").write_text('talent_likeness = "no"\n')
    name = "x" * (length - len(".jpg")) + ".jpg"
    write_jpeg(folder / name)
    code, rows = _scan(db_url, str(folder))
    assert code == 0
    assert rows[name]["status"] == "no_credentials"


def _watch_once(db_url: str, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = CliRunner().invoke(prov, ["--db", db_url, "watch", "--once", "--jsonl", *args])
    assert "Traceback" not in result.output, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, {Path(str(row["path"])).name: row for row in rows}


@pytest.mark.parametrize("follow", [[], ["--follow-symlinks"]])
def test_watch_never_leaves_its_folders(db_url: str, delivery: Path, follow: list[str]) -> None:
    (delivery / "out").symlink_to(delivery.parent / "outside")
    (delivery / "root").symlink_to("/")
    (delivery / "leak.jpg").symlink_to(delivery.parent / "outside" / "secret.jpg")
    (delivery / "shots").mkdir()
    write_jpeg(delivery / "shots" / "a.jpg", color=(9, 9, 9))
    (delivery / "alias").symlink_to(delivery / "shots")
    code, rows = _watch_once(db_url, *follow, str(delivery))
    assert code == 0
    assert set(rows) == {"plate.jpg", "leak.jpg", "a.jpg"}
    assert rows["leak.jpg"]["status"] == "unsupported"
    assert rows["leak.jpg"]["reason"] == "symlink to outside the delivery"
    assert rows["leak.jpg"]["sha256"] is None
