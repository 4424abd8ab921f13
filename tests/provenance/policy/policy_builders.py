"""Builders for policy tests: hand-made AI assessments, declarations and productions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from provenance.model import INVOLVEMENT_RANK, AiAssessment, Evidence, Involvement, Strength
from provenance.policy import (
    Answer,
    Classification,
    Declaration,
    FolderRole,
    Policy,
    ProductionConfig,
    ProductionKind,
    Switches,
    classify,
    load_policy,
    load_tool_registry,
)

POLICY = load_policy()
TOOLS = load_tool_registry()
SWITCHED_POLICY = replace(POLICY, switches=Switches(escalate_unverified_in_final=True))

DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
FOLDERS = (
    ("ideation/", FolderRole.IDEATION),
    ("temp/**", FolderRole.TEMP),
    ("wip/**", FolderRole.WIP),
    ("final/**", FolderRole.FINAL),
)
SCRIPTED = ProductionConfig("The Eternaut", ProductionKind.SCRIPTED, FOLDERS)
DOCUMENTARY = ProductionConfig("What Jennifer Did", ProductionKind.DOCUMENTARY, FOLDERS)
UNSCRIPTED = ProductionConfig("Reality Show", ProductionKind.UNSCRIPTED, FOLDERS)

ANSWER_FIELDS = (
    "story_relevant",
    "talent_likeness",
    "personal_data",
    "third_party_ip",
    "proprietary_inputs",
    "digital_replica",
    "performance_alteration",
    "union_covered",
    "references_real_people_or_works",
    "key_creative",
    "unowned_training_data",
)


def dst(term: str, implies: Involvement, strength: Strength = Strength.SIGNED_VALID) -> Evidence:
    return Evidence(
        "c2pa.digitalSourceType", "active/c2pa.actions[0]", DST + term, strength, implies
    )


def generator(name: str, implies: Involvement = Involvement.GENERATED) -> Evidence:
    return Evidence(
        "c2pa.generator", "active/claim_generator", name, Strength.SIGNED_VALID, implies
    )


def assessment(*evidence: Evidence, involvement: Involvement | None = None) -> AiAssessment:
    """Involvement defaults to the most severe the evidence implies (UNKNOWN without any)."""
    implied = [e.implies for e in evidence] or [Involvement.UNKNOWN]
    return AiAssessment(involvement or max(implied, key=INVOLVEMENT_RANK.__getitem__), evidence)


GENERATED = assessment(dst("trainedAlgorithmicMedia", Involvement.GENERATED))
EDITED = assessment(dst("compositeWithTrainedAlgorithmicMedia", Involvement.EDITED))
POSSIBLE = assessment(dst("virtualRecording", Involvement.POSSIBLE))
NO_AI = assessment(dst("digitalCapture", Involvement.NONE))
UNSIGNED_FILE = AiAssessment(Involvement.UNKNOWN)

# Every question answered on the safe side, with an enterprise tool that does not train.
CLEAR = Declaration(
    tools=("Adobe Firefly",),
    involvement=Involvement.GENERATED,
    **{name: Answer.NO for name in ANSWER_FIELDS},
    sources=("clear.genai.toml",),
)


def clear(**changes: Any) -> Declaration:
    return replace(CLEAR, **changes)


def run(
    ai: AiAssessment = GENERATED,
    *,
    role: FolderRole | None = FolderRole.IDEATION,
    production: ProductionConfig = SCRIPTED,
    declaration: Declaration | None = CLEAR,
    policy: Policy = POLICY,
) -> Classification:
    """classify() with a safe baseline: generated, ideation folder, scripted, all-clear."""
    return classify(
        ai, role=role, production=production, declaration=declaration, tools=TOOLS, policy=policy
    )
