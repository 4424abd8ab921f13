"""The facts the policy rules look at, gathered once per asset from evidence, folder role,
production config, declaration, tool registry, credential readings and the software names
the file gives. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provenance.model import (
    INVOLVEMENT_RANK,
    AiAssessment,
    Evidence,
    Involvement,
    Strength,
    ToolName,
)
from provenance.policy.model import (
    Answer,
    CredentialFacts,
    Declaration,
    FolderRole,
    ProductionConfig,
    Switches,
    Tool,
    ToolRegistry,
)

# Evidence whose source is one of these names the software that made the asset
# (claim_generator, softwareAgent, generator names). Detectors: keep to this convention.
_TOOL_SOURCE_MARKERS = ("generator", "softwareagent", "software_agent", "agent")

_NOT_AI = (Involvement.NONE, Involvement.UNKNOWN)


@dataclass(frozen=True)
class ToolFinding:
    """One tool named by the declaration or by the evidence, and its registry entry if any.
    A name from unsigned or invalid metadata can raise doubts but never confirm a principle:
    anyone can write it (DOMAIN.md section 5)."""

    name: str
    via: str  # "declaration <file>" or an evidence description
    tool: Tool | None
    verified: bool = True  # from a declaration or a credential that validated

    @property
    def trains_answer(self) -> Answer:
        """GP-2: does the tool stay away from storing or training on production material?"""
        value = None if self.tool is None else self.tool.trains_on_inputs
        return self._capped(_known(value, negate=True))

    @property
    def enterprise_answer(self) -> Answer:
        """GP-3: does the tool run in an enterprise-secured environment?"""
        return self._capped(_known(None if self.tool is None else self.tool.enterprise_agreement))

    def _capped(self, answer: Answer) -> Answer:
        return Answer.UNSURE if answer is Answer.YES and not self.verified else answer

    @property
    def trains_problem(self) -> str:
        if self.tool is None:
            return f"'{self.name}' is not in the tool registry"
        if self.tool.trains_on_inputs:
            return f"{self.name} may store or train on production inputs"
        if self.tool.trains_on_inputs is None:
            return f"it is unknown whether {self.name} trains on inputs"
        return self._unverified_problem

    @property
    def enterprise_problem(self) -> str:
        if self.tool is None:
            return f"'{self.name}' is not in the tool registry"
        if self.tool.enterprise_agreement is False:
            return f"{self.name} has no enterprise agreement"
        if self.tool.enterprise_agreement is None:
            return f"it is unknown whether {self.name} runs under an enterprise agreement"
        return self._unverified_problem

    @property
    def _unverified_problem(self) -> str:
        return f"{self.name} is named only by metadata that is unsigned or failed validation"


def _known(value: bool | None, *, negate: bool = False) -> Answer:
    if value is None:
        return Answer.UNSURE
    return Answer.YES if value != negate else Answer.NO


@dataclass(frozen=True)
class Facts:
    ai: AiAssessment
    involvement: Involvement  # evidence and declaration together, most severe
    genai: bool  # genAI involvement from evidence or declaration
    role: FolderRole | None
    production: ProductionConfig
    declaration: Declaration | None
    tools: tuple[ToolFinding, ...]
    switches: Switches
    # How reading the credentials went (issue 7); None: not known (pure callers, old tests).
    credentials: CredentialFacts | None = None

    @property
    def declared(self) -> Declaration:
        """The declaration, or an all-unsure one when there is none."""
        return self.declaration or _NO_DECLARATION

    @property
    def declaration_origin(self) -> str:
        return f"declaration {self.declaration.origin}" if self.declaration else "no declaration"


_NO_DECLARATION = Declaration()


def gather(
    ai: AiAssessment,
    *,
    role: FolderRole | None,
    production: ProductionConfig,
    declaration: Declaration | None,
    tools: ToolRegistry,
    switches: Switches,
    credentials: CredentialFacts | None = None,
    tool_names: Sequence[ToolName] = (),
) -> Facts:
    return Facts(
        ai=ai,
        involvement=combined_involvement(ai, declaration),
        genai=ai.involvement.is_genai or bool(declaration and declaration.declares_genai),
        role=role,
        production=production,
        declaration=declaration,
        tools=identify_tools(ai, declaration, tools, tool_names),
        switches=switches,
        credentials=credentials,
    )


def combined_involvement(ai: AiAssessment, declaration: Declaration | None) -> Involvement:
    """The most severe of the evidence and the declaration: a declaration adds, never clears.
    A declaration of genAI use that does not say which kind counts as composite."""
    declared = declaration.involvement if declaration else None
    if declaration and declaration.declares_genai and declared is None:
        declared = Involvement.COMPOSITE
    candidates = [ai.involvement, declared or Involvement.UNKNOWN]
    return max(candidates, key=INVOLVEMENT_RANK.__getitem__)


def identify_tools(
    ai: AiAssessment,
    declaration: Declaration | None,
    registry: ToolRegistry,
    tool_names: Sequence[ToolName] = (),
) -> tuple[ToolFinding, ...]:
    """Every tool named by the declaration, by AI evidence, or by the software names of the
    credentials and metadata that match a registry entry (issue 7: a studio's own tool is
    known by its registry entry, not only by the built-in generators table). Deduplicated by
    name and reliability: a verified naming never hides a doubtful one, so more evidence
    never clears."""
    via = f"declaration {declaration.origin}" if declaration else ""
    findings = [_finding(name, via, registry) for name in declaration.tools] if declaration else []
    findings += [f for item in ai.evidence if (f := _evidence_finding(item, registry))]
    findings += [f for name in tool_names if (f := _named_finding(name, registry))]
    unique: dict[tuple[str, bool], ToolFinding] = {}
    for finding in findings:
        unique.setdefault((finding.name.casefold(), finding.verified), finding)
    return tuple(unique.values())


def _finding(name: str, via: str, registry: ToolRegistry) -> ToolFinding:
    tool = registry.find(name)
    return ToolFinding(tool.name if tool else name, via, tool)


def _evidence_finding(item: Evidence, registry: ToolRegistry) -> ToolFinding | None:
    """A registered tool mentioned in any AI evidence, or an unregistered name from a
    generator field. Evidence that implies no AI says nothing about genAI tools."""
    if item.implies in _NOT_AI or not item.value.strip():
        return None
    # The source can name the front-end too (png.comfyui).
    tool = registry.find(item.value) or registry.find(item.source)
    verified = item.strength is Strength.SIGNED_VALID
    if tool:
        return ToolFinding(tool.name, describe_evidence(item), tool, verified)
    if names_software(item):
        return ToolFinding(item.value.strip(), describe_evidence(item), None, verified)
    return None


def _named_finding(name: ToolName, registry: ToolRegistry) -> ToolFinding | None:
    """A registered tool that the credentials or metadata name. A name matching no entry is
    just software (a camera, an editor, a signing library), not a genAI tool; verified only
    from a credential that verified: unsigned names are "unsure" at best."""
    tool = registry.find(name.name)
    if tool is None:
        return None
    via = f"{name.source} = {name.name} ({name.strength})"
    return ToolFinding(tool.name, via, tool, name.strength is Strength.SIGNED_VALID)


def names_software(item: Evidence) -> bool:
    source = item.source.casefold()
    return any(marker in source for marker in _TOOL_SOURCE_MARKERS)


def describe_evidence(item: Evidence) -> str:
    return f"{item.source} = {item.value} ({item.strength}; at {item.location})"


# --- evidence lines for rule findings ----------------------------------------------------------


def ai_evidence(f: Facts) -> tuple[str, ...]:
    """The genAI (or possible) evidence items and any declaration of genAI use."""
    items = [describe_evidence(e) for e in f.ai.evidence if e.implies not in _NOT_AI]
    if f.declaration and f.declaration.declares_genai:
        kind = f.declaration.involvement or "kind not stated"
        items.append(f"{f.declaration_origin}: genAI used ({kind})")
    return tuple(items)


def said(f: Facts, *fields: str) -> tuple[str, ...]:
    """What the declaration says about `fields`, as evidence lines."""
    d = f.declaration
    if d is None:
        return ("no declaration",)
    return tuple(f"{f.declaration_origin}: {name} = {_shown(getattr(d, name))}" for name in fields)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(none)"
    return "(none)" if value is None else str(value)


def unconfirmed(f: Facts) -> str:
    return (
        "no declaration confirms" if f.declaration is None else "the declaration does not confirm"
    )


def role_evidence(f: Facts) -> str:
    return f"folder role: {f.role or 'none configured'}"
