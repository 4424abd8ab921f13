"""Value types of the genAI risk policy (issue 4; DOMAIN.md section 2).

Frozen dataclasses and StrEnums only: policies, tool registry, production config,
declarations and classification results. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from provenance.credentials import real_failures
from provenance.errors import SchemaError
from provenance.globs import glob_matches
from provenance.model import CredentialLocation, FileStatus, Involvement, ValidationState


class PolicyError(SchemaError):
    """A bad policy, tool registry, production config or declaration: names file, key, problem.
    A usage error (exit 2), like every SchemaError."""

    default_hint = "docs/policy.md describes the policy format"


class Outcome(StrEnum):
    """What the guidance says must happen, ordered by severity (DOMAIN.md section 2)."""

    NONE = "none"  # no genAI involvement found
    SOCIALIZE = "socialize"  # report it to the Netflix contact; that is enough
    ESCALATE = "escalate"  # ask the contact before proceeding
    APPROVAL_REQUIRED = "approval-required"  # written approval before proceeding

    @property
    def rank(self) -> int:
        return _OUTCOME_ORDER.index(self)

    def at_least(self, other: Outcome) -> bool:
        return self.rank >= other.rank

    # StrEnum would compare alphabetically; outcomes compare by severity.
    def __lt__(self, other: object) -> bool:
        return self.rank < other.rank if isinstance(other, Outcome) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= other.rank if isinstance(other, Outcome) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > other.rank if isinstance(other, Outcome) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= other.rank if isinstance(other, Outcome) else NotImplemented

    @classmethod
    def worst(cls, outcomes: Iterable[Outcome]) -> Outcome:
        """The most severe outcome; NONE for an empty input."""
        return max(outcomes, key=lambda o: o.rank, default=cls.NONE)


_OUTCOME_ORDER = tuple(Outcome)


class Answer(StrEnum):
    """An answer to one guidance question. "unsure" escalates, like "no" (section 2)."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"

    @classmethod
    def worst(cls, answers: Iterable[Answer]) -> Answer:
        """For "is every step safe?" questions: any no beats unsure beats yes."""
        found = set(answers)
        return next((a for a in (cls.NO, cls.UNSURE) if a in found), cls.YES)

    def negated(self) -> Answer:
        """Turn a "does it involve X?" answer into "is it free of X?"."""
        return {Answer.YES: Answer.NO, Answer.NO: Answer.YES}.get(self, Answer.UNSURE)


class RuleKind(StrEnum):
    PRINCIPLE = "principle"  # GP-1..GP-5
    TRIGGER = "trigger"  # always-approval triggers
    USE_CASE = "use-case"  # the use-case matrix
    PROVENANCE = "provenance"  # what the file's evidence says
    DECLARATION = "declaration"  # gaps and conflicts in declarations


@dataclass(frozen=True)
class Rule:
    id: str  # stable: stored with every classification
    kind: RuleKind
    title: str
    question: str
    outcome: Outcome  # what the rule yields when it fires
    text: str  # shown to users
    related: tuple[str, ...] = ()  # ids of rules this one refines or overlaps
    enabled: bool = True


@dataclass(frozen=True)
class Switches:
    """Studio choices the guidance leaves open."""

    # Issue 4: a studio may escalate files with no credentials and no declaration in final folders.
    escalate_unverified_in_final: bool = False


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    rules: tuple[Rule, ...]
    switches: Switches = field(default_factory=Switches)
    title: str = ""
    source: str = ""  # the file it was loaded from

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class FolderRole(StrEnum):
    """Delivery stage of a folder, least to most final (GP-4: temporary vs final)."""

    IDEATION = "ideation"
    TEMP = "temp"
    WIP = "wip"
    FINAL = "final"

    @property
    def is_temporary(self) -> bool:
        return self in (FolderRole.IDEATION, FolderRole.TEMP)


class ProductionKind(StrEnum):
    SCRIPTED = "scripted"
    DOCUMENTARY = "documentary"
    UNSCRIPTED = "unscripted"

    @property
    def presented_as_real(self) -> bool:
        """Audiences take its footage as real events (AA-MISLEADING)."""
        return self is not ProductionKind.SCRIPTED


@dataclass(frozen=True)
class ProductionConfig:
    title: str
    kind: ProductionKind
    folders: tuple[tuple[str, FolderRole], ...] = ()  # (glob, role) pairs

    def role_for(self, path: str | PurePath) -> FolderRole | None:
        """The role of the folder holding `path`. If several globs match, the most final
        role wins, so a broad ideation glob can never hide a final folder."""
        roles = [role for glob, role in self.folders if glob_matches(glob, path)]
        return max(roles, key=list(FolderRole).index, default=None)


@dataclass(frozen=True)
class Tool:
    """A genAI tool in the registry (GP-2: training on inputs, GP-3: enterprise environment)."""

    name: str
    patterns: tuple[str, ...]  # case-insensitive regular expressions, searched
    enterprise_agreement: bool | None  # None: unknown
    trains_on_inputs: bool | None  # None: unknown
    notes: str = ""

    def matches(self, text: str) -> bool:
        # Claim generators write "Adobe_Firefly": read underscores as spaces so `\b` works.
        text = text.replace("_", " ").strip()
        if text.casefold() == self.name.casefold():
            return True
        return any((rx := _compiled(p)) is not None and rx.search(text) for p in self.patterns)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """None for an invalid pattern (the loader rejects those; this keeps classify total)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


@dataclass(frozen=True)
class ToolRegistry:
    tools: tuple[Tool, ...] = ()
    source: str = ""

    def find(self, text: str) -> Tool | None:
        return next((t for t in self.tools if t.matches(text)), None)


class Prominence(StrEnum):
    INCIDENTAL = "incidental"  # e.g. a document glimpsed in the background
    PROMINENT = "prominent"  # e.g. read aloud, story-relevant
    UNSURE = "unsure"


class UseCase(StrEnum):
    """Rows of the guidance's use-case matrix, plus the common production uses."""

    IDEATION = "ideation"  # moodboards, references
    BACKGROUND = "background"  # background elements on camera
    KEY_CREATIVE = "key-creative"  # final character designs, key visuals, central settings
    TALENT_REPLICATION = "talent-replication"  # re-ageing, synthetic voices
    TRAINING = "training"  # training or fine-tuning a model
    VFX = "vfx"  # other VFX elements in shots
    OTHER = "other"


_U = Answer.UNSURE


@dataclass(frozen=True)
class Declaration:
    """What a person states about one asset's genAI use. Every question defaults to unsure:
    missing evidence never clears an asset (section 2)."""

    tools: tuple[str, ...] = ()  # every tool in the pipeline (vendors: each step counts)
    involvement: Involvement | None = None  # None: genAI was used, kind not stated
    use_case: UseCase | None = None
    prominence: Prominence = Prominence.UNSURE
    story_relevant: Answer = _U
    talent_likeness: Answer = _U
    consent_reference: str | None = None  # consent / guild agreement document reference
    personal_data: Answer = _U
    third_party_ip: Answer = _U
    proprietary_inputs: Answer = _U  # studio-owned material (scripts, unreleased assets) as input
    digital_replica: Answer = _U
    performance_alteration: Answer = _U  # significant: tone, delivery or intent
    union_covered: Answer = _U
    references_real_people_or_works: Answer = _U  # copyrighted works, public figures, the deceased
    key_creative: Answer = _U
    unowned_training_data: Answer = _U
    # Could it be mistaken for real events, people or statements (Ethics trigger)? None: not
    # asked, which changes nothing (issue 7); unlike the questions above it is no default-unsure.
    presented_as_real: Answer | None = None
    declared_by: str | None = None
    notes: str = ""
    sources: tuple[str, ...] = ()  # declaration files merged into this one, outermost first

    @property
    def declares_genai(self) -> bool:
        return self.involvement is None or self.involvement.is_genai

    @property
    def origin(self) -> str:
        return ", ".join(self.sources) or "declaration"


@dataclass(frozen=True)
class CredentialReading:
    """One reading of a file's credentials (embedded, sidecar or remote), as the policy
    needs it (issue 7: credentials that fail cannot certify anything)."""

    present: bool
    location: CredentialLocation | None = None
    validation_state: ValidationState | None = None
    failure_codes: tuple[str, ...] = ()
    remote_url: str | None = None
    manifest_read: bool = False  # a manifest store was read, not only referenced

    @property
    def failures(self) -> tuple[str, ...]:
        """The codes that mean a failed verification (not e.g. an untrusted signer)."""
        return real_failures(self.failure_codes)

    @property
    def fails(self) -> bool:
        """Read, and does not verify: state Invalid, or a real failure code beside any state."""
        invalid = self.validation_state is ValidationState.INVALID
        return self.present and (invalid or bool(self.failures))

    @property
    def remote_only(self) -> bool:
        return self.location is CredentialLocation.REMOTE and not self.manifest_read

    @property
    def where(self) -> str:
        return f"{self.location} credentials" if self.location else "credentials"


@dataclass(frozen=True)
class CredentialFacts:
    """What reading a file's credentials gave: the file status and reason, and every
    reading (the main one first; a sidecar beside embedded credentials adds one)."""

    status: FileStatus
    readings: tuple[CredentialReading, ...] = ()
    reason: str | None = None

    @property
    def broken(self) -> bool:
        """Credentials present but unparseable, or a file that could not be read at all:
        nothing can be verified, so nothing is certified (fail closed)."""
        return self.status in (FileStatus.ERROR, FileStatus.UNREADABLE)

    @property
    def failing(self) -> tuple[CredentialReading, ...]:
        return tuple(r for r in self.readings if r.fails)

    @property
    def remote(self) -> tuple[CredentialReading, ...]:
        return tuple(r for r in self.readings if r.remote_only)

    @property
    def unverifiable(self) -> bool:
        """PV-INVALID or PV-REMOTE applies."""
        return self.broken or bool(self.failing) or bool(self.remote)


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    outcome: Outcome
    reason: str  # plain words
    evidence: tuple[str, ...] = ()
    answer: Answer | None = None  # for guiding principles: "no" or "unsure"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "outcome": str(self.outcome),
            "reason": self.reason,
            "evidence": list(self.evidence),
            "answer": str(self.answer) if self.answer else None,
        }


@dataclass(frozen=True)
class Classification:
    outcome: Outcome
    fired: tuple[FiredRule, ...]
    policy_id: str
    policy_version: str
    unverified: bool  # no credentials and no evidence: provenance unknown
    involvement: Involvement = Involvement.UNKNOWN  # from evidence and declaration together

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(f.rule_id for f in self.fired)

    def fired_rule(self, rule_id: str) -> FiredRule | None:
        return next((f for f in self.fired if f.rule_id == rule_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "unverified": self.unverified,
            "involvement": str(self.involvement),
            "rules": [f.to_dict() for f in self.fired],
            "policy": {"id": self.policy_id, "version": self.policy_version},
        }
