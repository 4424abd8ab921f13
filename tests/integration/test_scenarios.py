"""The five acceptance scenarios of issue 4, end to end through the command line: real signed
files, a prov.toml with a [production] table, declarations, a real catalog (SQLite and
PostgreSQL), and the delivery gate."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import prov
from provenance.c2pa_io import action
from provenance.policy import DEFAULT_POLICY_PATH
from tests.conftest import SignJpeg, write_jpeg

FOLDERS = """
[[production.folders]]
glob = "ideation/**"
role = "ideation"

[[production.folders]]
glob = "wip/**"
role = "wip"

[[production.folders]]
glob = "final/**"
role = "final"
"""

# Every question answered on the safe side, with an enterprise tool that does not train.
CLEAR_DECLARATION = """
tool = "Adobe Firefly"
involvement = "generated"
use_case = "ideation"
story_relevant = "no"
talent_likeness = "no"
personal_data = "no"
third_party_ip = "no"
proprietary_inputs = "no"
digital_replica = "no"
performance_alteration = "no"
union_covered = "no"
references_real_people_or_works = "no"
key_creative = "no"
unowned_training_data = "no"
declared_by = "Art department"
"""


@dataclass
class Project:
    """A delivery folder with its prov.toml, and `prov` run against one catalog."""

    root: Path
    db_url: str
    config: Path

    def prov(self, *args: str, code: int = 0) -> Result:
        argv = ["--db", self.db_url, "--config", str(self.config), *args]
        result = CliRunner().invoke(prov, argv, catch_exceptions=False)
        assert result.exit_code == code, (
            f"prov {' '.join(args)}: exit {result.exit_code}, expected {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self.prov(*args, "--json", code=code).stdout)

    def place(self, source: Path, relative: str) -> Path:
        dest = self.root / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, dest)
        return dest

    def show(self, path: Path) -> dict[str, Any]:
        record: dict[str, Any] = self.json("show", str(path))
        return record


def make_project(tmp_path: Path, db_url: str, *, title: str, kind: str, extra: str = "") -> Project:
    root = tmp_path / "show"
    root.mkdir()
    config = tmp_path / "prov.toml"
    config.write_text(
        f'[production]\ntitle = "{title}"\nkind = "{kind}"\n{FOLDERS}\n{extra}', encoding="utf-8"
    )
    return Project(root, db_url, config)


def switched_policy(folder: Path) -> Path:
    """The shipped policy with escalate_unverified_in_final on."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    switched = text.replace(
        "escalate_unverified_in_final = false", "escalate_unverified_in_final = true"
    )
    assert switched != text
    path = folder / "studio-policy.toml"
    path.write_text(switched, encoding="utf-8")
    return path


def rule_ids(record: dict[str, Any]) -> set[str]:
    return {rule["id"] for rule in record["risk"]["rules"]}


def test_1_documentary_archival_still_edited_with_genai_in_final(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    # The What Jennifer Did case: AI-altered archival photos presented as authentic.
    project = make_project(tmp_path, db_url, title="What Jennifer Did", kind="documentary")
    edited = sign_jpeg(
        "still_014.jpg",
        actions=[
            action("c2pa.created", digital_source_type="digitalCapture"),  # the archival scan
            action("c2pa.edited", digital_source_type="compositeWithTrainedAlgorithmicMedia"),
        ],
    )
    still = project.place(edited, "final/archival/still_014.jpg")
    project.prov("scan", str(project.root))

    record = project.show(still)
    assert record["risk"]["outcome"] == "approval-required"
    assert {"AA-FINAL", "AA-MISLEADING"} <= rule_ids(record)
    misleading = next(r for r in record["risk"]["rules"] if r["id"] == "AA-MISLEADING")
    assert misleading["reason"] and "compositeWithTrainedAlgorithmicMedia" in " ".join(
        misleading["evidence"]
    )
    assert record["approval"]["state"] == "pending"
    text = project.prov("show", str(still)).stdout
    assert "Risk: approval-required" in text and "AA-MISLEADING (approval-required)" in text
    queue = project.json("escalations")
    assert [(item["title"], item["path"]) for item in queue] == [("What Jennifer Did", str(still))]


def test_2_scripted_generated_element_in_final_vfx_gate_and_new_version(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    # The Eternaut case: an approval covers the version it names; a changed file re-opens it.
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    generated = [
        action(
            "c2pa.created",
            digital_source_type="trainedAlgorithmicMedia",
            software_agent="Runway Gen-3",
        )
    ]
    element = sign_jpeg("collapse.jpg", actions=generated)
    shot = project.place(element, "final/vfx/ETN_106_045_010/collapse.jpg")
    project.prov("scan", str(project.root))
    record = project.show(shot)
    assert record["risk"]["outcome"] == "approval-required"
    assert "AA-FINAL" in rule_ids(record)
    assert "AA-MISLEADING" not in rule_ids(record)  # fiction, not presented as real

    blocked = project.json("check", str(project.root), code=3)
    assert [(item["path"], item["approval"]) for item in blocked] == [(str(shot), "pending")]

    project.prov("approve", str(shot), "--by", "M. Ortiz", "--ref", "LEGAL-2291")
    assert project.json("check", str(project.root)) == []
    assert project.show(shot)["approval"] | {"at": None} == {
        "state": "approved",
        "by": "M. Ortiz",
        "ref": "LEGAL-2291",
        "at": None,
        "rule": None,
        "note": None,
        "to": None,  # issue 7: to whom a report went
    }

    # The vendor re-delivers the element, re-rendered: new content at the same path.
    shutil.copyfile(sign_jpeg("collapse_v2.jpg", actions=generated, color=(200, 30, 30)), shot)
    stale = project.json("check", str(project.root), code=3)
    assert "changed since it was catalogued" in stale[0]["reason"]
    project.prov("scan", str(project.root))
    reopened = project.json("check", str(project.root), code=3)
    assert [(r["version"], r["approval"]) for r in reopened] == [(2, "pending")]


def test_3_ideation_moodboard_from_enterprise_tool_with_clear_declaration(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    boards = []
    for n in (1, 2):
        image = sign_jpeg(
            f"board_{n}.jpg",
            actions=[
                action(
                    "c2pa.created",
                    digital_source_type="trainedAlgorithmicMedia",
                    software_agent="Adobe Firefly",
                )
            ],
        )
        boards.append(project.place(image, f"ideation/moodboards/ep1_board_{n}.jpg"))
    (project.root / "ideation/moodboards/genai-declaration.toml").write_text(CLEAR_DECLARATION)
    scanned = project.prov("scan", "--jsonl", str(project.root)).stdout.splitlines()
    kinds = sorted(json.loads(line)["kind"] for line in scanned)
    assert kinds == ["asset", "asset", "declaration"]  # the declaration file is not an asset

    for board in boards:
        record = project.show(board)
        assert record["risk"]["outcome"] == "socialize"
        assert rule_ids(record) == {"PV-GENAI", "UC-IDEATION"}
        # Issue 7: reporting is expected even at low risk, so socialize is `to-report`.
        assert record["approval"]["state"] == "to-report"
    assert project.json("ls", "--risk", "socialize") != []
    project.prov("check", "--fail-on", "escalate", str(project.root))


def test_4_incidental_background_signage_in_wip_with_unregistered_tool(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    sign = sign_jpeg(
        "signage.jpg",
        actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")],
    )
    signage = project.place(sign, "wip/ep2/sc14/signage_v002.jpg")
    project.prov("scan", str(project.root))
    answers = [f"--{q}" for q in ("third-party-ip", "references", "talent-likeness")]
    project.prov(
        "declare",
        str(signage),
        "--tool",
        "SignSmith AI",
        "--use",
        "background",
        "--prominence",
        "incidental",
        "--story-relevant",
        "no",
        *[arg for option in answers for arg in (option, "no")],
        "--by",
        "Jane Roe, NFX VFX",
    )
    record = project.show(signage)
    assert record["risk"]["outcome"] == "escalate"
    for principle in ("GP-2", "GP-3"):
        fired = next(r for r in record["risk"]["rules"] if r["id"] == principle)
        assert fired["answer"] == "unsure" and "SignSmith AI" in fired["reason"]
    assert "UC-BACKGROUND-INCIDENTAL" in rule_ids(record)
    project.prov("check", "--fail-on", "approval-required", str(project.root))  # below it
    project.prov("check", str(project.root), code=3)  # issue 7: the default level is escalate


def test_5_signed_plate_none_unsigned_file_unverified_and_the_switch(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    plate = project.place(sign_jpeg("plate.jpg"), "final/plates/ATBP_0A1_010_FG01.jpg")
    unsigned = write_jpeg(project.root / "final/plates/unsigned.jpg")
    project.prov("scan", str(project.root))

    plate_record = project.show(plate)
    assert plate_record["risk"] | {"classified_at": None} == {
        "outcome": "none",
        "unverified": False,
        "involvement": "none",
        "rules": [],
        "policy": {"id": "netflix-genai-partner-guidance", "version": "2025.08-2"},
        "role": "final",
        "classified_at": None,
        "error": None,
    }
    record = project.show(unsigned)
    assert record["ai"]["involvement"] == "unknown"
    assert (record["risk"]["outcome"], record["risk"]["unverified"]) == ("none", True)
    assert rule_ids(record) == {"PV-UNVERIFIED"}
    project.prov("check", "--fail-on", "escalate", str(project.root))

    policy = switched_policy(tmp_path)
    changed = json.loads(project.prov("--policy", str(policy), "classify", "--json").stdout)
    assert [(c["path"], c["before"], c["after"]) for c in changed] == [
        (str(unsigned), "none", "escalate")
    ]
    assert rule_ids(project.show(unsigned)) == {"PV-UNVERIFIED", "PV-UNVERIFIED-FINAL"}
    assert project.show(plate)["risk"]["outcome"] == "none"
    project.prov("check", "--fail-on", "escalate", str(project.root), code=3)


def test_scan_without_production_config_still_classifies(
    tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    project = make_project(tmp_path, db_url, title="x", kind="documentary")
    project.config.write_text("", encoding="utf-8")  # no [production]: shipped policy only
    gen = project.place(
        sign_jpeg(
            "g.jpg", actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
        ),
        "final/g.jpg",
    )
    project.prov("scan", str(project.root))
    record = project.show(gen)
    assert record["risk"]["outcome"] == "escalate"  # no folder role: GP-4 unsure
    assert record["risk"]["role"] is None
