"""Table-driven tests per rule id: each case changes one fact of a safe baseline."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_builders import (
    CLEAR,
    DOCUMENTARY,
    EDITED,
    GENERATED,
    INGREDIENT_FAILED,
    NO_AI,
    NO_CREDS,
    POLICY,
    POSSIBLE,
    PRERELEASE,
    REMOTE_FETCHED,
    REMOTE_ONLY,
    SIDECAR_INVALID,
    SWITCHED_POLICY,
    TAMPERED,
    TOOLS,
    UNREADABLE,
    UNSCRIPTED,
    UNSIGNED_FILE,
    VALID_BUT_MISMATCH,
    VALID_CREDS,
    assessment,
    clear,
    dst,
    generator,
    run,
)

from provenance.model import Evidence, Involvement, Strength
from provenance.policy import (
    IMPLEMENTED_RULE_IDS,
    Answer,
    FolderRole,
    Outcome,
    Prominence,
    Tool,
    ToolRegistry,
    UseCase,
    classify,
)
from provenance.policy import rules as rules_module
from provenance.policy.facts import identify_tools

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE
F = FolderRole

# (rule id, changes to the baseline, the answer recorded for principles)
FIRES: list[Any] = [
    ("PV-GENAI", {}, None),
    ("PV-GENAI", {"ai": NO_AI}, None),  # the declaration alone says genAI was used
    ("PV-POSSIBLE", {"ai": POSSIBLE, "declaration": None}, U),
    ("PV-POSSIBLE", {"ai": POSSIBLE, "declaration": clear(involvement=Involvement.NONE)}, U),
    ("PV-UNVERIFIED", {"ai": UNSIGNED_FILE, "declaration": None}, None),
    (
        "PV-UNVERIFIED-FINAL",
        {"ai": UNSIGNED_FILE, "declaration": None, "role": F.FINAL, "policy": SWITCHED_POLICY},
        None,
    ),
    # issue 7: credentials that fail cannot certify anything, genAI or not
    ("PV-INVALID", {"ai": NO_AI, "declaration": None, "credentials": TAMPERED}, None),
    ("PV-INVALID", {"ai": NO_AI, "declaration": None, "credentials": VALID_BUT_MISMATCH}, None),
    ("PV-INVALID", {"ai": NO_AI, "declaration": None, "credentials": INGREDIENT_FAILED}, None),
    ("PV-INVALID", {"ai": NO_AI, "declaration": None, "credentials": SIDECAR_INVALID}, None),
    ("PV-INVALID", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": PRERELEASE}, None),
    ("PV-INVALID", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": UNREADABLE}, None),
    ("PV-INVALID", {"credentials": TAMPERED}, None),  # genAI in invalid credentials too
    (
        "PV-INVALID-FINAL",
        {"ai": NO_AI, "declaration": None, "credentials": TAMPERED, "role": F.FINAL},
        None,
    ),
    (
        "PV-INVALID-FINAL",
        {"ai": UNSIGNED_FILE, "declaration": None, "credentials": PRERELEASE, "role": F.FINAL},
        None,
    ),
    ("PV-REMOTE", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": REMOTE_ONLY}, None),
    ("GP-1", {"declaration": None}, U),
    ("GP-1", {"declaration": clear(third_party_ip=U)}, U),
    ("GP-1", {"declaration": clear(references_real_people_or_works=Y)}, N),
    ("GP-2", {"declaration": clear(tools=("SignMaker AI",))}, U),
    ("GP-2", {"declaration": clear(tools=("Midjourney",))}, U),  # trains on inputs: unknown
    ("GP-2", {"declaration": clear(tools=())}, U),  # no tool named anywhere
    ("GP-2", {"declaration": clear(tools=("Adobe Firefly", "Runway"))}, U),  # every step counts
    ("GP-3", {"declaration": clear(tools=("Midjourney",))}, N),
    ("GP-3", {"declaration": clear(tools=("Sora",))}, U),
    ("GP-3", {"declaration": clear(tools=())}, U),
    ("GP-3", {"ai": assessment(generator("Image Creator from Designer"))}, N),
    ("GP-4", {"role": F.FINAL}, N),
    ("GP-4", {"role": F.WIP}, U),
    ("GP-4", {"role": None}, U),
    ("GP-5", {"declaration": None}, U),
    ("GP-5", {"declaration": clear(talent_likeness=Y)}, N),
    ("GP-5", {"declaration": clear(union_covered=U, consent_reference="SAG-2025-7")}, U),
    ("AA-FINAL", {"role": F.FINAL}, None),
    ("AA-FINAL", {"role": F.FINAL, "ai": NO_AI}, None),  # declared genAI counts too
    ("AA-MISLEADING", {"production": DOCUMENTARY, "role": F.WIP, "ai": EDITED}, None),
    ("AA-MISLEADING", {"production": DOCUMENTARY, "role": None}, None),
    ("AA-MISLEADING", {"production": UNSCRIPTED, "role": F.FINAL}, None),
    # issue 7: asked in every production, in any folder, when the declaration says so
    ("AA-MISLEADING", {"declaration": clear(presented_as_real=Y)}, None),
    ("AA-MISLEADING", {"declaration": clear(presented_as_real=Y), "role": F.FINAL}, None),
    (
        "AA-MISLEADING",
        {"production": DOCUMENTARY, "role": F.WIP, "declaration": clear(presented_as_real=N)},
        None,
    ),
    ("AA-TALENT", {"declaration": clear(talent_likeness=Y)}, None),
    ("AA-PERSONAL", {"declaration": clear(personal_data=Y)}, None),
    ("AA-3PIP", {"declaration": clear(third_party_ip=Y)}, None),
    ("AA-DATA", {"declaration": clear(proprietary_inputs=Y)}, None),
    ("AA-DATA", {"declaration": clear(unowned_training_data=Y)}, None),
    ("AA-KEYCREATIVE", {"declaration": clear(key_creative=Y)}, None),
    ("AA-KEYCREATIVE", {"declaration": clear(use_case=UseCase.KEY_CREATIVE)}, None),
    ("AA-REFS", {"declaration": clear(references_real_people_or_works=Y)}, None),
    ("AA-REPLICA", {"declaration": clear(digital_replica=Y)}, None),
    ("AA-REPLICA", {"declaration": clear(use_case=UseCase.TALENT_REPLICATION)}, None),
    ("AA-PERFORMANCE", {"declaration": clear(performance_alteration=Y)}, None),
    ("AA-UNION", {"declaration": clear(union_covered=Y)}, None),
    ("UC-IDEATION", {}, None),
    ("UC-IDEATION", {"role": F.WIP, "declaration": clear(use_case=UseCase.IDEATION)}, None),
    (
        "UC-BACKGROUND-INCIDENTAL",
        {"declaration": clear(use_case=UseCase.BACKGROUND, prominence=Prominence.INCIDENTAL)},
        None,
    ),
    (
        "UC-BACKGROUND-PROMINENT",
        {"declaration": clear(use_case=UseCase.BACKGROUND, prominence=Prominence.PROMINENT)},
        None,
    ),
    (
        "UC-BACKGROUND-PROMINENT",
        {
            "declaration": clear(
                use_case=UseCase.BACKGROUND, prominence=Prominence.INCIDENTAL, story_relevant=U
            )
        },
        None,
    ),
    (
        "UC-BACKGROUND-PROMINENT",
        {"declaration": clear(use_case=UseCase.BACKGROUND, prominence=Prominence.UNSURE)},
        None,
    ),
    ("UC-KEY-CREATIVE", {"declaration": clear(key_creative=Y)}, None),
    ("UC-TALENT-REPLICATION", {"declaration": clear(digital_replica=Y)}, None),
    ("UC-TRAINING", {"declaration": clear(unowned_training_data=Y)}, None),
    (
        "UC-TRAINING",
        {"declaration": clear(use_case=UseCase.TRAINING, unowned_training_data=U)},
        None,
    ),
    ("UC-PROPRIETARY", {"declaration": clear(proprietary_inputs=Y, tools=("Midjourney",))}, None),
    ("UC-PROPRIETARY", {"declaration": clear(proprietary_inputs=Y, tools=())}, None),
    ("DC-UNANSWERED", {"declaration": None}, U),
    ("DC-UNANSWERED", {"declaration": clear(personal_data=U)}, U),
    ("DC-CONFLICT", {"declaration": clear(involvement=Involvement.NONE)}, None),
]

# (rule id, changes to the baseline): the rule must stay silent
SILENT: list[Any] = [
    ("PV-GENAI", {"ai": NO_AI, "declaration": None}),
    ("PV-GENAI", {"ai": NO_AI, "declaration": clear(involvement=Involvement.NONE)}),
    ("PV-POSSIBLE", {"ai": POSSIBLE}),  # the declaration resolves it: genAI was used
    ("PV-UNVERIFIED", {"ai": NO_AI, "declaration": None}),
    ("PV-UNVERIFIED-FINAL", {"ai": UNSIGNED_FILE, "declaration": None, "role": F.FINAL}),
    (
        "PV-UNVERIFIED-FINAL",
        {"ai": UNSIGNED_FILE, "declaration": None, "role": F.WIP, "policy": SWITCHED_POLICY},
    ),
    ("PV-INVALID", {"ai": NO_AI, "declaration": None}),  # nothing known about the reading
    ("PV-INVALID", {"ai": NO_AI, "declaration": None, "credentials": VALID_CREDS}),
    ("PV-INVALID", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": NO_CREDS}),
    ("PV-INVALID", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": REMOTE_ONLY}),
    (
        "PV-INVALID-FINAL",
        {"ai": NO_AI, "declaration": None, "credentials": TAMPERED, "role": F.WIP},
    ),
    (
        "PV-INVALID-FINAL",
        {"ai": NO_AI, "declaration": None, "credentials": VALID_CREDS, "role": F.FINAL},
    ),
    ("PV-REMOTE", {"ai": NO_AI, "declaration": None, "credentials": REMOTE_FETCHED}),
    ("PV-REMOTE", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": NO_CREDS}),
    # PV-INVALID / PV-REMOTE say what the credentials are; "no credentials" would be false
    ("PV-UNVERIFIED", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": PRERELEASE}),
    ("PV-UNVERIFIED", {"ai": UNSIGNED_FILE, "declaration": None, "credentials": REMOTE_ONLY}),
    ("GP-1", {}),
    ("GP-2", {}),
    ("GP-2", {"declaration": clear(tools=()), "ai": assessment(generator("Adobe Firefly"))}),
    # principles are only asked when genAI is involved
    (
        "GP-2",
        {"ai": NO_AI, "declaration": clear(involvement=Involvement.NONE, tools=("Midjourney",))},
    ),
    ("GP-3", {"declaration": clear(tools=("Amazon Titan Image Generator",))}),
    ("GP-4", {"role": F.TEMP}),
    ("GP-5", {"declaration": clear(talent_likeness=Y, consent_reference="CONSENT-42")}),
    ("GP-5", {}),
    ("AA-FINAL", {"role": F.WIP}),
    ("AA-FINAL", {"role": F.FINAL, "ai": NO_AI, "declaration": None}),
    ("AA-FINAL", {"role": F.FINAL, "ai": POSSIBLE, "declaration": None}),
    ("AA-MISLEADING", {"role": F.FINAL}),  # scripted
    ("AA-MISLEADING", {"role": F.FINAL, "declaration": clear(presented_as_real=N)}),
    (
        "AA-MISLEADING",
        {"ai": NO_AI, "declaration": clear(presented_as_real=Y, involvement=Involvement.NONE)},
    ),
    ("AA-MISLEADING", {"production": DOCUMENTARY, "role": F.IDEATION}),
    (
        "AA-MISLEADING",
        {"production": DOCUMENTARY, "role": F.FINAL, "ai": NO_AI, "declaration": None},
    ),
    ("AA-TALENT", {"declaration": clear(talent_likeness=U)}),
    ("AA-DATA", {"declaration": None}),
    ("UC-IDEATION", {"role": F.WIP}),
    (
        "UC-BACKGROUND-INCIDENTAL",
        {"declaration": clear(use_case=UseCase.BACKGROUND, prominence=Prominence.PROMINENT)},
    ),
    (
        "UC-BACKGROUND-PROMINENT",
        {"declaration": clear(use_case=UseCase.BACKGROUND, prominence=Prominence.INCIDENTAL)},
    ),
    ("UC-TRAINING", {"declaration": clear(use_case=UseCase.TRAINING)}),  # owned data
    ("UC-PROPRIETARY", {"declaration": clear(proprietary_inputs=Y)}),  # enterprise tool
    ("DC-UNANSWERED", {}),
    ("DC-UNANSWERED", {"declaration": clear(presented_as_real=U)}),  # not one of its questions
    ("DC-CONFLICT", {"declaration": clear(involvement=Involvement.NONE), "ai": NO_AI}),
]


def _case_id(case: Any) -> str:
    return f"{case[0]}-{FIRES.index(case) if case in FIRES else SILENT.index(case)}"


@pytest.mark.parametrize("case", FIRES, ids=_case_id)
def test_rule_fires(case: Any) -> None:
    rule_id, changes, answer = case
    result = run(**changes)
    fired = result.fired_rule(rule_id)
    assert fired is not None, f"{rule_id} did not fire; fired: {result.rule_ids}"
    policy = changes.get("policy", POLICY)
    assert fired.outcome is policy.rule(rule_id).outcome
    assert fired.answer is answer
    assert fired.reason and fired.evidence or rule_id == "PV-UNVERIFIED"
    assert result.outcome >= fired.outcome


@pytest.mark.parametrize("case", SILENT, ids=_case_id)
def test_rule_stays_silent(case: Any) -> None:
    rule_id, changes = case
    assert rule_id not in run(**changes).rule_ids


def test_every_implemented_rule_has_a_firing_case() -> None:
    assert {case[0] for case in FIRES} == IMPLEMENTED_RULE_IDS


def test_safe_baseline_only_socializes() -> None:
    result = run()
    assert result.outcome is Outcome.SOCIALIZE
    assert result.rule_ids == ("PV-GENAI", "UC-IDEATION")


def test_no_genai_and_no_declaration_fires_nothing() -> None:
    result = run(NO_AI, declaration=None, role=FolderRole.FINAL)
    assert (result.outcome, result.fired, result.unverified) == (Outcome.NONE, (), False)


def test_principle_reasons_say_no_or_unsure() -> None:
    result = run(role=FolderRole.FINAL, declaration=clear(tools=("Sora",)))
    assert result.fired_rule("GP-4").reason.startswith("no: ")
    assert result.fired_rule("GP-3").reason.startswith("unsure: ")


def test_unregistered_generator_in_evidence_is_unsure() -> None:
    ai = assessment(
        dst("trainedAlgorithmicMedia", Involvement.GENERATED), generator("NewGen Studio 3")
    )
    gp2 = run(ai).fired_rule("GP-2")
    assert gp2 is not None and "'NewGen Studio 3' is not in the tool registry" in gp2.reason


def test_tool_that_trains_on_inputs_answers_no() -> None:
    registry = ToolRegistry((Tool("Leaky", ("leaky",), True, True),))
    result = classify(
        GENERATED,
        role=FolderRole.IDEATION,
        production=DOCUMENTARY,
        declaration=clear(tools=("Leaky v2",)),
        tools=registry,
        policy=POLICY,
    )
    assert result.fired_rule("GP-2").answer is Answer.NO


def test_disabled_rule_never_fires() -> None:
    rules = tuple(replace(r, enabled=False) if r.id == "AA-FINAL" else r for r in POLICY.rules)
    result = run(role=FolderRole.FINAL, policy=replace(POLICY, rules=rules))
    assert "AA-FINAL" not in result.rule_ids
    assert result.outcome is Outcome.ESCALATE  # GP-4 still says no


def test_studio_policy_outcomes_are_data() -> None:
    rules = tuple(
        replace(r, outcome=Outcome.ESCALATE) if r.id == "UC-IDEATION" else r for r in POLICY.rules
    )
    assert run(policy=replace(POLICY, rules=rules)).outcome is Outcome.ESCALATE


def test_a_broken_rule_escalates_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(facts: object) -> None:
        raise RuntimeError("bug")

    broken = rules_module.Registered(boom, needs_genai=True)
    monkeypatch.setitem(rules_module.CHECKS, "UC-IDEATION", broken)
    result = run()
    assert result.outcome is Outcome.ESCALATE
    assert "could not be evaluated" in result.fired_rule("UC-IDEATION").reason


def test_classification_records_policy_and_serializes() -> None:
    data = run(role=FolderRole.FINAL).to_dict()
    assert data["policy"] == {"id": POLICY.id, "version": POLICY.version}
    assert data["outcome"] == "approval-required"
    assert {r["id"] for r in data["rules"]} >= {"AA-FINAL", "GP-4"}
    assert CLEAR.sources[0] in " ".join(e for r in data["rules"] for e in r["evidence"])


def test_identifying_a_safe_tool_answers_gp2_and_gp3() -> None:
    # The one way evidence may lower an outcome, by design: with no tool named anywhere GP-2 and
    # GP-3 are unsure; a generator name from the credentials answers them.
    no_tool = clear(tools=())
    assert run(GENERATED, declaration=no_tool).outcome is Outcome.ESCALATE
    named = assessment(*GENERATED.evidence, generator("Adobe Firefly"))
    assert run(named, declaration=no_tool).outcome is Outcome.SOCIALIZE


@pytest.mark.parametrize(
    ("item", "tool"),
    [
        (generator("Adobe_Firefly 0.1"), "Adobe Firefly"),  # claim generators use underscores
        (generator("Image_Creator_from_Designer"), "Microsoft Designer / Bing Image Creator"),
        (
            Evidence(
                "png.comfyui",
                "png:prompt",
                '{"3": {"class_type": "KSampler"}}',
                Strength.UNSIGNED,
                Involvement.GENERATED,
            ),
            "Stable Diffusion",
        ),
    ],
)
def test_tools_are_identified_as_the_detector_reports_them(item: Evidence, tool: str) -> None:
    found = identify_tools(assessment(item), None, TOOLS)
    assert [f.name for f in found] == [tool]


def test_generator_names_in_non_ai_evidence_are_not_genai_tools() -> None:
    camera = Evidence(
        "c2pa.generator",
        "active/claim_generator",
        "Leica M11-P",
        Strength.SIGNED_VALID,
        Involvement.NONE,
    )
    assert identify_tools(assessment(camera), None, TOOLS) == ()


@pytest.mark.parametrize("strength", [Strength.SIGNED_INVALID, Strength.UNSIGNED])
def test_a_tool_named_by_broken_or_unsigned_metadata_cannot_clear_gp2_gp3(
    strength: Strength,
) -> None:
    weak = Evidence("c2pa.generator", "m", "Adobe Firefly", strength, Involvement.GENERATED)
    for ai in (assessment(weak), assessment(generator("Adobe Firefly"), weak)):
        result = run(ai, declaration=clear(tools=()))
        for rule_id in ("GP-2", "GP-3"):
            fired = result.fired_rule(rule_id)
            assert fired is not None and fired.answer is Answer.UNSURE
            assert "unsigned or failed validation" in fired.reason


def test_a_bad_tool_named_by_unsigned_metadata_still_counts() -> None:
    weak = Evidence(
        "xmp.CreatorTool", "xmp", "Midjourney", Strength.UNSIGNED, Involvement.GENERATED
    )
    assert run(assessment(weak)).fired_rule("GP-3").answer is Answer.NO
