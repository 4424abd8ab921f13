"""Builders for policy tests: hand-made AI assessments, declarations and productions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from provenance.model import (
    INVOLVEMENT_RANK,
    AiAssessment,
    CredentialLocation,
    Evidence,
    FileStatus,
    Involvement,
    Strength,
    ToolName,
    ValidationState,
)
from provenance.policy import (
    Answer,
    Classification,
    CredentialFacts,
    CredentialReading,
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


# --- credential readings (issue 7) ------------------------------------------------------------

UNTRUSTED = "signingCredential.untrusted"
EMBEDDED = CredentialLocation.EMBEDDED
REMOTE_URL = "https://cai-manifests.adobe.com/manifests/adobe-urn-uuid-5f37e182"


def reading(
    state: ValidationState | None = ValidationState.VALID,
    *codes: str,
    location: CredentialLocation = EMBEDDED,
) -> CredentialReading:
    return CredentialReading(True, location, state, (UNTRUSTED, *codes), manifest_read=True)


def creds(
    *readings: CredentialReading, status: FileStatus = FileStatus.OK, reason: str | None = None
) -> CredentialFacts:
    return CredentialFacts(status, readings, reason)


NOTHING_READ = CredentialReading(present=False)
VALID_CREDS = creds(reading())
TRUSTED_CREDS = creds(CredentialReading(True, EMBEDDED, ValidationState.TRUSTED, (), None, True))
TAMPERED = creds(reading(ValidationState.INVALID, "assertion.dataHash.mismatch"))
# Valid state but a failure code that means "does not verify" (hostile or version-dependent)
VALID_BUT_MISMATCH = creds(reading(ValidationState.VALID, "assertion.dataHash.mismatch"))
INGREDIENT_FAILED = creds(reading(ValidationState.VALID, "ingredient:claimSignature.mismatch"))
SIDECAR_INVALID = creds(
    reading(),
    reading(
        ValidationState.INVALID, "claimSignature.mismatch", location=CredentialLocation.SIDECAR
    ),
)
PRERELEASE = creds(
    NOTHING_READ,
    status=FileStatus.ERROR,
    reason="pre-release (2021-22) C2PA manifest that current readers reject",
)
UNREADABLE = creds(NOTHING_READ, status=FileStatus.UNREADABLE, reason="permission denied")
REMOTE_ONLY = creds(CredentialReading(True, CredentialLocation.REMOTE, remote_url=REMOTE_URL))
REMOTE_FETCHED = creds(reading(location=CredentialLocation.REMOTE))
NO_CREDS = creds(NOTHING_READ, status=FileStatus.NO_CREDENTIALS)


def run(
    ai: AiAssessment = GENERATED,
    *,
    role: FolderRole | None = FolderRole.IDEATION,
    production: ProductionConfig = SCRIPTED,
    declaration: Declaration | None = CLEAR,
    policy: Policy = POLICY,
    credentials: CredentialFacts | None = None,
    tool_names: Sequence[ToolName] = (),
) -> Classification:
    """classify() with a safe baseline: generated, ideation folder, scripted, all-clear."""
    return classify(
        ai,
        role=role,
        production=production,
        declaration=declaration,
        tools=TOOLS,
        policy=policy,
        credentials=credentials,
        tool_names=tool_names,
    )
