"""Issue 7 through the command line (click's CliRunner): every credential reading in the record
and in `prov show`; `--fetch-remote` and `[trust] fetch_remote`; a folder that cannot be listed
fails `scan`, `watch --once` and `check` instead of being skipped silently.

The permission denial here is injected (os.scandir raises PermissionError for one folder), so
it works as root; tests/integration/test_unreadable_folder.py makes the kernel deny it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import prov
from tests.conftest import DevPki, write_jpeg
from tests.fs_denial import deny
from tests.remote_server import Server, remote_only_jpeg, serve

SAMPLES = Path(__file__).resolve().parents[2] / "sample_assets"
GENAI_JPEG = SAMPLES / "genai" / "building_collapse_element.jpg"
FOREIGN_SIDECAR = SAMPLES / "frames" / "ATBP_0A1_010_FG01_v001.01000.c2pa"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, db_url: str, *args: str) -> Result:
    return runner.invoke(prov, ["--db", db_url, *args], catch_exceptions=False)


def records(result: Result) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {Path(r["path"]).name: r for r in lines}


# --- a sidecar beside embedded credentials ----------------------------------------------------


def test_scan_and_show_give_every_reading(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    jpeg = Path(shutil.copy(GENAI_JPEG, tmp_path / "element.jpg"))
    shutil.copy(FOREIGN_SIDECAR, tmp_path / "element.c2pa")
    result = invoke(runner, db_url, "scan", "--jsonl", str(tmp_path))
    assert result.exit_code == 0, result.output
    record = records(result)["element.jpg"]
    assert record["credentials"]["location"] == "embedded"
    assert record["ai"]["involvement"] == "generated"
    (extra,) = record["credentials"]["additional"]
    assert extra["location"] == "sidecar" and extra["validation_state"] == "Invalid"
    shown = invoke(runner, db_url, "show", str(jpeg))
    assert shown.exit_code == 0, shown.output
    also = shown.stdout.split("Content Credentials, also read", 1)[1]
    assert "element.c2pa" in also and "Invalid" in also
    assert "assertion.dataHash.mismatch" in also
    as_json = json.loads(invoke(runner, db_url, "show", "--json", str(jpeg)).stdout)
    assert as_json["credentials"]["additional"] == [extra]


# --- remote manifests -------------------------------------------------------------------------


@pytest.fixture
def remote(tmp_path: Path, dev_pki: DevPki, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A remote-only genAI JPEG in tmp_path/delivery, its manifest served on 127.0.0.1."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with serve() as server:
        made = tmp_path / "made"
        made.mkdir()
        path, data = remote_only_jpeg(made, dev_pki, server.url("/cloud.c2pa"))
        (tmp_path / "delivery").mkdir()
        path.rename(tmp_path / "delivery" / "cloud.jpg")
        server.served.routes["/cloud.c2pa"] = (200, data, True)
        yield server


def test_scan_fetches_remote_manifests_only_when_asked(
    runner: CliRunner, db_url: str, tmp_path: Path, remote: Server
) -> None:
    delivery = str(tmp_path / "delivery")
    offline = invoke(runner, db_url, "scan", "--jsonl", delivery)
    assert offline.exit_code == 0, offline.output
    creds = records(offline)["cloud.jpg"]["credentials"]
    assert creds["location"] == "remote" and creds["validation_state"] is None
    assert remote.served.requests == []
    fetched = invoke(runner, db_url, "scan", "--jsonl", "--force", "--fetch-remote", delivery)
    assert fetched.exit_code == 0, fetched.output
    record = records(fetched)["cloud.jpg"]
    assert remote.served.requests == ["/cloud.c2pa"]
    assert record["credentials"]["location"] == "remote"
    assert record["credentials"]["validation_state"] == "Valid"
    assert record["credentials"]["remote_url"] == remote.url("/cloud.c2pa")
    assert record["ai"]["involvement"] == "generated"
    # The fetched reading is a new reading of the same content version (issue 8).
    assert (record["version"], record["reading"]) == (1, 2)
    shown = invoke(runner, db_url, "show", str(tmp_path / "delivery" / "cloud.jpg"))
    assert "(fetched)" in shown.stdout


def test_config_turns_fetching_on(
    runner: CliRunner, db_url: str, tmp_path: Path, remote: Server
) -> None:
    config = tmp_path / "prov.toml"
    config.write_text("[trust]\nfetch_remote = true\n")
    args = ("--config", str(config), "scan", "--jsonl", str(tmp_path / "delivery"))
    result = invoke(runner, db_url, *args)
    assert result.exit_code == 0, result.output
    assert records(result)["cloud.jpg"]["credentials"]["validation_state"] == "Valid"
    assert remote.served.requests == ["/cloud.c2pa"]


def test_watch_once_fetches_with_the_flag(
    runner: CliRunner, db_url: str, tmp_path: Path, remote: Server
) -> None:
    args = ("watch", "--once", "--jsonl", "--fetch-remote", str(tmp_path / "delivery"))
    result = invoke(runner, db_url, *args)
    assert result.exit_code == 0, result.output
    assert records(result)["cloud.jpg"]["credentials"]["validation_state"] == "Valid"


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"'])
def test_config_fetch_remote_must_be_a_boolean(
    runner: CliRunner, tmp_path: Path, value: str
) -> None:
    config = tmp_path / "prov.toml"
    config.write_text(f"[trust]\nfetch_remote = {value}\n")
    result = runner.invoke(prov, ["--config", str(config), "ls"])
    assert result.exit_code == 2
    assert str(config) in result.stderr and "trust.fetch_remote" in result.stderr
    assert "expected true or false" in result.stderr
    assert "Traceback" not in result.output


# --- folders that cannot be listed ------------------------------------------------------------


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    """delivery/ with ok.jpg, and delivery/locked/ holding a genAI still; once `deny()` is
    called, listing locked/ fails as it does for a mode-000 folder (and its entries cannot be
    stat'ed, so lexists says they are not there)."""
    delivery = tmp_path / "delivery"
    (delivery / "locked").mkdir(parents=True)
    write_jpeg(delivery / "ok.jpg")
    shutil.copy(GENAI_JPEG, delivery / "locked" / "gen.jpg")
    return delivery


def test_scan_reports_a_folder_it_cannot_list(
    runner: CliRunner, db_url: str, locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deny(locked / "locked", monkeypatch)
    result = invoke(runner, db_url, "scan", "--jsonl", str(locked))
    assert result.exit_code == 1
    folder = str(locked / "locked")
    assert f"unreadable folder: {folder}: permission denied" in result.stderr
    assert "unreadable folder(s): 1" in result.stderr
    found = records(result)
    assert found["locked"] == {
        "path": folder,
        "kind": "folder",
        "status": "unreadable",
        "reason": found["locked"]["reason"],
    }
    assert found["locked"]["reason"].startswith("permission denied")
    assert found["ok.jpg"]["status"] == "no_credentials"  # the rest is still recorded


def test_check_blocks_on_a_folder_it_cannot_list(
    runner: CliRunner, db_url: str, locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(runner, db_url, "scan", str(locked / "ok.jpg")).exit_code == 0
    deny(locked / "locked", monkeypatch)
    result = invoke(runner, db_url, "check", "--json", str(locked))
    assert result.exit_code == 3
    (finding,) = json.loads(result.stdout)
    assert finding["path"] == str(locked / "locked")
    assert "unreadable folder" in finding["reason"] and "permission denied" in finding["reason"]


def test_watch_once_reports_the_folder_and_keeps_what_is_below_it(
    runner: CliRunner, db_url: str, locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(runner, db_url, "scan", str(locked)).exit_code == 0  # gen.jpg catalogued
    deny(locked / "locked", monkeypatch)
    result = invoke(runner, db_url, "watch", "--once", "--jsonl", str(locked))
    assert result.exit_code == 1
    assert f"unreadable folder: {locked / 'locked'}: permission denied" in result.stderr
    assert records(result)["locked"]["kind"] == "folder"
    listing = json.loads(invoke(runner, db_url, "ls", "--json").stdout)
    gen = next(r for r in listing if r["path"].endswith("gen.jpg"))
    assert gen["missing_since"] is None  # not seen is not gone
