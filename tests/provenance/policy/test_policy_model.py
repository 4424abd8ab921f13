"""Policy value types: outcome order, answers, folder globs, tool matching."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from provenance.policy import (
    Answer,
    Declaration,
    FolderRole,
    Outcome,
    ProductionConfig,
    ProductionKind,
    Tool,
)

Oc = Outcome


def test_outcomes_are_ordered_by_severity_not_alphabet() -> None:
    assert Oc.NONE < Oc.SOCIALIZE < Oc.ESCALATE < Oc.APPROVAL_REQUIRED
    assert sorted([Oc.APPROVAL_REQUIRED, Oc.NONE, Oc.ESCALATE, Oc.SOCIALIZE]) == list(Oc)
    assert [o.rank for o in Oc] == [0, 1, 2, 3]
    assert Oc.ESCALATE.at_least(Oc.SOCIALIZE) and not Oc.SOCIALIZE.at_least(Oc.ESCALATE)
    assert Oc.worst([Oc.SOCIALIZE, Oc.APPROVAL_REQUIRED, Oc.ESCALATE]) is Oc.APPROVAL_REQUIRED
    assert Oc.worst([]) is Oc.NONE
    assert Oc("approval-required") is Oc.APPROVAL_REQUIRED


def test_answers() -> None:
    assert Answer.worst([Answer.YES, Answer.UNSURE]) is Answer.UNSURE
    assert Answer.worst([Answer.UNSURE, Answer.NO, Answer.YES]) is Answer.NO
    assert Answer.worst([]) is Answer.YES
    assert [a.negated() for a in Answer] == [Answer.NO, Answer.YES, Answer.UNSURE]


def test_declaration_defaults_never_clear() -> None:
    d = Declaration()
    assert d.declares_genai and d.involvement is None
    assert {d.talent_likeness, d.personal_data, d.third_party_ip} == {Answer.UNSURE}


CONFIG = ProductionConfig(
    "T",
    ProductionKind.SCRIPTED,
    (
        ("**/ideation/**", FolderRole.IDEATION),
        ("wip/", FolderRole.WIP),
        ("deliveries/final/**", FolderRole.FINAL),
        ("/mnt/nas/masters/*.mov", FolderRole.FINAL),
        ("temp/**/*.exr", FolderRole.TEMP),
    ),
)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("show/ideation/board.png", FolderRole.IDEATION),
        ("/abs/show/ideation/deep/er/board.png", FolderRole.IDEATION),
        ("wip/sc14/sign.png", FolderRole.WIP),
        ("/mnt/show/deliveries/final/ep1/a.exr", FolderRole.FINAL),
        ("deliveries/final/a.exr", FolderRole.FINAL),
        ("/mnt/nas/masters/ep1.mov", FolderRole.FINAL),
        ("/other/mnt/nas/masters/ep1.mov", None),  # a leading / anchors the glob
        ("/mnt/nas/masters/sub/ep1.mov", None),  # * stays inside one folder
        ("temp/a/b/c.exr", FolderRole.TEMP),
        ("temp/a/b/c.mov", None),
        ("deliveries/finals/a.exr", None),
        ("elsewhere/a.exr", None),
        (PurePosixPath("/x/wip/a.png"), FolderRole.WIP),
        (PureWindowsPath(r"D:\show\wip\a.png"), FolderRole.WIP),
    ],
)
def test_role_for(path: str, role: FolderRole | None) -> None:
    assert CONFIG.role_for(path) is role


def test_most_final_role_wins_when_globs_overlap() -> None:
    config = ProductionConfig(
        "T",
        ProductionKind.SCRIPTED,
        (("final/**", FolderRole.FINAL), ("**/ideation/**", FolderRole.IDEATION)),
    )
    assert config.role_for("final/ideation/x.png") is FolderRole.FINAL


def test_production_kinds_presented_as_real() -> None:
    assert [k.presented_as_real for k in ProductionKind] == [False, True, True]


def test_tool_matches_name_or_pattern_case_insensitively() -> None:
    tool = Tool("Runway", (r"\brunway\b",), enterprise_agreement=False, trains_on_inputs=None)
    assert tool.matches("RUNWAY Gen-3") and tool.matches("runway")
    assert not tool.matches("Runwayless")
    broken = Tool("X", ("(",), None, None)  # invalid patterns are skipped, never raise
    assert not broken.matches("(") and broken.matches("x")
