"""Properties of classify(): total on any input, and monotonic in genAI evidence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from policy_builders import ANSWER_FIELDS, DST, FOLDERS, POLICY, TOOLS

from provenance.model import (
    INVOLVEMENT_RANK,
    AiAssessment,
    CredentialLocation,
    Evidence,
    FileStatus,
    Involvement,
    Strength,
    ValidationState,
)
from provenance.policy import (
    Answer,
    CredentialFacts,
    CredentialReading,
    Declaration,
    FolderRole,
    Outcome,
    ProductionConfig,
    ProductionKind,
    Prominence,
    Switches,
    UseCase,
    classify,
)
from provenance.policy.facts import identify_tools

AI_KINDS = [Involvement.POSSIBLE, Involvement.COMPOSITE, Involvement.EDITED, Involvement.GENERATED]
TOOL_NAMES = [
    "Adobe Firefly",
    "Midjourney",
    "Sora",
    "Runway",
    "Amazon Titan Image",
    "SignSmith AI",
    "Image Creator from Designer",
    "ComfyUI",
]
DST_VALUES = [
    DST + t
    for t in (
        "trainedAlgorithmicMedia",
        "compositeWithTrainedAlgorithmicMedia",
        "compositeSynthetic",
        "virtualRecording",
        "composite",
        "digitalCapture",
    )
]

answers = st.sampled_from(list(Answer))
declarations = st.builds(
    Declaration,
    tools=st.lists(st.sampled_from(TOOL_NAMES), max_size=3).map(tuple),
    involvement=st.none() | st.sampled_from([*AI_KINDS[1:], Involvement.NONE]),
    use_case=st.none() | st.sampled_from(list(UseCase)),
    prominence=st.sampled_from(list(Prominence)),
    consent_reference=st.none() | st.just("CONSENT-1"),
    presented_as_real=st.none() | answers,
    **{name: answers for name in ANSWER_FIELDS},
)
CODES = [
    "signingCredential.untrusted",
    "signingCredential.ocsp.skipped",
    "assertion.dataHash.mismatch",
    "claimSignature.mismatch",
    "ingredient:signingCredential.untrusted",
    "ingredient:claimSignature.mismatch",
]
readings = st.builds(
    CredentialReading,
    present=st.booleans(),
    location=st.none() | st.sampled_from(list(CredentialLocation)),
    validation_state=st.none() | st.sampled_from(list(ValidationState)),
    failure_codes=st.lists(st.sampled_from(CODES), max_size=3).map(tuple),
    remote_url=st.none() | st.just("https://example.com/m.c2pa"),
    manifest_read=st.booleans(),
)
credential_facts = st.none() | st.builds(
    CredentialFacts,
    status=st.sampled_from(list(FileStatus)),
    readings=st.lists(readings, max_size=3).map(tuple),
    reason=st.none() | st.just("why"),
)
FAILING = CredentialReading(
    True, CredentialLocation.SIDECAR, ValidationState.INVALID, ("assertion.dataHash.mismatch",)
)
contexts = st.fixed_dictionaries(
    {
        "role": st.none() | st.sampled_from(list(FolderRole)),
        "production": st.builds(
            ProductionConfig,
            title=st.just("T"),
            kind=st.sampled_from(list(ProductionKind)),
            folders=st.just(FOLDERS),
        ),
        "declaration": st.none() | declarations,
        "policy": st.booleans().map(lambda on: replace(POLICY, switches=Switches(on))),
        "credentials": credential_facts,
    }
)


def evidence(sources: list[str], values: list[str], implies: list[Involvement]) -> Any:
    return st.builds(
        Evidence,
        source=st.sampled_from(sources),
        location=st.just("m[0]"),
        value=st.sampled_from(values),
        strength=st.sampled_from(list(Strength)),
        implies=st.sampled_from(implies),
    )


any_evidence = evidence(
    [
        "c2pa.digitalSourceType",
        "c2pa.generator",
        "c2pa.softwareAgent",
        "xmp.DigitalSourceType",
        "png:parameters",
    ],
    DST_VALUES + TOOL_NAMES,
    list(Involvement),
)
assessments = st.builds(
    AiAssessment,
    involvement=st.sampled_from(list(Involvement)),
    evidence=st.lists(any_evidence, max_size=4).map(tuple),
)
# genAI evidence that names no tool (a digital source type)
source_type_evidence = evidence(
    ["c2pa.digitalSourceType", "xmp.DigitalSourceType"], DST_VALUES, AI_KINDS
)
# genAI evidence that may name a tool
tool_evidence = evidence(["c2pa.generator", "c2pa.softwareAgent"], TOOL_NAMES, AI_KINDS)


def with_evidence(ai: AiAssessment, item: Evidence) -> AiAssessment:
    involvement = max(ai.involvement, item.implies, key=INVOLVEMENT_RANK.__getitem__)
    return AiAssessment(involvement, (*ai.evidence, item))


def run(ai: AiAssessment, ctx: dict[str, Any]) -> Outcome:
    return classify(ai, tools=TOOLS, **ctx).outcome


@settings(max_examples=400, deadline=None)
@given(
    ai=st.builds(
        AiAssessment,
        involvement=st.sampled_from(list(Involvement)),
        evidence=st.lists(
            st.builds(
                Evidence,
                source=st.text(),
                location=st.text(),
                value=st.text(),
                strength=st.sampled_from(list(Strength)),
                implies=st.sampled_from(list(Involvement)),
            ),
            max_size=4,
        ).map(tuple),
    ),
    ctx=contexts,
)
def test_classify_is_total_and_consistent(ai: AiAssessment, ctx: dict[str, Any]) -> None:
    result = classify(ai, tools=TOOLS, **ctx)
    assert result.outcome is Outcome.worst(f.outcome for f in result.fired)
    assert result.unverified is (ai.involvement is Involvement.UNKNOWN)
    assert all(ctx["policy"].rule(f.rule_id) for f in result.fired)
    assert not any("could not be evaluated" in f.reason for f in result.fired)
    if ai.involvement.is_genai:
        assert result.outcome >= Outcome.SOCIALIZE


@settings(max_examples=500, deadline=None)
@given(ai=assessments, extra=source_type_evidence, ctx=contexts)
def test_adding_genai_evidence_never_lowers_the_outcome(
    ai: AiAssessment, extra: Evidence, ctx: dict[str, Any]
) -> None:
    assert run(with_evidence(ai, extra), ctx) >= run(ai, ctx)


@settings(max_examples=500, deadline=None)
@given(ai=assessments, extra=tool_evidence, ctx=contexts)
def test_naming_another_tool_never_lowers_the_outcome(
    ai: AiAssessment, extra: Evidence, ctx: dict[str, Any]
) -> None:
    # Documented exception (docs/policy.md): when a declaration names no tool and no evidence
    # does, GP-2/GP-3 are unsure; naming a registered, safe tool answers them.
    declaration = ctx["declaration"]
    assume(declaration is None or identify_tools(ai, declaration, TOOLS))
    assert run(with_evidence(ai, extra), ctx) >= run(ai, ctx)


@settings(max_examples=300, deadline=None)
@given(ai=assessments, ctx=contexts, field=st.sampled_from(ANSWER_FIELDS))
def test_answering_yes_to_a_risk_question_never_lowers_the_outcome(
    ai: AiAssessment, ctx: dict[str, Any], field: str
) -> None:
    declaration = ctx["declaration"]
    assume(declaration is not None)
    riskier = {**ctx, "declaration": replace(declaration, **{field: Answer.YES})}
    assert run(ai, riskier) >= run(ai, ctx)


@settings(max_examples=400, deadline=None)
@given(ai=assessments, ctx=contexts)
def test_a_failing_reading_never_lowers_the_outcome(ai: AiAssessment, ctx: dict[str, Any]) -> None:
    # Issue 7: an Invalid credential can raise a risk, never lower one; so can broken ones.
    facts = ctx["credentials"] or CredentialFacts(FileStatus.OK)
    failing = replace(facts, readings=(*facts.readings, FAILING))
    broken = replace(facts, status=FileStatus.ERROR)
    base = run(ai, {**ctx, "credentials": facts})
    assert run(ai, {**ctx, "credentials": failing}) >= max(base, Outcome.ESCALATE)
    assert run(ai, {**ctx, "credentials": broken}) >= max(base, Outcome.ESCALATE)
    assert base >= run(ai, {**ctx, "credentials": None})  # knowing more never clears


@settings(max_examples=300, deadline=None)
@given(ai=assessments, ctx=contexts)
def test_presented_as_real_only_raises_and_absent_changes_nothing(
    ai: AiAssessment, ctx: dict[str, Any]
) -> None:
    declaration = ctx["declaration"] or Declaration()
    decided = {
        answer: classify(
            ai,
            tools=TOOLS,
            **{**ctx, "declaration": replace(declaration, presented_as_real=answer)},
        )
        for answer in (None, *Answer)
    }
    absent, no = decided[None], decided[Answer.NO]
    assert (no.outcome, no.rule_ids) == (absent.outcome, absent.rule_ids)
    assert absent.outcome <= decided[Answer.UNSURE].outcome <= decided[Answer.YES].outcome
    assert "DC-UNANSWERED" not in set(decided[Answer.UNSURE].rule_ids) - set(absent.rule_ids)
