"""Domain values shared by every layer: file reports, credential summaries, AI evidence.

Frozen dataclasses and StrEnums only; no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class FileStatus(StrEnum):
    """How reading one file went. Stored per version; decides scan's exit code."""

    OK = "ok"  # credentials read (valid or not)
    NO_CREDENTIALS = "no_credentials"  # readable media, no C2PA data
    UNSUPPORTED = "unsupported"  # format the C2PA reader cannot handle
    UNREADABLE = "unreadable"  # permissions, vanished, zero bytes, I/O error
    ERROR = "error"  # credentials present but could not be parsed

    @property
    def is_failure(self) -> bool:
        return self in (FileStatus.UNREADABLE, FileStatus.ERROR)


class CredentialLocation(StrEnum):
    EMBEDDED = "embedded"
    SIDECAR = "sidecar"
    REMOTE = "remote"


class ValidationState(StrEnum):
    """c2pa-rs validation states. Trusted > Valid > Invalid."""

    TRUSTED = "Trusted"
    VALID = "Valid"
    INVALID = "Invalid"


class Involvement(StrEnum):
    """How much generative AI went into an asset (DOMAIN.md section 3)."""

    GENERATED = "generated"  # made by genAI (trainedAlgorithmicMedia)
    EDITED = "edited"  # edited with genAI (compositeWithTrainedAlgorithmicMedia)
    COMPOSITE = "composite"  # contains genAI elements (compositeSynthetic, genAI ingredient)
    POSSIBLE = "possible"  # a weak or ambiguous signal (virtualRecording, composite)
    NONE = "none"  # credentials present and they show no genAI
    UNKNOWN = "unknown"  # no evidence either way (e.g. no credentials)

    @property
    def is_genai(self) -> bool:
        return self in (Involvement.GENERATED, Involvement.EDITED, Involvement.COMPOSITE)


# Highest first: used to pick the overall involvement from several signals.
INVOLVEMENT_RANK: dict[Involvement, int] = {
    Involvement.GENERATED: 5,
    Involvement.EDITED: 4,
    Involvement.COMPOSITE: 3,
    Involvement.POSSIBLE: 2,
    Involvement.NONE: 1,
    Involvement.UNKNOWN: 0,
}


class Strength(StrEnum):
    """How much an evidence item can be relied on."""

    SIGNED_VALID = "signed-and-valid"  # in a credential that validated (Valid or Trusted)
    SIGNED_INVALID = "signed-but-invalid"  # in a credential that failed validation
    UNSIGNED = "unsigned"  # XMP, PNG text chunks: anyone could have written it
    # A person's declaration (a vendor's genai-declaration.toml, `prov declare`): it can add
    # involvement, never clear evidence (issue 8: shown beside the file's own evidence).
    DECLARED = "declared"


@dataclass(frozen=True)
class Evidence:
    """One observation that says something about genAI involvement."""

    source: str  # e.g. "c2pa.digitalSourceType", "c2pa.generator", "xmp.DigitalSourceType"
    location: str  # manifest label + action index / ingredient, or "xmp", "png:parameters"
    value: str  # the raw value as found (URI, generator name, chunk excerpt)
    strength: Strength
    implies: Involvement  # what this item alone would mean

    def to_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "location": self.location,
            "value": self.value,
            "strength": str(self.strength),
            "implies": str(self.implies),
        }


@dataclass(frozen=True)
class ToolName:
    """Software a file's credentials or metadata name (issue 7): claim generators, every
    claim_generator_info and softwareAgent name, XMP CreatorTool / AISystemUsed, PNG Software.
    The policy matches each against the studio's tool registry (GP-2, GP-3)."""

    name: str
    source: str  # e.g. "c2pa.softwareAgent", "c2pa.claim_generator", "xmp.CreatorTool"
    strength: Strength  # signed-and-valid only when the credential naming it verified

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "source": self.source, "strength": str(self.strength)}


@dataclass(frozen=True)
class AiAssessment:
    involvement: Involvement
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "involvement": str(self.involvement),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Signer:
    issuer: str | None = None
    common_name: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"issuer": self.issuer, "common_name": self.common_name}


@dataclass(frozen=True)
class CredentialSummary:
    """What the C2PA reader told us about one file (all fields optional but `present`)."""

    present: bool
    location: CredentialLocation | None = None
    validation_state: ValidationState | None = None
    failure_codes: tuple[str, ...] = ()
    informational_codes: tuple[str, ...] = ()
    active_manifest: str | None = None
    claim_generator: str | None = None
    signer: Signer = field(default_factory=Signer)
    signing_time: datetime | None = None
    manifest_count: int = 0
    ingredient_count: int = 0
    remote_url: str | None = None
    sidecar_path: str | None = None
    # The full manifest-store JSON as c2pa-python returned it, kept for audit.
    manifest_store: dict[str, Any] | None = None


NO_CREDENTIALS = CredentialSummary(present=False)


@dataclass(frozen=True)
class UnsignedMetadata:
    """Provenance hints outside C2PA: anyone can write them, so they are weak evidence."""

    xmp_digital_source_types: tuple[str, ...] = ()
    png_text: tuple[tuple[str, str], ...] = ()  # (keyword, text) pairs, text truncated
    # Software names, (source, name): xmp.CreatorTool, xmp.AISystemUsed, png.Software.
    software: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MediaInfo:
    media_type: str  # MIME type sniffed from magic bytes (extension as a hint)
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True)
class FileFingerprint:
    """Cheap identity of a file on disk: unchanged fingerprint means unchanged content."""

    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True)
class AssetReport:
    """Everything analyze_file learned about one file. Input to the store's record()."""

    path: str
    status: FileStatus
    reason: str | None
    fingerprint: FileFingerprint | None
    sha256: str | None
    media: MediaInfo | None
    credentials: CredentialSummary  # the main reading: embedded when present, else sidecar
    ai: AiAssessment  # from every reading: the most severe involvement, all the evidence
    tool_names: tuple[ToolName, ...] = ()  # software named by credentials and metadata
    # Other readings of the same file (issue 7): a sidecar beside embedded credentials, or a
    # remote reference a sidecar stood in for. Never hidden by the main one.
    extra_credentials: tuple[CredentialSummary, ...] = ()
