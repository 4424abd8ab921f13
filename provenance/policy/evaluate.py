"""Classify one asset under the genAI policy (issue 4; DOMAIN.md section 2). Pure and total.

Runs every enabled rule of the policy (rules.py) over the gathered facts; the result keeps
every rule that fired, why, on what evidence, and the policy id and version.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance.model import AiAssessment, Involvement, ToolName
from provenance.policy.facts import Facts, gather
from provenance.policy.model import (
    Classification,
    CredentialFacts,
    Declaration,
    FiredRule,
    FolderRole,
    Outcome,
    Policy,
    ProductionConfig,
    Rule,
    ToolRegistry,
)
from provenance.policy.rules import CHECKS, IMPLEMENTED_RULE_IDS

__all__ = ["IMPLEMENTED_RULE_IDS", "classify"]


def classify(
    ai: AiAssessment,
    *,
    role: FolderRole | None,
    production: ProductionConfig,
    declaration: Declaration | None,
    tools: ToolRegistry,
    policy: Policy,
    credentials: CredentialFacts | None = None,
    tool_names: Sequence[ToolName] = (),
) -> Classification:
    """The policy's decision for one asset: the most severe outcome of the rules that fired.
    `credentials` (how reading them went) and `tool_names` (software the credentials and
    metadata name) come from the catalog; without them the credential rules stay silent."""
    facts = gather(
        ai,
        role=role,
        production=production,
        declaration=declaration,
        tools=tools,
        switches=policy.switches,
        credentials=credentials,
        tool_names=tool_names,
    )
    fired = tuple(f for r in policy.rules if r.enabled and (f := _run(r, facts)))
    return Classification(
        outcome=Outcome.worst(f.outcome for f in fired),
        fired=fired,
        policy_id=policy.id,
        policy_version=policy.version,
        unverified=ai.involvement is Involvement.UNKNOWN,
        involvement=facts.involvement,
    )


def _run(rule_: Rule, facts: Facts) -> FiredRule | None:
    registered = CHECKS.get(rule_.id)
    if registered is None or (registered.needs_genai and not facts.genai):
        return None
    try:
        found = registered.check(facts)
    except Exception as exc:  # total: a broken rule escalates instead of clearing the asset
        reason = f"rule could not be evaluated ({type(exc).__name__}: {exc})"
        return FiredRule(rule_.id, max(rule_.outcome, Outcome.ESCALATE), reason)
    if found is None:
        return None
    outcome = rule_.outcome if found.at_most is None else min(rule_.outcome, found.at_most)
    return FiredRule(rule_.id, outcome, found.reason, found.evidence, found.answer)
