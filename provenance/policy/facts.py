"""The facts the policy rules look at, gathered once per asset from evidence, folder role,
production config, declaration and tool registry. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.model import INVOLVEMENT_RANK, AiAssessment, Evidence, Involvement
from provenance.policy.model import (
    Answer,
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
    """One tool named by the declaration or by the evidence, and its registry entry if any."""

    name: str
    via: str  # "declaration <file>" or an evidence description
    tool: Tool | None

    @property
    def trains_answer(self) -> Answer:
        """GP-2: does the tool stay away from storing or training on production material?"""
        return _known(None if self.tool is None else self.tool.trains_on_inputs, negate=True)

    @property
    def enterprise_answer(self) -> Answer:
        """GP-3: does the tool run in an enterprise-secured environment?"""
        return _known(None if self.tool is None else self.tool.enterprise_agreement)


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
) -> Facts:
    return Facts(
        ai=ai,
        involvement=combined_involvement(ai, declaration),
        genai=ai.involvement.is_genai or bool(declaration and declaration.declares_genai),
        role=role,
        production=production,
        declaration=declaration,
        tools=identify_tools(ai, declaration, tools),
        switches=switches,
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
    ai: AiAssessment, declaration: Declaration | None, registry: ToolRegistry
) -> tuple[ToolFinding, ...]:
    """Every tool named by the declaration or by AI evidence, deduplicated by name."""
    found: dict[str, ToolFinding] = {}
    if declaration:
        for name in declaration.tools:
            found.setdefault(
                name.casefold(), _finding(name, f"declaration {declaration.origin}", registry)
            )
    for item in ai.evidence:
        finding = _evidence_finding(item, registry)
        if finding:
            found.setdefault(finding.name.casefold(), finding)
    return tuple(found.values())


def _finding(name: str, via: str, registry: ToolRegistry) -> ToolFinding:
    tool = registry.find(name)
    return ToolFinding(tool.name if tool else name, via, tool)


def _evidence_finding(item: Evidence, registry: ToolRegistry) -> ToolFinding | None:
    """A registered tool mentioned in any AI evidence, or an unregistered name from a
    generator field. Evidence that implies no AI says nothing about genAI tools."""
    if item.implies in _NOT_AI or not item.value.strip():
        return None
    tool = registry.find(item.value)
    if tool:
        return ToolFinding(tool.name, describe_evidence(item), tool)
    if names_software(item):
        return ToolFinding(item.value.strip(), describe_evidence(item), None)
    return None


def names_software(item: Evidence) -> bool:
    source = item.source.casefold()
    return any(marker in source for marker in _TOOL_SOURCE_MARKERS)


def describe_evidence(item: Evidence) -> str:
    return f"{item.source} = {item.value} ({item.strength}; at {item.location})"
