"""Issue 8, `prov status` tells the truth: genAI risk totals and what awaits a person (the same
counts as `prov escalations`), and a watcher silent for over two heartbeat intervals is
`stale`; the watcher's lines say the risk outcome. Real signed files and a real catalog
(SQLite, and PostgreSQL when configured), through click's CliRunner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from provenance.c2pa_io import action
from store.catalog.db import open_catalog
from store.catalog.models import Watcher, utcnow
from store.watch.heartbeats import HEARTBEAT_EVERY, Beat, WatcherInfo, upsert_watcher
from tests.conftest import SignJpeg
from tests.integration.test_scenarios import CLEAR_DECLARATION, Project, make_project

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
FIREFLY = [
    action(
        "c2pa.created",
        digital_source_type="trainedAlgorithmicMedia",
        software_agent="Adobe Firefly",
    )
]
REPORT = ("--to", "A. Chen, Netflix", "--ref", "mail 2026-12-01", "--by", "Jane Roe")
APPROVE = ("--by", "M. Ortiz", "--ref", "LEGAL-2291")


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


@pytest.fixture
def delivery(project: Project, sign_jpeg: SignJpeg) -> dict[str, Path]:
    """One file at each risk outcome, one that cannot be classified, one not judged yet."""
    files = {
        "board": project.place(sign_jpeg("board.jpg", actions=FIREFLY), "ideation/board.jpg"),
        "wip": project.place(sign_jpeg("wip.jpg", actions=GENERATED), "wip/sc1/gen.jpg"),
        "final": project.place(sign_jpeg("e.jpg", actions=GENERATED), "final/vfx/element.jpg"),
        "broken": project.place(sign_jpeg("b.jpg", actions=GENERATED), "wip/sc2/gen.jpg"),
        "camera": project.place(sign_jpeg("camera.jpg"), "final/plates/camera.jpg"),
    }
    (project.root / "ideation" / "genai-declaration.toml").write_text(CLEAR_DECLARATION)
    (project.root / "wip" / "sc2" / "genai-declaration.toml").write_text(
        'talent_likeness = "maybe"\n'  # malformed: the version cannot be classified
    )
    project.prov("scan", str(project.root), code=1)  # the malformed declaration is an error
    outcomes = {name: project.show(path)["risk"]["outcome"] for name, path in files.items()}
    assert outcomes == {
        "board": "socialize",
        "wip": "escalate",
        "final": "approval-required",
        "broken": None,
        "camera": "none",
    }
    return files


def test_status_counts_risk_outcomes_and_what_awaits_a_person(
    project: Project, delivery: dict[str, Path]
) -> None:
    totals = project.json("status")["catalog"]
    assert totals["by_risk"] == {
        "none": 1,
        "socialize": 1,
        "escalate": 1,
        "approval-required": 1,
        "unclassified": 1,
    }
    # the very queues `prov escalations` lists: escalate, approval-required, unclassified
    assert totals["awaiting"] == {"decision": 3, "report": 1}
    assert len(project.json("escalations")) == 3
    assert len(project.json("escalations", "--to-report")) == 1
    text = project.prov("status").stdout
    assert (
        "genAI risk: 1 none, 1 socialize, 1 escalate, 1 approval-required, 1 unclassified" in text
    )
    assert "awaiting: 3 decision(s) (prov escalations), 1 report(s)" in text
    # decided and reported: the counts follow at once
    project.prov("approve", str(delivery["final"]), *APPROVE)
    project.prov("reported", str(delivery["board"]), *REPORT)
    assert project.json("status")["catalog"]["awaiting"] == {"decision": 2, "report": 0}
    # a file deleted (marked missing by a watcher's catch-up) leaves the totals
    delivery["wip"].unlink()
    project.prov("watch", "--once", str(project.root), code=1)
    totals = project.json("status")["catalog"]
    assert totals["by_risk"]["escalate"] == 0
    assert totals["awaiting"] == {"decision": 1, "report": 0}


def test_status_of_a_catalog_without_files_counts_zero(project: Project, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    project.prov("scan", str(empty))
    totals = project.json("status")["catalog"]
    assert set(totals["by_risk"].values()) == {0} and len(totals["by_risk"]) == 5
    assert totals["awaiting"] == {"decision": 0, "report": 0}


def _watcher(db_url: str, folder: str, silent_for: float) -> str:
    """A running watcher whose last heartbeat was `silent_for` seconds ago."""
    catalog = open_catalog(db_url)
    info = WatcherInfo.for_this_process([folder], None)
    try:
        with catalog.transaction() as session:
            upsert_watcher(session, info, Beat(ingested=3))
            beat = utcnow() - timedelta(seconds=silent_for)
            session.execute(
                update(Watcher).where(Watcher.id == info.id).values(last_heartbeat=beat)
            )
    finally:
        catalog.dispose()
    return info.id


def test_a_watcher_silent_for_over_two_heartbeats_is_stale(project: Project) -> None:
    project.prov("scan", str(project.root))
    # margins of 10 s either side of two intervals (60 s): no timing in the test
    alive = _watcher(project.db_url, "/mnt/a", HEARTBEAT_EVERY * 2 - 10)
    gone = _watcher(project.db_url, "/mnt/b", HEARTBEAT_EVERY * 2 + 10)
    states = {w["id"]: w["state"] for w in project.json("status")["watchers"]}
    assert states == {alive: "running", gone: "stale"}
    table = project.prov("status").stdout
    assert "stale" in table and "running" in table


def test_watcher_lines_say_the_risk_outcome(project: Project, delivery: dict[str, Path]) -> None:
    delivery["camera"].write_bytes(delivery["final"].read_bytes())  # now generated too
    delivery["board"].unlink()
    result = project.prov("watch", "--once", str(project.root), code=1)  # the broken one
    lines = {Path(line.split()[-1]).name: line.split() for line in result.stdout.splitlines()}
    assert lines["camera.jpg"][:4] == ["changed", "ok", "generated", "approval-required"]
    assert lines["board.jpg"][:4] == ["missing", "-", "-", "-"]
    assert set(lines) == {"camera.jpg", "board.jpg"}
