"""Issue 7: the software names a file's credentials and unsigned metadata give, with their
strength: real signed files (sample_assets, the corpus), recorded-shape stores, hostile input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provenance.analyze import Analyzer, analyze_file
from provenance.model import Strength, ToolName, UnsignedMetadata
from provenance.tool_names import MAX_NAME_CHARS, MAX_TOOL_NAMES, tool_names

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_assets"
CORPUS = ROOT.parent / "shared" / "corpus"
V, BAD, U = Strength.SIGNED_VALID, Strength.SIGNED_INVALID, Strength.UNSIGNED
NO_HINTS = UnsignedMetadata()


def _names(path: Path) -> set[tuple[str, str, Strength]]:
    report = analyze_file(path, analyzer=Analyzer())
    return {(t.name, t.source, t.strength) for t in report.tool_names}


def test_every_name_of_a_real_three_manifest_store() -> None:
    names = _names(SAMPLES / "comp/AGM_104_065_010_comp_NFX_v001.jpg")
    assert names == {
        ("prov-sample-assets", "c2pa.claim_generator_info", V),
        ("Nuke", "c2pa.softwareAgent", V),  # the comp's own action
        ("ARRI ALEXA 35", "c2pa.softwareAgent", V),  # the plate ingredient's manifest
        ("Adobe Firefly", "c2pa.softwareAgent", V),  # the generated element's manifest
    }


def test_names_in_tampered_credentials_are_signed_but_invalid() -> None:
    names = _names(SAMPLES / "tampered/building_collapse_element_tampered.jpg")
    assert ("Adobe Firefly", "c2pa.softwareAgent", BAD) in names
    assert {strength for _n, _s, strength in names} == {BAD}


def test_a_file_without_credentials_names_nothing_signed() -> None:
    assert {s for _n, _src, s in _names(SAMPLES / "camera/plate_A001_C003.jpg")} <= {U}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_real_photoshop_store_v1_claim_generator_and_v2_agent() -> None:
    names = _names(CORPUS / "c2pa-rs/sdk/tests/fixtures/ocsp.jpg")
    assert ("Adobe Photoshop", "c2pa.claim_generator_info", V) in names
    assert ("Adobe Firefly", "c2pa.softwareAgent", V) in names
    assert any(src == "c2pa.claim_generator" and "Adobe_Photoshop" in n for n, src, _ in names)


def _store(manifests: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"active_manifest": list(manifests)[-1], "manifests": manifests, **extra}


def _actions(*agents: Any) -> list[dict[str, Any]]:
    actions = [{"action": "c2pa.edited", "softwareAgent": agent} for agent in agents]
    return [{"label": "c2pa.actions", "data": {"actions": actions}}]


def test_v1_strings_v2_objects_and_claim_generator_info_shapes() -> None:
    store = _store(
        {
            "m1": {
                "claim_generator": "Acme_GenStudio/1.0 c2pa-rs/0.40",
                "assertions": _actions("Acme GenStudio 1.0", {"name": "Nuke", "version": "15"}),
            },
            "m2": {
                "claim_generator_info": {"name": "Studio Tool", "version": "2"},  # v2: an object
                "assertions": _actions({"version": "no name"}, 42, None, ""),
                "ingredients": [{"relationship": "parentOf", "active_manifest": "m1"}],
            },
        }
    )
    assert tool_names(store, "Trusted", NO_HINTS) == (
        ToolName("Studio Tool", "c2pa.claim_generator_info", V),
        ToolName("Acme_GenStudio/1.0 c2pa-rs/0.40", "c2pa.claim_generator", V),
        ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", V),
        ToolName("Nuke", "c2pa.softwareAgent", V),
    )


def test_names_of_a_failed_ingredient_manifest_are_not_signed_and_valid() -> None:
    failure = {"code": "claimSignature.mismatch", "url": "self#jumbf=/c2pa/m1/c2pa.signature"}
    store = _store(
        {
            "m1": {"assertions": _actions("Acme GenStudio 1.0")},
            "m2": {
                "assertions": _actions("Nuke"),
                "ingredients": [{"relationship": "componentOf", "active_manifest": "m1"}],
            },
        },
        validation_status=[failure],
    )
    assert set(tool_names(store, "Valid", NO_HINTS)) == {
        ToolName("Nuke", "c2pa.softwareAgent", V),
        ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", BAD),
    }
    assert {t.strength for t in tool_names(store, "Invalid", NO_HINTS)} == {BAD}


def test_unsigned_names_follow_the_credentials() -> None:
    hints = UnsignedMetadata(
        software=(("xmp.CreatorTool", "Acme GenStudio 1.0"), ("png.Software", "GIMP"))
    )
    store = _store({"m1": {"assertions": _actions("Nuke")}})
    assert tool_names(store, "Valid", hints) == (
        ToolName("Nuke", "c2pa.softwareAgent", V),
        ToolName("Acme GenStudio 1.0", "xmp.CreatorTool", U),
        ToolName("GIMP", "png.Software", U),
    )
    assert tool_names(None, None, hints)[0].strength is U


def test_names_are_bounded() -> None:
    agents = [f"tool {i}" for i in range(5 * MAX_TOOL_NAMES)] + ["x" * 10_000]
    names = tool_names(_store({"m": {"assertions": _actions(*agents)}}), "Valid", NO_HINTS)
    assert len(names) == MAX_TOOL_NAMES
    long = tool_names(_store({"m": {"assertions": _actions("x" * 10_000)}}), "Valid", NO_HINTS)
    assert len(long[0].name) == MAX_NAME_CHARS


@pytest.mark.parametrize(
    "hostile",
    [{}, {"manifests": 5}, {"manifests": {"a": None}}, {"manifests": {"a": {"assertions": 3}}}],
)
def test_hostile_stores_name_nothing_and_never_raise(hostile: dict[str, Any]) -> None:
    assert tool_names(hostile, "Valid", NO_HINTS) == ()
