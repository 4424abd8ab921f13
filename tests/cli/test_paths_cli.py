"""Paths through the CLI (issue 7): `check`, `audit log` and `ls --path` take a folder literally
on both backends, non-UTF-8 names keep their declarations, and a declaration file changed
since the last scan blocks `check` until a scan re-classifies."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from provenance.c2pa_io import action
from store.catalog.paths import path_key
from tests.conftest import SignJpeg
from tests.integration.test_scenarios import Project, make_project

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
GENAI_SAMPLE = (
    Path(__file__).resolve().parents[2] / "sample_assets/genai/building_collapse_element.jpg"
)
TALENT = 'talent_likeness = "yes"\n'
LOOKALIKES = [
    ("a\\b", "ab"),
    ("under_score", "underXscore"),
    ("100%", "100% more"),
    ("Case", "case"),
]


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


def _findings(project: Project, *paths: Path, code: int) -> list[str]:
    return [f["path"] for f in project.json("check", *map(str, paths), code=code)]


@pytest.mark.parametrize(("folder", "lookalike"), LOOKALIKES)
def test_check_and_audit_log_take_the_folder_literally(
    project: Project, sign_jpeg: SignJpeg, folder: str, lookalike: str
) -> None:
    # A camera still in the folder, a generated one (approval-required in final/) beside it
    # in a folder whose name LIKE, or SQLite's case-blind LIKE, would also match.
    clean = project.place(sign_jpeg("c.jpg"), f"final/{folder}/c.jpg")
    flagged = project.place(sign_jpeg("g.jpg", actions=GENERATED), f"final/{lookalike}/g.jpg")
    project.prov("scan", str(project.root))
    assert _findings(project, clean.parent, code=0) == []
    assert _findings(project, flagged.parent, code=3) == [path_key(flagged)]
    targets = {e["target"] for e in project.json("audit", "log", str(clean.parent))}
    assert targets == {path_key(clean)}


def test_check_of_a_folder_with_a_backslash_blocks_what_fails_in_it(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    # On PostgreSQL, LIKE took the backslash as an escape: `gate passed: 0 item(s)`.
    flagged = project.place(sign_jpeg("g.jpg", actions=GENERATED), "final/a\\b/g.jpg")
    project.prov("scan", str(project.root))
    (finding,) = project.json("check", str(flagged.parent), code=3)
    assert finding["path"] == path_key(flagged) == str(flagged).replace("\\", "\\\\")
    assert finding["outcome"] == "approval-required"


def test_ls_path_matches_names_as_typed(project: Project, sign_jpeg: SignJpeg) -> None:
    for name in ("a\\b.jpg", "ab.jpg", "under_score.jpg", "underXscore.jpg", "Case.jpg"):
        project.place(sign_jpeg(name), f"wip/{name}")
    project.prov("scan", str(project.root))

    def names(glob: str) -> list[str]:
        return [Path(r["path"]).name for r in project.json("ls", "--path", glob)]

    assert names("a\\b.jpg") == ["a\\\\b.jpg"]  # the key of a\b.jpg
    assert names("wip/a\\b.jpg") == ["a\\\\b.jpg"]
    assert names("under_score.jpg") == ["under_score.jpg"]
    assert names("case.jpg") == []


def test_a_non_utf8_folder_keeps_its_declaration(project: Project, tmp_path: Path) -> None:
    folder = project.root / "vendor" / os.fsdecode(b"caf\xe9")
    folder.mkdir(parents=True)
    asset = Path(shutil.copy(GENAI_SAMPLE, folder / os.fsdecode(b"\xe9l\xe9ment.jpg")))
    (folder / "genai-declaration.toml").write_text(TALENT, encoding="utf-8")
    project.prov("scan", str(project.root))
    (finding,) = project.json("check", str(project.root), code=3)
    assert finding["outcome"] == "approval-required" and "AA-TALENT" in finding["rules"]
    assert finding["path"].endswith("/vendor/caf\\xe9/\\xe9l\\xe9ment.jpg")
    record = project.show(asset)
    fired = next(r for r in record["risk"]["rules"] if r["id"] == "AA-TALENT")
    assert any("caf\\xe9/genai-declaration.toml" in line for line in fired["evidence"])


def test_check_blocks_a_declaration_changed_since_the_scan_until_rescanned(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    asset = project.place(sign_jpeg("g.jpg", actions=GENERATED), "vendor/sc01/g.jpg")
    project.prov("scan", str(project.root))
    project.prov("check", "--fail-on", "approval-required", str(project.root))  # escalate
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text(TALENT, encoding="utf-8")
    gate = ("check", "--fail-on", "approval-required", str(project.root))
    (finding,) = project.json(*gate, code=3)
    assert finding["reason"] == (
        f"declaration file {declaration} was added since this was classified: run `prov scan`"
    )
    lines = project.prov("scan", "--jsonl", str(project.root)).stdout.splitlines()
    first = json.loads(lines[0])  # declaration files first: the assets' records are current
    assert (first["kind"], first["reclassified"][0]["after"]) == (
        "declaration",
        "approval-required",
    )
    assert json.loads(lines[1])["risk"]["outcome"] == "approval-required"
    (finding,) = project.json(*gate, code=3)
    assert finding["reason"] == "approval-required without a written approval"
    assert [r["path"] for r in project.json("ls")] == [str(asset)]  # not an asset


def test_watch_catches_up_on_a_declaration_written_while_it_was_down(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    asset = project.place(sign_jpeg("g.jpg", actions=GENERATED), "vendor/sc01/g.jpg")
    project.prov("watch", "--once", str(project.root))
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text(TALENT, encoding="utf-8")  # nobody watching
    lines = project.prov("watch", "--once", "--jsonl", str(project.root)).stdout.splitlines()
    (change,) = [json.loads(line) for line in lines]
    assert (change["kind"], change["path"]) == ("declaration", str(declaration))
    assert change["reclassified"][0]["after"] == "approval-required"
    gate = ("check", "--fail-on", "approval-required", str(project.root))
    (finding,) = project.json(*gate, code=3)
    assert finding["reason"] == "approval-required without a written approval"
    assert project.prov("watch", "--once", "--jsonl", str(project.root)).stdout == ""
