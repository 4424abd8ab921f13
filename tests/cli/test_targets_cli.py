"""Issue 8, targets and decisions: "not found" is exit 2 everywhere; several paths with the
same content ask for the path; `--by`, `--ref`, `--note`, `--to` are bounded and free of
control characters; a decision on a file changed on disk, or an approval nothing needed,
warns; `prov show` says where a missing file went and lists the decisions of every version.
Real signed files, a real catalog (SQLite, and PostgreSQL when configured), CliRunner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cli.options import MAX_TEXT
from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from store.catalog.db import open_catalog
from store.catalog.paths import path_key
from store.watch.changes import record_move
from tests.conftest import SignJpeg, write_jpeg
from tests.integration.test_scenarios import Project, make_project

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
DECIDE = ("--by", "M. Ortiz", "--ref", "LEGAL-1")
REPORT = ("--to", "A. Chen", "--ref", "mail 1", "--by", "Jane Roe")


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


@pytest.fixture
def escalated(project: Project, sign_jpeg: SignJpeg) -> Path:
    """A generated still in wip without a declaration: escalate."""
    path = project.place(sign_jpeg("gen.jpg", actions=GENERATED), "wip/sc1/gen.jpg")
    project.prov("scan", str(project.root))
    return path


@pytest.fixture
def plate(project: Project, sign_jpeg: SignJpeg) -> Path:
    """A signed camera plate in final: outcome none."""
    path = project.place(sign_jpeg("plate.jpg"), "final/plates/plate.jpg")
    project.prov("scan", str(project.root))
    assert project.show(path)["risk"]["outcome"] == "none"
    return path


def _events(project: Project) -> int:
    return len(project.json("audit", "log"))


# --- not found is exit 2 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("show",),
        ("show", "--json"),
        ("approve", *DECIDE),
        ("reject", *DECIDE),
        ("reported", *REPORT),
        ("audit", "log"),
        ("audit", "log", "--json"),
    ],
    ids=["show", "show-json", "approve", "reject", "reported", "audit-log", "audit-log-json"],
)
@pytest.mark.parametrize("target", ["nowhere/nothing.jpg", "deadbeef00"], ids=["path", "sha"])
def test_not_found_is_exit_2_with_a_hint(
    project: Project, escalated: Path, command: tuple[str, ...], target: str
) -> None:
    before = _events(project)
    name, *options = command
    args = [name, *options[:1]] if name == "audit" else [name]
    rest = options[1:] if name == "audit" else options
    result = project.prov(*args, target, *rest, code=2)
    assert "error: nothing in the " in result.stderr and f"matches {target!r}" in result.stderr
    assert "hint: " in result.stderr and result.stdout == ""
    assert _events(project) == before


def test_a_file_on_disk_but_not_catalogued_says_to_scan_it(
    project: Project, escalated: Path
) -> None:
    (project.root / "new.jpg").write_bytes(b"not scanned yet")
    result = project.prov("show", str(project.root / "new.jpg"), code=2)
    assert "hint: it is on disk but not in the catalog: run `prov scan`" in result.stderr


def test_identical_content_at_several_paths_asks_for_the_path(
    project: Project, escalated: Path
) -> None:
    copy = escalated.with_name("gen copy.jpg")
    shutil.copy2(escalated, copy)
    project.prov("scan", str(project.root))
    sha = project.show(escalated)["sha256"]
    for target in (sha, sha[:8]):
        for command in (("show",), ("approve", *DECIDE)):
            result = project.prov(command[0], target, *command[1:], code=2)
            assert f"{target!r} matches 2 paths with the same content:" in result.stderr
            assert f"  {copy}  {sha[:16]}" in result.stderr
            assert f"  {escalated}  {sha[:16]}" in result.stderr
            assert "give the path instead: a longer prefix cannot" in result.stderr
    project.prov("approve", str(copy), *DECIDE)  # the path works


# --- recorded text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--by", "Legal\x1b[8m", "control character '\\x1b'"),
        ("--ref", "L-1\nrejected: by someone else", "control character '\\n'"),
        ("--note", "ok\u202e", "control character '\\u202e'"),
        ("--note", "x" * (MAX_TEXT + 1), f"{MAX_TEXT + 1} characters; at most {MAX_TEXT}"),
    ],
    ids=["by-esc", "ref-newline", "note-bidi", "note-long"],
)
def test_decision_text_is_bounded_and_plain(
    project: Project, escalated: Path, option: str, value: str, problem: str
) -> None:
    before = _events(project)
    fields = {"--by": "Legal", "--ref": "L-1", "--note": "n", option: value}
    args = [arg for pair in fields.items() for arg in pair]
    for command in ("approve", "reject"):
        result = project.prov(command, str(escalated), *args, code=2)
        assert f"Invalid value for '{option}'" in result.stderr and problem in result.stderr
    assert _events(project) == before
    assert project.show(escalated)["approval"]["state"] == "pending"


def test_reported_and_declare_text_is_checked_too(project: Project, escalated: Path) -> None:
    before = _events(project)
    bad = project.prov("reported", str(escalated), *REPORT[:-1], "Jane\x07", code=2)
    assert "Invalid value for '--by'" in bad.stderr
    to = project.prov("reported", str(escalated), "--to", "A\tB", "--ref", "r", code=2)
    assert "Invalid value for '--to'" in to.stderr
    declare = project.prov("declare", str(escalated), "--use", "ideation", "--by", "x\r", code=2)
    assert "Invalid value for '--by'" in declare.stderr
    tool = project.prov("declare", str(escalated), "--tool", "Firefly", "--tool", "\x1b", code=2)
    assert "Invalid value for '--tool'" in tool.stderr
    assert _events(project) == before
    # the longest value kept, and text outside ASCII, are fine
    longest = "é" * MAX_TEXT
    project.prov("approve", str(escalated), "--by", "Légal", "--ref", "L-2", "--note", longest)
    assert project.show(escalated)["approval"]["note"] == longest


# --- warnings --------------------------------------------------------------------------------


def test_approving_an_outcome_none_version_warns_and_records(project: Project, plate: Path) -> None:
    result = project.prov("approve", str(plate), *DECIDE)
    assert f"warning: {plate}: outcome none: nothing needed approving" in result.stderr
    assert project.show(plate)["approval"]["state"] == "approved"
    rejected = project.prov("reject", str(plate), *DECIDE)
    assert "warning" not in rejected.stderr  # a rejection of it is meaningful


def test_a_decision_on_a_file_changed_on_disk_warns(project: Project, escalated: Path) -> None:
    quiet = project.prov("approve", str(escalated), *DECIDE)
    assert "warning" not in quiet.stderr
    with escalated.open("ab") as stream:
        stream.write(b"appended after the scan")
    changed = project.prov("reject", str(escalated), *DECIDE)
    assert (
        f"warning: {escalated}: the file changed on disk since it was catalogued "
        "(run `prov scan` again); the decision covers v1 as catalogued"
    ) in changed.stderr
    assert project.show(escalated)["approval"]["state"] == "rejected"  # recorded all the same
    reported = project.json("reported", str(escalated), *REPORT)
    assert "the file changed on disk since it was catalogued" in reported[0]["warning"]
    escalated.unlink()
    gone = project.prov("approve", str(escalated), *DECIDE)
    assert f"warning: {escalated}: the file is no longer on disk" in gone.stderr


# --- show ------------------------------------------------------------------------------------


def test_show_says_when_a_file_went_missing_and_where_it_moved(
    project: Project, escalated: Path
) -> None:
    dest = escalated.with_name("renamed.jpg")
    os.rename(escalated, dest)
    catalog = open_catalog(project.db_url)
    try:
        assert record_move(escalated, dest, catalog=catalog, analyzer=Analyzer())
    finally:
        catalog.dispose()
    detail = project.show(escalated)
    assert detail["moved_to"] == path_key(dest) and detail["missing_since"]
    assert project.show(dest)["moved_to"] is None
    text = project.prov("show", str(escalated)).stdout
    assert f"missing:         since {detail['missing_since'][:19]}" in text
    assert f"moved to:        {dest}" in text
    listed = project.json("ls", "--missing")
    assert {(r["path"], r["moved_to"]) for r in listed} == {
        (str(escalated), str(dest)),
        (str(dest), None),
    }
    warned = project.prov("approve", str(escalated), *DECIDE)
    assert f"missing from disk since {detail['missing_since'][:10]}, moved to {dest}" in (
        warned.stderr
    )


def test_show_lists_the_decisions_of_every_version(project: Project, escalated: Path) -> None:
    project.prov("approve", str(escalated), "--by", "Legal", "--ref", "L-1", "--note", "v1 ok")
    write_jpeg(escalated, (200, 10, 10))  # other content: version 2
    project.prov("scan", str(project.root))
    project.prov("reject", str(escalated), "--by", "Legal", "--ref", "L-2")
    detail = project.show(escalated)
    assert detail["version"] == 2
    assert [(d["version"], d["state"], d["ref"]) for d in detail["decisions"]] == [
        (1, "approve", "L-1"),
        (2, "reject", "L-2"),
    ]
    assert detail["approval"]["state"] == "rejected"  # the current version's standing one
    text = project.prov("show", str(escalated)).stdout
    versions = text[text.index("\nVersions") :]
    assert "approve by Legal (ref L-1): v1 ok" in versions  # v1's, under v1
    assert "reject by Legal (ref L-2)" in text[: text.index("\nVersions")]
