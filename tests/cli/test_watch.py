"""`prov watch --once`, its usage errors, and `prov status` through click's CliRunner.

The long-running watcher (signals, the real observer) is tested with real processes in
tests/integration/test_watch_process.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import prov
from store.catalog.db import open_catalog
from store.watch.heartbeats import Beat, WatcherInfo, upsert_watcher
from tests.cli.test_cli import RECORD_KEYS
from tests.conftest import write_jpeg


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    folder = tmp_path / "delivery"
    folder.mkdir()
    write_jpeg(folder / "a.jpg", (10, 20, 30))
    write_jpeg(folder / "b.jpg", (30, 20, 10))
    (folder / "c.jpg.part").write_bytes(b"half a copy")
    return folder


def invoke(runner: CliRunner, db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(prov, ["--db", db_url, *args], catch_exceptions=False)


def test_once_reconciles_prints_changes_and_exits_like_scan(
    runner: CliRunner, db_url: str, delivery: Path
) -> None:
    result = invoke(runner, db_url, "watch", "--once", "--jsonl", str(delivery))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(r["path"]).name for r in records) == ["a.jpg", "b.jpg"]
    assert all(r.keys() >= RECORD_KEYS for r in records)
    assert "2 file(s): 2 new" in result.stderr
    # again, after a deletion: only the change is printed, as a human line
    (delivery / "a.jpg").unlink()
    again = invoke(runner, db_url, "watch", "--once", str(delivery))
    assert again.exit_code == 0
    (line,) = again.stdout.splitlines()
    assert line.split()[0] == "missing" and line.endswith("a.jpg")
    # a file that cannot be read: exit 1 and said on stderr, like `prov scan`
    (delivery / "empty.jpg").write_bytes(b"")
    failed = invoke(runner, db_url, "watch", "--once", str(delivery))
    assert failed.exit_code == 1
    assert "unreadable" in failed.stderr and "empty.jpg" in failed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["watch", "nowhere"], "not a folder: nowhere"),
        (["watch", "--ignore", "a/b", "."], "--ignore"),
        (["watch", "--role", "archive", "."], "'archive' is not one of"),
        (["watch", "--quiet-window", "-1", "."], "-1"),
    ],
    ids=["missing-folder", "bad-glob", "bad-role", "negative-window"],
)
def test_usage_errors_exit_2(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(prov, ["--db", str(tmp_path / "c.db"), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_help_teaches_with_examples(runner: CliRunner) -> None:
    result = runner.invoke(prov, ["watch", "--help"])
    assert "Examples:" in result.output
    assert "prov watch --once" in result.output
    assert "--polling" in result.output


def test_status_shows_watchers_and_totals(runner: CliRunner, db_url: str, delivery: Path) -> None:
    open_catalog(db_url).dispose()  # status never creates one
    empty = invoke(runner, db_url, "status")
    assert empty.exit_code == 0 and "no watchers" in empty.stdout
    invoke(runner, db_url, "watch", "--once", str(delivery))
    catalog = open_catalog(db_url)
    try:
        with catalog.transaction() as session:
            info = WatcherInfo.for_this_process([str(delivery)], "final")
            upsert_watcher(session, info, Beat(backlog=2, ingested=7))
    finally:
        catalog.dispose()
    document = json.loads(invoke(runner, db_url, "status", "--json").stdout)
    (watcher,) = document["watchers"]
    assert watcher["state"] == "running"
    assert (watcher["role"], watcher["backlog"], watcher["ingested"]) == ("final", 2, 7)
    assert watcher["folders"] == [str(delivery)]
    assert document["catalog"] == {
        "paths": 2,
        "missing": 0,
        "versions": 2,
        "assets": 2,
        "by_status": {"no_credentials": 2},
        "by_involvement": {"unknown": 2},
        "by_risk": {
            "none": 2,
            "socialize": 0,
            "escalate": 0,
            "approval-required": 0,
            "unclassified": 0,
        },
        "awaiting": {"decision": 0, "report": 0},
    }
    table = invoke(runner, db_url, "status").stdout
    assert "running" in table and "final" in table
    assert "catalog: 2 path(s) (0 missing), 2 version(s), 2 distinct content(s)" in table


def test_watch_classifies_with_the_production_config_like_scan(
    runner: CliRunner, db_url: str, tmp_path: Path, sign_jpeg
) -> None:
    from provenance.c2pa_io import action

    final = tmp_path / "show" / "final"
    final.mkdir(parents=True)
    sign_jpeg(
        "archival.jpg",
        actions=[
            action("c2pa.created", digital_source_type="digitalCapture"),
            action("c2pa.edited", digital_source_type="compositeWithTrainedAlgorithmicMedia"),
        ],
    ).rename(final / "archival.jpg")
    config = tmp_path / "prov.toml"
    config.write_text(
        '[production]\ntitle = "Doc"\nkind = "documentary"\n'
        '[[production.folders]]\nglob = "final/**"\nrole = "final"\n'
    )
    result = invoke(
        runner, db_url, "--config", str(config), "watch", "--once", "--jsonl", str(final)
    )
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["risk"]["outcome"] == "approval-required"
    fired = {rule["id"] for rule in record["risk"]["rules"]}
    assert {"AA-FINAL", "AA-MISLEADING"} <= fired
