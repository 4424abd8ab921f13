"""Declaration files: format, folder/asset merging, precise errors, writing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from policy_builders import CLEAR

from provenance.model import Involvement
from provenance.policy import (
    FOLDER_DECLARATION,
    Answer,
    Declaration,
    PolicyError,
    Prominence,
    UseCase,
    declaration_for,
    declaration_from_mapping,
    declaration_to_toml,
    is_declaration_file,
    parse_declaration,
)


def raises(message: str) -> Any:
    return pytest.raises(PolicyError, match=re.escape(message))


# --- declarations ----------------------------------------------------------------------------

FULL_DECLARATION = """\
tool = ["Adobe Firefly", "Topaz Video AI"]
involvement = "generated"
use_case = "background"
prominence = "incidental"
story_relevant = "no"
talent_likeness = false
consent_reference = ""
personal_data = "no"
third_party_ip = "No"
proprietary_inputs = "unsure"
digital_replica = "no"
performance_alteration = "no"
union_covered = "no"
references_real_people_or_works = "no"
key_creative = "no"
unowned_training_data = "no"
declared_by = "Jane Roe, NFX VFX"
notes = "Street signage in sc14, replaced in comp."
"""


def test_parse_full_declaration(tmp_path: Path) -> None:
    path = tmp_path / "sign.png.genai.toml"
    path.write_text(FULL_DECLARATION, encoding="utf-8")
    d = parse_declaration(path)
    assert d.tools == ("Adobe Firefly", "Topaz Video AI")
    assert (d.involvement, d.use_case, d.prominence) == (
        Involvement.GENERATED,
        UseCase.BACKGROUND,
        Prominence.INCIDENTAL,
    )
    assert (d.talent_likeness, d.third_party_ip, d.proprietary_inputs) == (
        Answer.NO,
        Answer.NO,
        Answer.UNSURE,
    )
    assert d.consent_reference is None and d.declared_by == "Jane Roe, NFX VFX"
    assert d.sources == (str(path),)


def test_absent_answers_are_unsure_and_tool_may_be_a_string() -> None:
    d = declaration_from_mapping({"tool": "Midjourney"}, source="d.toml")
    assert d.tools == ("Midjourney",) and d.declares_genai
    assert d.talent_likeness is Answer.UNSURE and d.prominence is Prominence.UNSURE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"talent_likeness": "maybe"},
            "d.genai.toml: talent_likeness: 'maybe' is not one of yes, no, unsure",
        ),
        ({"talent_likness": "no"}, "d.genai.toml: talent_likness: unknown key"),
        (
            {"involvement": "possible"},
            "d.genai.toml: involvement: 'possible' is not one of generated, edited, composite, none",
        ),
        ({"prominence": "huge"}, "d.genai.toml: prominence: 'huge' is not one of incidental"),
        ({"use_case": "moodboard"}, "d.genai.toml: use_case: 'moodboard' is not one of ideation"),
        ({"tool": 3}, "d.genai.toml: tool: expected an array of strings, got an integer"),
        ({"notes": ["a"]}, "d.genai.toml: notes: expected a string, got an array"),
    ],
)
def test_declaration_errors_name_file_and_field(data: dict[str, Any], message: str) -> None:
    with raises(message):
        declaration_from_mapping(data, source="d.genai.toml")


def test_folder_and_asset_declarations_merge_nearest_wins(tmp_path: Path) -> None:
    shot = tmp_path / "show" / "wip" / "sc14"
    shot.mkdir(parents=True)
    asset = shot / "sign_v002.png"
    (tmp_path / "show" / FOLDER_DECLARATION).write_text(
        'tool = "Midjourney"\ntalent_likeness = "no"\nnotes = "show-wide"\n', encoding="utf-8"
    )
    (shot / FOLDER_DECLARATION).write_text('tool = "Adobe Firefly"\n', encoding="utf-8")
    (shot / "sign_v002.png.genai.toml").write_text('use_case = "background"\n', encoding="utf-8")
    d = declaration_for(asset, root=tmp_path / "show")
    assert d is not None
    assert (d.tools, d.talent_likeness, d.use_case, d.notes) == (
        ("Adobe Firefly",),
        Answer.NO,
        UseCase.BACKGROUND,
        "show-wide",
    )
    assert d.sources == tuple(
        str(p)
        for p in (
            tmp_path / "show" / FOLDER_DECLARATION,
            shot / FOLDER_DECLARATION,
            shot / "sign_v002.png.genai.toml",
        )
    )
    other = shot / "other.png"
    assert declaration_for(other, root=shot).tools == ("Adobe Firefly",)  # root cuts the show file


def test_no_declaration_files_means_none(tmp_path: Path) -> None:
    assert declaration_for(tmp_path / "a.exr", root=tmp_path) is None


def test_malformed_folder_declaration_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / FOLDER_DECLARATION).write_text('personal_data = "perhaps"\n', encoding="utf-8")
    with raises(f"{tmp_path / FOLDER_DECLARATION}: personal_data: 'perhaps' is not one of"):
        declaration_for(tmp_path / "a.exr", root=tmp_path)


def test_declaration_to_toml_round_trips(tmp_path: Path) -> None:
    original = Declaration(
        tools=("Runway",),
        use_case=UseCase.VFX,
        talent_likeness=Answer.YES,
        consent_reference='SAG "2025" #7',
        notes="line one\nline two",
    )
    path = tmp_path / "x.genai.toml"
    path.write_text(declaration_to_toml(original), encoding="utf-8")
    assert parse_declaration(path) == Declaration(**{**original.__dict__, "sources": (str(path),)})
    text = declaration_to_toml(CLEAR)
    assert 'tool = ["Adobe Firefly"]' in text and "sources" not in text


def test_declaration_files_are_recognized() -> None:
    assert is_declaration_file(Path("a/genai-declaration.toml"))
    assert is_declaration_file(Path("a/plate.exr.genai.toml"))
    assert not is_declaration_file(Path("a/plate.exr"))
