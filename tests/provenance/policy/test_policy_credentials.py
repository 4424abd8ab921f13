"""Issue 7 in the pure policy: credentials that fail cannot certify anything (PV-INVALID,
PV-INVALID-FINAL, PV-REMOTE), studio tools named by credentials and metadata, and the
presented_as_real question (AA-MISLEADING)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_builders import (
    CLEAR,
    DOCUMENTARY,
    GENERATED,
    NO_AI,
    PRERELEASE,
    REMOTE_ONLY,
    REMOTE_URL,
    SIDECAR_INVALID,
    TAMPERED,
    TRUSTED_CREDS,
    UNREADABLE,
    UNSIGNED_FILE,
    VALID_CREDS,
    clear,
    run,
)

from provenance.credentials import explain_code
from provenance.model import Strength, ToolName
from provenance.policy import (
    Answer,
    Classification,
    CredentialFacts,
    FolderRole,
    Outcome,
    Tool,
    ToolRegistry,
    classify,
    load_policy,
)
from provenance.policy.facts import identify_tools

F = FolderRole

# --- PV-INVALID, PV-INVALID-FINAL, PV-REMOTE ----------------------------------------------------


@pytest.mark.parametrize("role", [F.WIP, None, F.IDEATION])
def test_a_tampered_file_without_genai_escalates_instead_of_none(role: FolderRole | None) -> None:
    assert run(NO_AI, declaration=None, role=role).outcome is Outcome.NONE  # verified: fine
    result = run(NO_AI, declaration=None, role=role, credentials=TAMPERED)
    assert result.outcome is Outcome.ESCALATE
    assert result.rule_ids == ("PV-INVALID",)


def test_a_tampered_file_in_a_final_folder_requires_approval() -> None:
    result = run(NO_AI, declaration=None, role=F.FINAL, credentials=TAMPERED)
    assert result.outcome is Outcome.APPROVAL_REQUIRED
    assert set(result.rule_ids) == {"PV-INVALID", "PV-INVALID-FINAL"}
    final = result.fired_rule("PV-INVALID-FINAL")
    assert final is not None and "folder role: final" in final.evidence


def test_pv_invalid_gives_the_failure_codes_in_words() -> None:
    fired = run(NO_AI, declaration=None, credentials=TAMPERED).fired_rule("PV-INVALID")
    assert fired is not None
    words = explain_code("assertion.dataHash.mismatch")
    assert f"the embedded credentials fail validation ({words})" in fired.reason
    # an untrusted signer alone is not a failure: not in the reason, still in the evidence
    assert explain_code("signingCredential.untrusted") not in fired.reason
    assert f"embedded credentials: assertion.dataHash.mismatch: {words}" in fired.evidence
    assert "embedded credentials: validation state Invalid" in fired.evidence


def test_pv_invalid_fires_when_any_reading_fails() -> None:
    fired = run(NO_AI, declaration=None, credentials=SIDECAR_INVALID).fired_rule("PV-INVALID")
    assert fired is not None and "the sidecar credentials fail validation" in fired.reason
    assert "embedded" not in fired.reason  # the embedded reading verified


@pytest.mark.parametrize(
    ("credentials", "words"),
    [
        (
            PRERELEASE,
            "the credentials are present but broken, so they cannot be verified: pre-release",
        ),
        (
            UNREADABLE,
            "the file could not be read, so its credentials cannot be verified: permission",
        ),
    ],
)
def test_broken_or_unreadable_credentials_fail_closed(
    credentials: CredentialFacts, words: str
) -> None:
    result = run(UNSIGNED_FILE, declaration=None, credentials=credentials)
    assert result.outcome is Outcome.ESCALATE
    fired = result.fired_rule("PV-INVALID")
    assert fired is not None and fired.reason.startswith(words)
    assert "PV-UNVERIFIED" not in result.rule_ids


def test_pv_remote_names_where_the_manifest_lives() -> None:
    result = run(UNSIGNED_FILE, declaration=None, credentials=REMOTE_ONLY)
    assert result.outcome is Outcome.ESCALATE and result.rule_ids == ("PV-REMOTE",)
    fired = result.fired_rule("PV-REMOTE")
    assert fired is not None and REMOTE_URL in fired.reason and "not fetched" in fired.reason
    assert "no content credentials" not in fired.reason
    assert fired.evidence == (f"remote manifest: {REMOTE_URL}",)


def test_verified_credentials_decide_as_before() -> None:
    for credentials in (None, VALID_CREDS, TRUSTED_CREDS):
        for role in (F.FINAL, F.WIP):
            result = run(NO_AI, declaration=None, role=role, credentials=credentials)
            assert (result.outcome, result.rule_ids) == (Outcome.NONE, ())
        assert run(credentials=credentials).rule_ids == run().rule_ids


def test_genai_evidence_in_invalid_credentials_still_counts() -> None:
    result = run(GENERATED, declaration=None, role=F.FINAL, credentials=TAMPERED)
    assert {"PV-GENAI", "AA-FINAL", "PV-INVALID", "PV-INVALID-FINAL"} <= set(result.rule_ids)
    assert result.outcome is Outcome.APPROVAL_REQUIRED


def test_a_studio_can_disable_the_credential_rules() -> None:
    policy = load_policy()
    rules = tuple(
        replace(r, enabled=False) if r.id.startswith("PV-INVALID") else r for r in policy.rules
    )
    off = replace(policy, rules=rules)
    assert run(NO_AI, declaration=None, credentials=TAMPERED, policy=off).outcome is Outcome.NONE


# --- tool names from credentials and metadata --------------------------------------------------

ACME = Tool(
    "Acme GenStudio", (r"\bacme genstudio\b",), enterprise_agreement=True, trains_on_inputs=False
)
STUDIO_TOOLS = ToolRegistry((ACME,))


def _studio(*names: ToolName) -> Classification:
    return classify(
        GENERATED,
        role=F.IDEATION,
        production=DOCUMENTARY,
        declaration=clear(tools=()),
        tools=STUDIO_TOOLS,
        policy=load_policy(),
        tool_names=names,
    )


def test_a_registered_studio_tool_in_valid_credentials_answers_gp2_and_gp3() -> None:
    unnamed = _studio()
    assert "no tool is named" in unnamed.fired_rule("GP-2").reason
    named = _studio(ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", Strength.SIGNED_VALID))
    assert {"GP-2", "GP-3"}.isdisjoint(named.rule_ids)


@pytest.mark.parametrize("strength", [Strength.UNSIGNED, Strength.SIGNED_INVALID])
def test_the_same_name_unsigned_or_invalid_is_unsure_at_best(strength: Strength) -> None:
    result = _studio(ToolName("Acme GenStudio 1.0", "xmp.CreatorTool", strength))
    for rule_id in ("GP-2", "GP-3"):
        fired = result.fired_rule(rule_id)
        assert fired is not None and fired.answer is Answer.UNSURE
        assert "Acme GenStudio is named only by metadata that is unsigned" in fired.reason
        assert any("xmp.CreatorTool = Acme GenStudio 1.0" in e for e in fired.evidence)


def test_a_weak_naming_is_not_hidden_by_a_verified_one() -> None:
    valid = ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", Strength.SIGNED_VALID)
    weak = ToolName("Acme GenStudio 1.0", "xmp.CreatorTool", Strength.UNSIGNED)
    assert "GP-2" in _studio(valid, weak).rule_ids


def test_names_matching_no_registry_entry_are_just_software() -> None:
    camera = ToolName("ARRI ALEXA 35", "c2pa.softwareAgent", Strength.SIGNED_VALID)
    library = ToolName("c2pa-rs/0.43.0", "c2pa.claim_generator", Strength.SIGNED_VALID)
    assert identify_tools(NO_AI, None, STUDIO_TOOLS, (camera, library)) == ()
    # ...so they never make a safe pipeline unsure
    acme = ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", Strength.SIGNED_VALID)
    assert {"GP-2", "GP-3"}.isdisjoint(_studio(acme, camera, library).rule_ids)


def test_a_tool_with_bad_terms_named_by_credentials_answers_no() -> None:
    leaky = ToolRegistry((Tool("Leaky", (r"\bleaky\b",), False, True),))
    name = ToolName("Leaky Gen 2", "c2pa.claim_generator_info", Strength.SIGNED_VALID)
    result = classify(
        GENERATED,
        role=F.IDEATION,
        production=DOCUMENTARY,
        declaration=CLEAR,
        tools=leaky,
        policy=load_policy(),
        tool_names=(name,),
    )
    assert result.fired_rule("GP-2").answer is Answer.NO
    assert result.fired_rule("GP-3").answer is Answer.NO


# --- presented_as_real (AA-MISLEADING) ---------------------------------------------------------


def test_presented_as_real_yes_requires_approval_in_a_scripted_production() -> None:
    assert "AA-MISLEADING" not in run(role=F.WIP).rule_ids
    result = run(role=F.WIP, declaration=clear(presented_as_real=Answer.YES))
    fired = result.fired_rule("AA-MISLEADING")
    assert fired is not None and fired.outcome is Outcome.APPROVAL_REQUIRED
    assert result.outcome is Outcome.APPROVAL_REQUIRED
    assert any("presented_as_real = yes" in e for e in fired.evidence)


def test_presented_as_real_unsure_escalates_and_does_not_require_approval() -> None:
    result = run(declaration=clear(presented_as_real=Answer.UNSURE))
    fired = result.fired_rule("AA-MISLEADING")
    assert fired is not None
    assert (fired.outcome, fired.answer) == (Outcome.ESCALATE, Answer.UNSURE)
    assert result.outcome is Outcome.ESCALATE
    assert "DC-UNANSWERED" not in result.rule_ids


def test_unsure_does_not_soften_a_documentary_delivery() -> None:
    declaration = clear(presented_as_real=Answer.UNSURE)
    result = run(production=DOCUMENTARY, role=F.WIP, declaration=declaration)
    assert result.fired_rule("AA-MISLEADING").outcome is Outcome.APPROVAL_REQUIRED


def test_a_studio_softening_aa_misleading_is_not_raised_by_unsure() -> None:
    policy = load_policy()
    rules = tuple(
        r.__class__(**{**r.__dict__, "outcome": Outcome.SOCIALIZE})
        if r.id == "AA-MISLEADING"
        else r
        for r in policy.rules
    )
    soft = policy.__class__(**{**policy.__dict__, "rules": rules})
    result = run(declaration=clear(presented_as_real=Answer.UNSURE), policy=soft)
    assert result.fired_rule("AA-MISLEADING").outcome is Outcome.SOCIALIZE


@pytest.mark.parametrize("production", [DOCUMENTARY, None])
@pytest.mark.parametrize("role", [F.FINAL, F.WIP, F.IDEATION, None])
def test_an_absent_or_no_answer_decides_as_before(production: Any, role: FolderRole | None) -> None:
    extra = {"production": production} if production else {}
    before = run(role=role, **extra)
    for answer in (None, Answer.NO):
        after = run(role=role, declaration=clear(presented_as_real=answer), **extra)
        assert (after.outcome, after.rule_ids) == (before.outcome, before.rule_ids)
