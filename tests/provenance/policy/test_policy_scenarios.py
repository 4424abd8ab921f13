"""The five acceptance scenarios of issue 4, at the domain level (no files, no database)."""

from __future__ import annotations

from policy_builders import (
    CLEAR,
    DOCUMENTARY,
    POLICY,
    SCRIPTED,
    SWITCHED_POLICY,
    TOOLS,
    assessment,
    clear,
    dst,
    generator,
)

from provenance.model import AiAssessment, Evidence, Involvement, Strength
from provenance.policy import (
    Answer,
    Classification,
    Declaration,
    Outcome,
    Policy,
    ProductionConfig,
    Prominence,
    UseCase,
    classify,
)


def classify_at(
    path: str,
    ai: AiAssessment,
    production: ProductionConfig,
    declaration: Declaration | None = None,
    policy: Policy = POLICY,
) -> Classification:
    """As the scanner will call it: the folder role comes from the production config."""
    return classify(
        ai,
        role=production.role_for(path),
        production=production,
        declaration=declaration,
        tools=TOOLS,
        policy=policy,
    )


def test_1_documentary_archival_stills_edited_with_genai_in_final() -> None:
    # The What Jennifer Did case: AI-altered archival photos shown as authentic.
    edited = AiAssessment(
        Involvement.EDITED,
        (
            Evidence(
                "c2pa.digitalSourceType",
                "active/c2pa.actions.v2[1]",
                "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
                Strength.SIGNED_VALID,
                Involvement.EDITED,
            ),
        ),
    )
    result = classify_at("/mnt/wjd/final/archival/still_014.jpg", edited, DOCUMENTARY)
    assert result.outcome is Outcome.APPROVAL_REQUIRED
    assert {"AA-FINAL", "AA-MISLEADING"} <= set(result.rule_ids)
    assert "compositeWithTrainedAlgorithmicMedia" in " ".join(
        result.fired_rule("AA-MISLEADING").evidence
    )
    assert (result.policy_id, result.policy_version) == (POLICY.id, POLICY.version)


def test_2_scripted_generated_building_collapse_in_final_vfx_shot() -> None:
    # The Eternaut case: the first genAI final footage in a Netflix original.
    ai = assessment(
        dst("trainedAlgorithmicMedia", Involvement.GENERATED), generator("Runway Gen-3")
    )
    path = "final/vfx/ETN_106_045_010_comp_NFX_v003/ETN_106_045_010.1001.exr"
    result = classify_at(path, ai, SCRIPTED)
    assert result.outcome is Outcome.APPROVAL_REQUIRED
    assert "AA-FINAL" in result.rule_ids
    assert "AA-MISLEADING" not in result.rule_ids  # fiction, not presented as real


def test_3_ideation_moodboard_with_enterprise_tool_and_clear_declaration() -> None:
    ai = assessment(
        dst("trainedAlgorithmicMedia", Involvement.GENERATED), generator("Adobe Firefly")
    )
    declaration = clear(use_case=UseCase.IDEATION)
    result = classify_at("show/ideation/moodboards/ep1_board_03.png", ai, SCRIPTED, declaration)
    assert result.outcome is Outcome.SOCIALIZE
    assert not any(r.rule_id.startswith("GP-") for r in result.fired)
    assert set(result.rule_ids) == {"PV-GENAI", "UC-IDEATION"}


def test_4_incidental_background_signage_in_wip_with_unregistered_tool() -> None:
    ai = assessment(dst("trainedAlgorithmicMedia", Involvement.GENERATED))
    declaration = clear(
        tools=("SignSmith AI",),
        use_case=UseCase.BACKGROUND,
        prominence=Prominence.INCIDENTAL,
        story_relevant=Answer.NO,
    )
    result = classify_at("wip/ep2/sc14/signage_v002.png", ai, SCRIPTED, declaration)
    assert result.outcome is Outcome.ESCALATE
    for principle in ("GP-2", "GP-3"):
        fired = result.fired_rule(principle)
        assert fired is not None and fired.answer is Answer.UNSURE
        assert "SignSmith AI" in fired.reason
    assert "UC-BACKGROUND-INCIDENTAL" in result.rule_ids
    assert not any(r.outcome is Outcome.APPROVAL_REQUIRED for r in result.fired)


def test_5a_camera_plate_with_valid_credentials_and_no_ai() -> None:
    plate = assessment(dst("digitalCapture", Involvement.NONE))
    result = classify_at("final/plates/ATBP_0A1_010_FG01_v001.01000.exr", plate, SCRIPTED)
    assert (result.outcome, result.fired, result.unverified) == (Outcome.NONE, (), False)


def test_5b_unsigned_file_in_final_is_unverified_but_not_escalated() -> None:
    result = classify_at("final/plates/unsigned.mov", AiAssessment(Involvement.UNKNOWN), SCRIPTED)
    assert result.outcome is Outcome.NONE
    assert result.unverified and result.involvement is Involvement.UNKNOWN
    assert result.rule_ids == ("PV-UNVERIFIED",)


def test_5c_unsigned_file_in_final_escalates_when_the_switch_is_on() -> None:
    unsigned = AiAssessment(Involvement.UNKNOWN)
    result = classify_at("final/plates/unsigned.mov", unsigned, SCRIPTED, policy=SWITCHED_POLICY)
    assert result.outcome is Outcome.ESCALATE
    assert result.unverified
    assert set(result.rule_ids) == {"PV-UNVERIFIED", "PV-UNVERIFIED-FINAL"}
    # Outside final folders the switch changes nothing.
    elsewhere = classify_at("wip/unsigned.mov", unsigned, SCRIPTED, policy=SWITCHED_POLICY)
    assert elsewhere.outcome is Outcome.NONE


def test_declaration_alone_brings_an_unsigned_file_under_the_policy() -> None:
    result = classify_at("final/comp/shot.exr", AiAssessment(Involvement.UNKNOWN), SCRIPTED, CLEAR)
    assert result.outcome is Outcome.APPROVAL_REQUIRED
    assert result.unverified and result.involvement is Involvement.GENERATED
