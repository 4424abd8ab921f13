"""The command line through click's CliRunner: exit codes, stdout data, stderr messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import prov
from provenance.c2pa_io import action
from store.catalog.db import Catalog
from tests.conftest import SignJpeg, write_jpeg

# The JSON record is a contract (README "JSON record"): keys may be added, never renamed.
RECORD_KEYS = {"path", "sha256", "size", "media_type", "status", "reason", "credentials", "ai"}
CREDENTIAL_KEYS = {
    "present",
    "location",
    "validation_state",
    "failure_codes",
    "signer",
    "claim_generator",
    "manifest_count",
    "additional",  # issue 7: the file's other credential readings, each of this same shape
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def delivery(tmp_path: Path, sign_jpeg: SignJpeg) -> Path:
    folder = tmp_path / "delivery"
    folder.mkdir()
    gen = sign_jpeg(
        "gen.jpg",
        actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")],
    )
    gen.rename(folder / "gen.jpg")
    sign_jpeg("plate.jpg").rename(folder / "plate.jpg")
    write_jpeg(folder / "unsigned.jpg")
    return folder


def invoke(runner: CliRunner, db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(prov, ["--db", db_url, *args], catch_exceptions=False)


def test_scan_jsonl_streams_pinned_records(runner: CliRunner, db_url: str, delivery: Path) -> None:
    result = invoke(runner, db_url, "scan", str(delivery), "--jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3
    for record in records:
        assert record.keys() >= RECORD_KEYS
        assert record["credentials"].keys() >= CREDENTIAL_KEYS
        assert {"issuer", "common_name"} <= record["credentials"]["signer"].keys()
        assert {"involvement", "evidence"} <= record["ai"].keys()
    by_name = {Path(r["path"]).name: r for r in records}
    assert by_name["gen.jpg"]["ai"]["involvement"] == "generated"
    assert by_name["plate.jpg"]["ai"]["involvement"] == "none"
    assert by_name["unsigned.jpg"]["ai"]["involvement"] == "unknown"
    assert "3 file(s)" in result.stderr


def test_scan_exits_1_when_a_file_fails_and_lists_it(
    runner: CliRunner, db_url: str, delivery: Path
) -> None:
    (delivery / "empty.jpg").write_bytes(b"")
    result = invoke(runner, db_url, "scan", str(delivery))
    assert result.exit_code == 1
    assert "unreadable:" in result.stderr and "empty.jpg" in result.stderr
    listing = invoke(runner, db_url, "ls", "--json")
    assert len(json.loads(listing.stdout)) == 4  # the failure is recorded too


def test_scan_missing_path_is_a_usage_error(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = invoke(runner, db_url, "scan", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no such file or folder")


def test_ls_filters_and_formats(runner: CliRunner, db_url: str, delivery: Path) -> None:
    invoke(runner, db_url, "scan", str(delivery))
    generated = json.loads(invoke(runner, db_url, "ls", "--ai", "generated", "--json").stdout)
    assert [Path(r["path"]).name for r in generated] == ["gen.jpg"]
    none_state = json.loads(invoke(runner, db_url, "ls", "--state", "none", "--json").stdout)
    assert [Path(r["path"]).name for r in none_state] == ["unsigned.jpg"]
    valid = invoke(runner, db_url, "ls", "--state", "valid", "--jsonl").stdout.splitlines()
    assert len(valid) == 2
    by_glob = json.loads(invoke(runner, db_url, "ls", "--path", "plate*", "--json").stdout)
    assert [Path(r["path"]).name for r in by_glob] == ["plate.jpg"]
    rows = list(csv.DictReader(io.StringIO(invoke(runner, db_url, "ls", "--csv").stdout)))
    assert {row["ai"] for row in rows} == {"generated", "none", "unknown"}
    table = invoke(runner, db_url, "ls", "--media-type", "image")
    assert table.stdout.splitlines()[0].split()[:2] == ["PATH", "STATUS"]
    assert len(table.stdout.splitlines()) == 4
    future = json.loads(invoke(runner, db_url, "ls", "--since", "2999-01-01", "--json").stdout)
    assert future == []


def test_ls_rejects_unknown_filter_values(runner: CliRunner, db_url: str) -> None:
    result = invoke(runner, db_url, "ls", "--ai", "robots")
    assert result.exit_code == 2
    assert "'robots' is not one of" in result.stderr


def test_show_explains_codes_and_evidence(runner: CliRunner, db_url: str, delivery: Path) -> None:
    invoke(runner, db_url, "scan", str(delivery))
    text = invoke(runner, db_url, "show", str(delivery / "gen.jpg"))
    assert text.exit_code == 0
    assert (
        "signingCredential.untrusted: signed by a certificate that is not on the trust list"
        in text.stdout
    )
    assert "Generative AI: generated" in text.stdout
    detail = json.loads(invoke(runner, db_url, "show", str(delivery / "gen.jpg"), "--json").stdout)
    assert detail.keys() >= RECORD_KEYS
    assert detail["actions"][0]["action"] == "c2pa.created"
    assert detail["versions"][0]["version"] == 1
    by_sha = json.loads(invoke(runner, db_url, "show", detail["sha256"][:10], "--json").stdout)
    assert by_sha["path"] == detail["path"]


def test_show_unknown_target_says_what_to_do(
    runner: CliRunner, db_url: str, catalog: Catalog
) -> None:
    result = invoke(runner, db_url, "show", "nothing-here.jpg")
    assert result.exit_code == 2  # issue 8: not found is a usage error everywhere
    assert "error: nothing in the catalog matches" in result.stderr
    assert "hint:" in result.stderr


def test_bad_database_url_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "no" / "such" / "dir.db")
    result = runner.invoke(prov, ["--db", db, "scan", str(tmp_path)])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "does not exist" in result.stderr


def test_unreachable_postgres_is_reported(runner: CliRunner) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    result = runner.invoke(prov, ["--db", url, "ls"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the catalog")
    assert "hint:" in result.stderr


def test_bad_config_file_names_file_and_problem(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "prov.toml"
    config.write_text("[catalog\n")
    result = runner.invoke(prov, ["--config", str(config), "ls"])
    assert result.exit_code == 2
    assert str(config) in result.stderr and "not valid TOML" in result.stderr


def test_trust_anchor_file_without_certificate_is_rejected(
    runner: CliRunner, db_url: str, tmp_path: Path, delivery: Path
) -> None:
    pem = tmp_path / "anchors.pem"
    pem.write_text("not a certificate")
    result = invoke(runner, db_url, "--trust-anchors", str(pem), "scan", str(delivery))
    assert result.exit_code == 2
    assert "no PEM certificate" in result.stderr


def test_trust_anchors_from_config_file_make_files_trusted(
    runner: CliRunner, db_url: str, tmp_path: Path, delivery: Path, dev_pki
) -> None:
    (tmp_path / "studio-ca.pem").write_bytes(dev_pki.ca_pem)
    config = tmp_path / "prov.toml"
    config.write_text('[trust]\nanchors = "studio-ca.pem"\n')
    result = invoke(runner, db_url, "--config", str(config), "scan", str(delivery), "--jsonl")
    assert result.exit_code == 0, result.stderr
    states = {
        Path(r["path"]).name: r["credentials"]["validation_state"]
        for r in map(json.loads, result.stdout.splitlines())
    }
    assert states == {"gen.jpg": "Trusted", "plate.jpg": "Trusted", "unsigned.jpg": None}


def test_rescan_reports_unchanged_and_force_rereads(
    runner: CliRunner, db_url: str, delivery: Path
) -> None:
    invoke(runner, db_url, "scan", str(delivery))
    again = invoke(runner, db_url, "scan", str(delivery))
    assert "3 unchanged" in again.stderr
    forced = invoke(runner, db_url, "scan", "--force", str(delivery))
    assert "3 same" in forced.stderr
