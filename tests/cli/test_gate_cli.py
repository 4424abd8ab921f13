"""Issue 7, the gate: `socialize` is a real state (`to-report` until `prov reported` or an
approval), `check --fail-on socialize`, `[gate] fail_on` in prov.toml and the shipped default
(escalate), and a gate that fails closed on rejections whatever the level. Real signed files,
a real catalog (SQLite, and PostgreSQL when configured), through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.c2pa_io import action
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
APPROVAL_KEYS = {"state", "by", "ref", "at", "rule", "note", "to"}
REPORT = ("--to", "A. Chen, Netflix", "--ref", "mail 2026-12-01", "--by", "Jane Roe")


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


@pytest.fixture
def board(project: Project, sign_jpeg: SignJpeg) -> Path:
    """An ideation moodboard from an enterprise tool, every question answered: socialize."""
    path = project.place(sign_jpeg("board.jpg", actions=FIREFLY), "ideation/board.jpg")
    (path.parent / "genai-declaration.toml").write_text(CLEAR_DECLARATION, encoding="utf-8")
    project.prov("scan", str(project.root))
    assert project.show(path)["risk"]["outcome"] == "socialize"
    return path


@pytest.fixture
def escalated(project: Project, sign_jpeg: SignJpeg) -> Path:
    """A generated still in wip without a declaration: escalate (GP-1..GP-5 unsure)."""
    path = project.place(sign_jpeg("wip.jpg", actions=GENERATED), "wip/sc1/gen.jpg")
    project.prov("scan", str(project.root))
    assert project.show(path)["risk"]["outcome"] == "escalate"
    return path


def _config(project: Project, gate: str) -> None:
    with project.config.open("a", encoding="utf-8") as config:
        config.write(f"\n[gate]\n{gate}\n")


# --- the to-report state ---------------------------------------------------------------------


def test_socialize_is_to_report_until_reported(project: Project, board: Path) -> None:
    assert project.show(board)["approval"] == {"state": "to-report"} | dict.fromkeys(
        APPROVAL_KEYS - {"state"}
    )
    queue = project.json("escalations", "--to-report")
    assert [(item["path"], item["outcome"]) for item in queue] == [(str(board), "socialize")]
    assert {rule["id"] for rule in queue[0]["rules"]} == {"PV-GENAI", "UC-IDEATION"}
    assert project.json("escalations") == []  # nothing awaits a decision

    done = project.json("reported", str(board), *REPORT, "--note", "weekly sync")
    assert [(d["path"], d["outcome"], d["warning"]) for d in done] == [
        (str(board), "socialize", None)
    ]
    approval = project.show(board)["approval"]
    assert approval | {"at": None} == {
        "state": "reported",
        "by": "Jane Roe",
        "ref": "mail 2026-12-01",
        "at": None,
        "rule": None,
        "note": "weekly sync",
        "to": "A. Chen, Netflix",
    }
    assert approval["at"]  # when it was recorded
    assert project.json("escalations", "--to-report") == []
    decisions = project.json("show", str(board))["decisions"]
    assert [(d["state"], d["to"]) for d in decisions] == [("report", "A. Chen, Netflix")]
    text = project.prov("show", str(board)).stdout
    assert "report by Jane Roe to A. Chen, Netflix (ref mail 2026-12-01)" in text


def test_a_report_is_audited_and_tampering_with_it_is_caught(project: Project, board: Path) -> None:
    from tests.cli.test_policy_cli import _sql

    project.prov("reported", str(board), *REPORT)
    events = project.json("audit", "log", str(board))
    # a declaration file beside the board may add its own ingest event first (issue 7)
    assert [e["kind"] for e in events][-3:] == ["ingest", "classify", "report"]
    assert events[-1]["payload"]["to"] == "A. Chen, Netflix"
    assert events[-1]["payload"]["row"]["table"] == "decisions"
    project.prov("audit", "verify")
    _sql(project.db_url, "UPDATE decisions SET reported_to = 'someone else'")
    edited = project.prov("audit", "verify", code=1)
    seq = events[-1]["seq"]
    assert f"decisions row 1 differs from what event {seq} recorded (edited)" in edited.stdout


def test_an_approval_of_a_socialize_version_counts_as_reported(
    project: Project, board: Path
) -> None:
    project.prov("check", "--fail-on", "socialize", str(project.root), code=3)
    project.prov("approve", str(board), "--by", "Legal", "--ref", "L-7")
    assert project.show(board)["approval"]["state"] == "approved"
    assert project.json("check", "--fail-on", "socialize", str(project.root)) == []
    assert project.json("escalations", "--to-report") == []


def test_rule_approvals_of_every_socialize_rule_count_as_reported(
    project: Project, board: Path
) -> None:
    project.prov("approve", str(board), "--by", "L", "--ref", "R", "--rule", "PV-GENAI")
    assert project.show(board)["approval"]["state"] == "to-report"  # one of two rules
    project.prov("approve", str(board), "--by", "L", "--ref", "R", "--rule", "UC-IDEATION")
    approval = project.show(board)["approval"]
    assert (approval["state"], approval["rule"]) == ("approved", "PV-GENAI,UC-IDEATION")


# --- the gate at socialize -------------------------------------------------------------------


def test_check_fail_on_socialize_blocks_until_reported(project: Project, board: Path) -> None:
    assert project.json("check", str(project.root)) == []  # the default (escalate) passes it
    blocked = project.json("check", "--fail-on", "socialize", str(project.root), code=3)
    assert blocked == [
        {
            "path": str(board),
            "version": 1,
            "sha256": blocked[0]["sha256"],
            "outcome": "socialize",
            "approval": "to-report",
            "rules": ["PV-GENAI", "UC-IDEATION"],
            "reason": "socialize: not reported to the studio contact yet",
        }
    ]
    project.prov("reported", blocked[0]["sha256"][:10], *REPORT)  # a SHA-256 prefix works
    assert project.json("check", "--fail-on", "socialize", str(project.root)) == []


def test_a_report_does_not_clear_an_escalation(project: Project, escalated: Path) -> None:
    result = project.prov("reported", str(escalated), *REPORT)
    assert "a report does not clear it; it needs `prov approve`" in result.stderr
    assert project.show(escalated)["approval"]["state"] == "pending"
    for level in ("escalate", "socialize"):
        blocked = project.json("check", "--fail-on", level, str(project.root), code=3)
        assert [(b["approval"], b["reason"]) for b in blocked] == [
            ("pending", "escalate without a written approval")
        ]
    assert [item["path"] for item in project.json("escalations")] == [str(escalated)]


def test_reporting_a_version_without_genai_is_recorded_with_a_warning(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    plate = project.place(sign_jpeg("plate.jpg"), "final/plates/plate.jpg")
    project.prov("scan", str(project.root))
    result = project.prov("reported", str(plate), *REPORT)
    assert f"warning: {plate}: outcome none: nothing needed reporting" in result.stderr
    record = project.show(plate)
    assert record["approval"]["state"] == "not-needed"
    assert [d["state"] for d in record["decisions"]] == ["report"]


def test_a_rejected_version_fails_the_gate_whatever_the_level(
    project: Project, board: Path
) -> None:
    project.prov("reject", str(board), "--by", "Legal", "--ref", "L-9")
    for _attempt in ("rejected", "then reported: a report does not lift a rejection"):
        blocked = project.json("check", "--fail-on", "approval-required", code=3)
        assert [(b["approval"], b["reason"]) for b in blocked] == [
            ("rejected", "rejected by Legal (L-9)")
        ]
        assert blocked[0]["rules"] == ["PV-GENAI", "UC-IDEATION"]
        project.prov("reported", str(board), *REPORT)


# --- prov reported: bad input ----------------------------------------------------------------


def test_reported_on_an_unknown_target_records_nothing(project: Project, board: Path) -> None:
    before = [e["kind"] for e in project.json("audit", "log")]
    assert "report" not in before
    missing = project.prov("reported", str(board), str(project.root / "nope.jpg"), *REPORT, code=2)
    assert "nothing in the catalog matches" in missing.stderr
    assert project.show(board)["approval"]["state"] == "to-report"  # all or nothing
    project.prov("reported", "deadbeef00", *REPORT, code=2)
    assert [e["kind"] for e in project.json("audit", "log")] == before


def test_reported_needs_to_and_ref_and_real_values(project: Project, board: Path) -> None:
    assert "Missing option '--to'" in project.prov("reported", str(board), code=2).stderr
    project.prov("reported", str(board), "--to", "A. Chen", code=2)  # no --ref
    project.prov("reported", *REPORT, code=2)  # no target
    blank = project.prov("reported", str(board), "--to", " ", "--ref", "R", "--by", "J", code=2)
    assert "a report needs to whom it went (--to)" in blank.stderr
    assert project.show(board)["approval"]["state"] == "to-report"


def test_reported_once_per_file_and_by_defaults_to_the_login_name(
    project: Project, board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "jroe")
    monkeypatch.setenv("USER", "jroe")
    sha = project.show(board)["sha256"]
    done = project.json("reported", str(board), sha[:8], "--to", "A. Chen", "--ref", "R-1")
    assert len(done) == 1 and done[0]["approval"]["by"] == "jroe"
    assert done[0].keys() == {"path", "version", "sha256", "outcome", "approval", "warning"}
    assert done[0]["approval"].keys() == APPROVAL_KEYS


def test_reported_help_has_examples(project: Project) -> None:
    text = project.prov("reported", "--help").stdout
    assert "Examples:" in text and "prov reported" in text and "--to" in text


# --- the gate level: flag, prov.toml, shipped default -----------------------------------------


def test_the_shipped_default_level_is_escalate(project: Project, escalated: Path) -> None:
    result = project.prov("check", str(project.root), code=3)
    assert "gate blocked: 1 item(s) at or above escalate" in result.stderr
    project.prov("check", "--fail-on", "approval-required", str(project.root))
    assert "[gate] fail_on" in project.prov("check", "--help").stdout


def test_gate_fail_on_in_the_config_sets_the_level_and_the_flag_overrides_it(
    project: Project, board: Path, escalated: Path
) -> None:
    _config(project, 'fail_on = "socialize"')
    blocked = project.json("check", str(project.root), code=3)
    assert {b["outcome"] for b in blocked} == {"socialize", "escalate"}
    project.prov("reported", str(board), *REPORT)
    project.prov("approve", str(escalated), "--by", "Legal", "--ref", "L-1")
    assert project.json("check", str(project.root)) == []


def test_gate_fail_on_approval_required_in_the_config(project: Project, escalated: Path) -> None:
    _config(project, 'fail_on = "approval-required"')
    assert project.json("check", str(project.root)) == []
    project.prov("check", "--fail-on", "escalate", str(project.root), code=3)


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ('failon = "escalate"', "gate.failon: unknown key (known: fail_on)"),
        (
            'fail_on = "sometimes"',
            "gate.fail_on: 'sometimes' is not one of socialize, escalate, approval-required",
        ),
        ('fail_on = "none"', "gate.fail_on: 'none' is not one of socialize"),
        ("fail_on = 3", "gate.fail_on: 3 is not one of"),
    ],
)
def test_a_bad_gate_table_is_refused_naming_file_and_key(
    project: Project, board: Path, gate: str, message: str
) -> None:
    _config(project, gate)
    result = project.prov("check", str(project.root), code=2)
    assert f"error: {project.config}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_gate_that_is_not_a_table_is_refused(project: Project) -> None:
    # At the top: appended, the key would belong to the last [[production.folders]] table.
    project.config.write_text('gate = "escalate"\n' + project.config.read_text("utf-8"), "utf-8")
    result = project.prov("check", code=2)
    assert f"error: {project.config}: [gate] must be a table" in result.stderr


def test_the_config_example_of_docs_policy_md_loads_with_its_gate(tmp_path: Path) -> None:
    from provenance.config import load_settings
    from tests.provenance.policy.test_policy_loader import DOC

    text = DOC.read_text(encoding="utf-8")
    example = next(b for b in text.split("```toml\n")[1:] if "[gate]" in b).split("```")[0]
    config = tmp_path / "prov.toml"
    config.write_text(example, encoding="utf-8")
    assert str(load_settings(config).gate_fail_on) == "escalate"
