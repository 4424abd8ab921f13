"""Issue 8 (records tell the truth), through the command line with real signed files and a
real catalog (SQLite, and PostgreSQL when configured): declared involvement in `ai` and in
`ls --ai`; orphan sidecars are not assets; a re-read of unchanged bytes is a new reading that
keeps its approvals; empty files say so at the gate."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, update

from provenance.c2pa_io import action, manifest_definition, sign_sidecar
from store.catalog.models import PathEntry
from tests.conftest import DevPki, SignJpeg, write_jpeg
from tests.integration.test_scenarios import Project, make_project
from tests.remote_server import Server, remote_only_jpeg, serve

SAMPLES = Path(__file__).resolve().parents[2] / "sample_assets"
GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
APPROVE = ("--by", "M. Ortiz", "--ref", "LEGAL-2291")


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


def ls(project: Project, *args: str) -> dict[str, dict[str, Any]]:
    return {Path(r["path"]).name: r for r in project.json("ls", *args)}


def check(project: Project, *args: str, code: int) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = project.json("check", *args, code=code)
    return findings


# --- declared involvement ---------------------------------------------------------------------


def test_a_declared_involvement_is_the_records_involvement(project: Project) -> None:
    plate = project.place(write_jpeg(project.root.parent / "p.jpg"), "wip/sc1/plate.jpg")
    project.prov("scan", str(project.root))
    assert project.show(plate)["ai"]["involvement"] == "unknown"
    assert ls(project, "--ai", "composite") == {}
    project.prov("declare", str(plate), "--involvement", "composite", "--by", "Jane Roe")

    record = project.show(plate)
    assert record["ai"]["involvement"] == "composite" == record["risk"]["involvement"]
    declared = record["ai"]["evidence"][-1]
    assert declared["source"] == "declaration" and declared["strength"] == "declared"
    assert (declared["value"], declared["implies"]) == ("composite", "composite")
    assert declared["location"].startswith("prov declare #")
    assert set(ls(project, "--ai", "composite")) == {"plate.jpg"}
    assert ls(project, "--ai", "unknown") == {}
    table = project.prov("ls", "--ai", "composite").stdout
    row = next(line for line in table.splitlines() if "plate.jpg" in line)
    assert "composite" in row and "escalate" in row  # the AI and RISK columns agree


def test_a_vendor_declaration_file_raises_involvement(project: Project) -> None:
    plate = project.place(write_jpeg(project.root.parent / "p.jpg"), "wip/sc2/plate.jpg")
    vendor = plate.parent / "genai-declaration.toml"
    vendor.write_text('involvement = "edited"\n', encoding="utf-8")
    project.prov("scan", str(project.root))
    record = project.show(plate)
    assert record["ai"]["involvement"] == "edited"
    assert str(vendor) in record["ai"]["evidence"][-1]["location"]
    assert set(ls(project, "--ai", "edited")) == {"plate.jpg"}


def test_a_declaration_never_lowers_involvement(project: Project, sign_jpeg: SignJpeg) -> None:
    still = project.place(sign_jpeg("gen.jpg", actions=GENERATED), "wip/sc3/gen.jpg")
    project.prov("scan", str(project.root))
    project.prov("declare", str(still), "--involvement", "none", "--by", "Jane Roe")
    record = project.show(still)
    assert record["ai"]["involvement"] == "generated"
    assert all(e["source"] != "declaration" for e in record["ai"]["evidence"])
    assert set(ls(project, "--ai", "generated")) == {"gen.jpg"}
    assert ls(project, "--ai", "none") == {}


# --- orphan sidecars --------------------------------------------------------------------------


def _orphan(project: Project) -> Path:
    orphan = project.root / "wip" / "lost_frame.c2pa"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "orphans" / "lost_frame.c2pa", orphan)
    return orphan


def test_an_orphan_sidecar_is_counted_apart_and_has_no_risk(project: Project) -> None:
    orphan = _orphan(project)
    project.place(write_jpeg(project.root.parent / "p.jpg"), "wip/plate.jpg")
    summary = project.prov("scan", str(project.root)).stderr
    assert "orphan sidecars: 1" in summary
    assert "genAI involvement: 1 unknown" in summary  # its generated claim is not an asset's
    assert "unclassified" not in summary

    record = project.show(orphan)
    assert record["kind"] == "orphan_sidecar"
    assert record["risk"]["outcome"] is None and record["risk"]["rules"] == []
    assert record["risk"]["error"].startswith("orphan sidecar: judged with its asset")
    assert record["approval"]["state"] == "not-needed"
    assert project.json("escalations") == []
    refused = project.prov("approve", str(orphan), "--by", "M. Ortiz", "--ref", "L-1", code=2)
    assert "orphan sidecar" in refused.stderr
    reported = ("--to", "A. Chen", "--ref", "mail", "--by", "Jane Roe")
    assert "orphan sidecar" in project.prov("reported", str(orphan), *reported, code=2).stderr
    assert "lost_frame.c2pa" not in ls(project, "--risk", "unclassified,escalate")
    row = next(line for line in project.prov("ls").stdout.splitlines() if "lost_frame" in line)
    assert "unclassified" not in row and " - " in row


def test_the_gate_fails_on_an_orphan_sidecar_at_every_level(project: Project) -> None:
    orphan = _orphan(project)
    project.prov("scan", str(project.root))
    for args in ([str(project.root)], ["--fail-on", "approval-required"]):
        (finding,) = check(project, *args, code=3)
        assert finding["path"] == str(orphan) and finding["outcome"] is None
        assert finding["reason"].startswith("orphan sidecar: its asset is missing")


def test_an_orphan_whose_asset_arrives_is_judged_with_it(project: Project, dev_pki: DevPki) -> None:
    frame = project.root / "wip" / "shot.exr"
    frame.parent.mkdir(parents=True)
    frame.write_bytes(b"v/1\x01" + os.urandom(2048))
    manifest = manifest_definition("shot", actions=GENERATED)
    sidecar = frame.with_suffix(".c2pa")
    sidecar.write_bytes(sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr"))
    kept = frame.read_bytes()
    frame.unlink()
    project.prov("scan", str(project.root))
    assert check(project, str(project.root), code=3)[0]["reason"].startswith("orphan sidecar")

    frame.write_bytes(kept)
    project.prov("scan", str(project.root))
    findings = check(project, str(project.root), code=3)
    assert [Path(f["path"]).name for f in findings] == ["shot.exr"]  # now the asset's risk
    assert findings[0]["outcome"] == "escalate"
    assert project.show(frame)["ai"]["involvement"] == "generated"


# --- readings of unchanged bytes --------------------------------------------------------------


@pytest.fixture
def approved(project: Project, sign_jpeg: SignJpeg) -> Path:
    """A generated still in wip (escalate), approved as a whole."""
    still = project.place(sign_jpeg("gen.jpg", actions=GENERATED), "wip/sc1/gen.jpg")
    project.prov("scan", str(project.root))
    project.prov("approve", str(still), *APPROVE)
    assert project.show(still)["approval"]["state"] == "approved"
    return still


def _anchors(project: Project, dev_pki: DevPki) -> str:
    pem = project.root.parent / "ca.pem"
    pem.write_bytes(dev_pki.ca_pem)
    return str(pem)


def test_new_trust_anchors_are_a_new_reading_that_keeps_the_approval(
    project: Project, approved: Path, dev_pki: DevPki
) -> None:
    anchors = _anchors(project, dev_pki)
    project.prov("--trust-anchors", anchors, "scan", "--force", str(project.root))
    record = project.show(approved)
    assert record["credentials"]["validation_state"] == "Trusted"
    assert (record["version"], record["reading"]) == (1, 2)
    assert [(v["version"], v["reading"]) for v in record["versions"]] == [(1, 1), (1, 2)]
    assert record["approval"]["state"] == "approved"
    assert record["approval"]["by"] == "M. Ortiz"
    assert [(d["state"], d["ref"]) for d in record["decisions"]] == [("approve", "LEGAL-2291")]
    assert "  v1 reading 2  " in project.prov("show", str(approved)).stdout
    assert check(project, str(project.root), code=0) == []
    project.prov("audit", "verify")


def test_a_rejection_carries_to_a_new_reading_too(
    project: Project, sign_jpeg: SignJpeg, dev_pki: DevPki
) -> None:
    still = project.place(sign_jpeg("gen.jpg", actions=GENERATED), "wip/sc1/gen.jpg")
    project.prov("scan", str(project.root))
    project.prov("reject", str(still), *APPROVE)
    anchors = _anchors(project, dev_pki)
    project.prov("--trust-anchors", anchors, "scan", "--force", str(project.root))
    assert project.show(still)["approval"]["state"] == "rejected"


def test_changed_bytes_are_a_new_version_and_need_a_new_approval(
    project: Project, approved: Path, sign_jpeg: SignJpeg
) -> None:
    other = sign_jpeg("other.jpg", actions=GENERATED, color=(200, 30, 30))
    shutil.copy(other, approved)
    project.prov("scan", str(project.root))
    record = project.show(approved)
    assert (record["version"], record["reading"]) == (2, 2)
    assert record["approval"]["state"] == "pending"
    assert check(project, str(project.root), code=3)[0]["version"] == 2


@pytest.fixture
def remote(tmp_path: Path, dev_pki: DevPki, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with serve() as server:
        yield server


def test_a_reading_that_fires_a_new_approval_rule_needs_that_rule_only(
    project: Project, dev_pki: DevPki, remote: Server, tmp_path: Path
) -> None:
    # Offline, a remote-only manifest is unverified (PV-REMOTE, escalate); fetched, the same
    # bytes read as generated, in a final folder: AA-FINAL fires, which nobody approved.
    made = tmp_path / "made"
    made.mkdir()
    path, data = remote_only_jpeg(made, dev_pki, remote.url("/cloud.c2pa"))
    remote.served.routes["/cloud.c2pa"] = (200, data, True)
    cloud = project.place(path, "final/vfx/cloud.jpg")
    project.prov("scan", str(project.root))
    assert project.show(cloud)["risk"]["outcome"] == "escalate"
    project.prov("approve", str(cloud), *APPROVE)

    project.prov("scan", "--force", "--fetch-remote", str(project.root))
    record = project.show(cloud)
    assert (record["version"], record["reading"], record["ai"]["involvement"]) == (
        1,
        2,
        "generated",
    )
    assert record["risk"]["outcome"] == "approval-required"
    assert record["approval"]["state"] == "pending"
    (finding,) = check(project, str(project.root), code=3)
    assert "AA-FINAL" in finding["rules"]
    project.prov("approve", str(cloud), "--rule", "AA-FINAL", *APPROVE)
    approval = project.show(cloud)["approval"]
    assert approval["state"] == "approved" and "AA-FINAL" in approval["rule"]
    assert check(project, str(project.root), code=0) == []


# --- empty files ------------------------------------------------------------------------------


def test_an_empty_file_is_unreadable_and_the_gate_says_so(project: Project) -> None:
    empty = project.root / "wip" / "empty.exr"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    project.prov("scan", str(project.root), code=1)
    record = project.show(empty)
    assert record["status"] == "unreadable" and record["reason"].startswith("empty file")
    again = project.prov("scan", str(project.root), code=1).stderr
    assert "1 unchanged" in again  # its fingerprint was recorded

    findings = check(project, str(project.root), code=3)
    assert findings and all("empty file" in f["reason"] for f in findings)
    assert not any("changed since" in f["reason"] for f in findings)


def test_an_empty_file_that_changed_is_changed(project: Project) -> None:
    empty = project.root / "wip" / "empty.exr"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    project.prov("scan", str(project.root), code=1)
    empty.write_bytes(b"v/1\x01" + os.urandom(64))
    reasons = [f["reason"] for f in check(project, str(project.root), code=3)]
    assert any(r.startswith("changed since it was catalogued") for r in reasons)


def test_a_file_emptied_since_it_was_catalogued_is_changed_and_says_empty(
    project: Project,
) -> None:
    plate = project.place(write_jpeg(project.root.parent / "p.jpg"), "wip/plate.jpg")
    project.prov("scan", str(project.root))
    plate.write_bytes(b"")
    reasons = [f["reason"] for f in check(project, str(project.root), code=3)]
    assert "changed since it was catalogued (now empty: 0 bytes): run `prov scan` again" in reasons


def test_an_empty_file_catalogued_without_a_fingerprint_is_not_called_changed(
    project: Project,
) -> None:
    # Catalogs before issue 8 stored no fingerprint for an empty file; its content is fixed
    # by its size, so the gate still says what is wrong with it, not "changed since".
    empty = project.root / "wip" / "empty.exr"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"")
    project.prov("scan", str(project.root), code=1)
    engine = create_engine(project.db_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(PathEntry).values(size=None, mtime_ns=None, inode=None))
    finally:
        engine.dispose()
    reasons = [f["reason"] for f in check(project, str(project.root), code=3)]
    assert reasons and all("empty file" in r and "changed since" not in r for r in reasons)
