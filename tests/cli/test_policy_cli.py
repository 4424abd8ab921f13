"""The policy commands through click's CliRunner: policy, declare, classify, ls --risk,
escalations, approve/reject, audit and check. Exit codes, stdout data, stderr messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from provenance.c2pa_io import action
from provenance.policy import DEFAULT_POLICY_PATH, load_policy
from tests.conftest import SignJpeg
from tests.integration.test_scenarios import Project, make_project

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
RECORD_KEYS = {"path", "sha256", "status", "credentials", "ai", "risk", "approval"}


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


@pytest.fixture
def final_element(project: Project, sign_jpeg: SignJpeg) -> Path:
    """A generated still in a final folder, scanned: approval-required (AA-FINAL)."""
    path = project.place(sign_jpeg("e.jpg", actions=GENERATED), "final/vfx/element.jpg")
    project.prov("scan", str(project.root))
    return path


def _sql(db_url: str, statement: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


# --- policy ----------------------------------------------------------------------------------


def test_policy_show_lists_every_rule_with_its_question_and_text(project: Project) -> None:
    detail = project.json("policy", "show")
    assert detail["policy"]["id"] == "netflix-genai-partner-guidance"
    final = next(r for r in detail["rules"] if r["id"] == "AA-FINAL")
    assert final["outcome"] == "approval-required" and final["question"] and final["text"]
    assert detail["production"]["title"] == "The Eternaut"
    text_out = project.prov("policy", "show").stdout
    assert "AA-MISLEADING  approval-required" in text_out and "question:" in text_out


def test_policy_validate_names_file_key_and_problem(project: Project, tmp_path: Path) -> None:
    assert "ok:" in project.prov("policy", "validate", str(DEFAULT_POLICY_PATH)).stdout
    broken = tmp_path / "broken.toml"
    broken.write_text(
        DEFAULT_POLICY_PATH.read_text().replace('outcome = "socialize"', 'outcome = "maybe"', 1)
    )
    result = project.prov("policy", "validate", str(broken), code=2)
    assert f"error: {broken}: rules[0].outcome: 'maybe' is not one of" in result.stderr


def test_a_bad_policy_stops_a_scan_before_anything_is_recorded(
    project: Project, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    project.place(sign_jpeg("e.jpg", actions=GENERATED), "final/e.jpg")
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\nversion = "1"\nrules = []\n')
    result = project.prov("--policy", str(broken), "scan", str(project.root), code=2)
    assert "missing rule(s)" in result.stderr
    assert "no catalog at" in project.prov("ls", code=2).stderr  # not even a catalog made


def test_the_policy_file_of_the_config_is_used(project: Project, tmp_path: Path) -> None:
    custom = tmp_path / "policies" / "studio.toml"
    custom.parent.mkdir()
    shipped = f'version = "{load_policy().version}"'
    custom.write_text(DEFAULT_POLICY_PATH.read_text().replace(shipped, 'version = "studio-7"'))
    with project.config.open("a") as config:
        config.write('\n[policy]\nfile = "policies/studio.toml"\n')
    assert project.json("policy", "show")["policy"]["version"] == "studio-7"


# --- declare, classify, ls -------------------------------------------------------------------


def test_declare_rejects_bad_values_and_unknown_paths(
    project: Project, final_element: Path
) -> None:
    bad = project.prov("declare", str(final_element), "--talent-likeness", "maybe", code=2)
    assert "'maybe' is not one of" in bad.stderr
    project.prov("declare", str(project.root / "nope.jpg"), "--use", "vfx", code=2)
    project.prov("declare", str(final_element), code=2)  # nothing to declare


def test_declare_reclassifies_and_is_kept_for_later_versions(
    project: Project, final_element: Path, sign_jpeg: SignJpeg
) -> None:
    folder = str(final_element.parent)
    changes = project.json("declare", folder, "--use", "key-creative", "--by", "Ops")
    assert [(c["path"], c["rules_added"]) for c in changes] == [
        (str(final_element), ["AA-KEYCREATIVE", "UC-KEY-CREATIVE"])
    ]
    kinds = [e["kind"] for e in project.json("audit", "log", folder)]
    assert kinds == ["ingest", "classify", "declare", "classify"]

    redelivered = sign_jpeg("e2.jpg", actions=GENERATED, color=(1, 2, 3))
    final_element.write_bytes(redelivered.read_bytes())
    project.prov("scan", str(project.root))
    record = project.json("show", str(final_element))
    assert record["version"] == 2
    fired = next(r for r in record["risk"]["rules"] if r["id"] == "AA-KEYCREATIVE")
    assert any("prov declare #1 by Ops" in line for line in fired["evidence"])


def test_ls_risk_filters_and_records_keep_their_keys(project: Project, final_element: Path) -> None:
    records = project.json("ls", "--risk", "approval-required")
    assert [r["path"] for r in records] == [str(final_element)]
    assert records[0].keys() >= RECORD_KEYS
    assert records[0]["risk"].keys() >= {"outcome", "unverified", "rules", "policy"}
    assert records[0]["approval"].keys() >= {"state", "by", "ref", "at", "rule"}
    assert project.json("ls", "--risk", "none,socialize") == []
    project.prov("ls", "--risk", "bogus", code=2)


def test_classify_lists_what_changed(project: Project, final_element: Path) -> None:
    assert project.json("classify") == []  # nothing changed since the scan
    assert [c["changed"] for c in project.json("classify", "--all")] == [False]
    project.prov("classify", str(project.root / "final" / "nothing-here"), code=2)


# --- escalations, approve, reject, check ------------------------------------------------------


def test_escalations_group_by_title_and_folder(project: Project, final_element: Path) -> None:
    table = project.prov("escalations").stdout
    assert f"The Eternaut  {final_element.parent}/" in table
    assert "AA-FINAL (approval-required):" in table
    project.prov("approve", str(final_element), "--by", "Legal", "--ref", "L-1")
    assert project.json("escalations") == []


def test_decisions_are_append_only_and_the_latest_counts(
    project: Project, final_element: Path
) -> None:
    target = str(final_element)
    project.prov("reject", target, "--by", "Legal", "--ref", "L-1", "--note", "looks real")
    blocked = project.json("check", code=3)
    assert blocked[0]["reason"] == "rejected by Legal (L-1)"
    project.prov("approve", target, "--by", "Legal", "--ref", "L-2")
    project.prov("approve", target, "--by", "Studio", "--ref", "S-9")
    assert project.json("check") == []
    decisions = project.json("show", target)["decisions"]
    assert [(d["state"], d["ref"]) for d in decisions] == [
        ("reject", "L-1"),
        ("approve", "L-2"),
        ("approve", "S-9"),
    ]
    kinds = [e["kind"] for e in project.json("audit", "log", target)]
    assert kinds == ["ingest", "classify", "reject", "approve", "approve"]


def test_approve_refuses_unknown_or_unfired_rules(project: Project, final_element: Path) -> None:
    sha = project.json("show", str(final_element))["sha256"]
    typo = project.prov(
        "approve", sha[:10], "--by", "L", "--ref", "R", "--rule", "AA-FINALL", code=2
    )
    assert "unknown rule id 'AA-FINALL'" in typo.stderr
    unfired = project.prov(
        "approve", sha[:10], "--by", "L", "--ref", "R", "--rule", "AA-UNION", code=2
    )
    assert "did not fire" in unfired.stderr
    project.prov("approve", "deadbeef00", "--by", "L", "--ref", "R", code=2)
    project.prov("approve", sha[:10], "--by", "L", "--ref", "R", "--rule", "AA-FINAL")
    assert project.json("show", str(final_element))["approval"]["state"] == "approved"


def test_check_rejects_missing_paths(project: Project) -> None:
    project.prov("check", str(project.root / "nope"), code=2)


# --- audit -----------------------------------------------------------------------------------


def test_audit_verify_detects_an_edited_and_a_deleted_event(
    project: Project, final_element: Path
) -> None:
    project.prov("approve", str(final_element), "--by", "Legal", "--ref", "L-1")
    ok = project.prov("audit", "verify")
    assert ok.stdout.startswith("3 events verified; head 3 ")
    sqlite = project.db_url.startswith("sqlite")
    edit = (
        "UPDATE events SET payload = json_set(payload, '$.ref', 'forged') WHERE seq = 3"
        if sqlite
        else "UPDATE events SET payload = jsonb_set(payload, '{ref}', '\"forged\"') WHERE seq = 3"
    )
    _sql(project.db_url, edit)
    edited = project.prov("audit", "verify", code=1)
    assert edited.stdout.startswith("event 3: its content no longer matches its hash")
    _sql(project.db_url, "DELETE FROM events WHERE seq = 2")
    deleted = project.prov("audit", "verify", code=1)
    assert deleted.stdout.startswith("event 3: entry 2 is missing (deleted)")


def test_audit_log_as_json_lines(project: Project, final_element: Path) -> None:
    lines = project.prov("audit", "log", "--jsonl").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["seq"], e["kind"], e["target"]) for e in events] == [
        (1, "ingest", str(final_element)),
        (2, "classify", str(final_element)),
    ]
    assert events[1]["prev_hash"] == events[0]["hash"]
