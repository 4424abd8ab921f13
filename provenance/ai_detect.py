"""How much generative AI went into an asset, from its C2PA manifest store and unsigned hints.

Pure: values in, an AiAssessment out; the only I/O is loading the shipped policy tables
(data/source_types.toml, data/generators.toml). Every observation becomes an Evidence item
whose `implies` is what that item alone means *for the asset*; the involvement is the
highest-ranked `implies` (INVOLVEMENT_RANK), so adding evidence never lowers it (one
deliberate refinement on a single action, AI-4). Rules are ordered by precedence only in the
sense that a later rule can never lower what an earlier one found.

Rules (DOMAIN.md sections 3-5):

AI-1  Source types on the active manifest count in full: a digitalSourceType on an action, an
      action template (`"*"` = every action) or in `parameters["com.adobe.digitalSourceType"]`
      maps through source_types.toml (trainedAlgorithmicMedia -> generated,
      compositeWithTrainedAlgorithmicMedia -> edited, compositeSynthetic -> composite, ...).
      On an action that changes existing media the class is capped (`action_caps`): genAI on
      c2pa.edited means edited, on c2pa.placed composite.
AI-2  Manifests reached from the active one through `parentOf` ingredients only are the
      asset's own ancestry and count in full (OpenAI/ChatGPT/Sora: the active manifest only
      says c2pa.opened; trainedAlgorithmicMedia sits in the parent's manifest -> generated).
AI-3  Everything else in the graph (`componentOf` or `inputTo` ingredients and what lies
      behind them, source types written on such ingredients, manifests no ingredient points
      to) is at most `composite`: genAI there makes the asset a composite with genAI parts.
AI-4  A generator-registry match on a c2pa.created action's softwareAgent -> generated (Bing
      Image Creator writes no source type). A match on another action -> the entry's
      `implies`, capped as in AI-1. A match in claim_generator(_info) -> the entry's `implies`:
      "generated" for pure generators (Firefly, DALL-E, Midjourney, Image Creator, ...),
      "possible" for tools that also do other work (ChatGPT, Gemini, Runway, ...).
      An action description disclosing genAI ("AI Generated Image") -> generated, capped.
      A name or description never outranks a source type declared on the *same* action
      (the one place where more evidence can refine a class downwards, never below
      `possible`: a genAI tool name on an action declared digitalCapture stays "possible").
AI-5  Unsigned hints (XMP Iptc4xmpExt:DigitalSourceType, PNG `parameters`, ComfyUI `prompt` /
      `workflow` chunks) count at strength `unsigned`. An unsigned "not genAI" claim never
      clears an asset: anyone can write it (DOMAIN.md: missing evidence never clears).
AI-6  Only weak signals (virtualRecording, composite, unrecognised terms, possible-only
      generators) -> possible. Credentials present with no genAI signal -> none.
AI-7  No credentials and no unsigned signal -> unknown.

Strength: evidence inside a manifest is signed-and-valid only when the store validated (Valid
or Trusted) with no failure code of its own (credentials.store_strength), and the manifest is
not one that a failure code names, an ingredient reference reports failing, or that is reached
only through such a manifest (ManifestGraph.weak_nodes); otherwise signed-but-invalid.
Strength never changes the involvement: a genAI claim in a broken credential still counts, at
its weaker strength (issue 7).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from provenance.credentials import store_strength
from provenance.errors import PolicyDataError
from provenance.manifest.graph import ManifestGraph, Signal, SignalKind, build_graph
from provenance.model import (
    INVOLVEMENT_RANK,
    AiAssessment,
    Evidence,
    Involvement,
    Strength,
    UnsignedMetadata,
)

# Keeps a hostile store with thousands of actions from bloating the catalog row.
MAX_EVIDENCE = 200
MAX_VALUE_CHARS = 200

_SOURCE_NAMES = {
    SignalKind.SOURCE_TYPE: "c2pa.digitalSourceType",
    SignalKind.AGENT: "c2pa.generator",
    SignalKind.CLAIM_GENERATOR: "c2pa.generator",
    SignalKind.DESCRIPTION: "c2pa.description",
}
# PNG text keywords written by genAI front-ends (DOMAIN.md section 5).
_PNG_SOURCES = {"parameters": "png.parameters", "prompt": "png.comfyui", "workflow": "png.comfyui"}
_CLASSES = {level.value: level for level in Involvement if level is not Involvement.UNKNOWN}


@dataclass(frozen=True)
class SourceTypeTable:
    """data/source_types.toml: digital source type term -> class, and per-action caps."""

    version: str
    terms: Mapping[str, Involvement]  # keys are lower-cased bare terms
    unrecognised: Involvement
    action_caps: Mapping[str, Involvement]

    def classify(self, value: str) -> Involvement:
        return self.terms.get(source_type_term(value).lower(), self.unrecognised)

    def cap_for(self, action: str | None) -> Involvement | None:
        return self.action_caps.get(action) if action else None


@dataclass(frozen=True)
class GeneratorEntry:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    implies: Involvement = Involvement.POSSIBLE

    def matches(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)


@dataclass(frozen=True)
class GeneratorRegistry:
    """data/generators.toml: genAI tools by name, and genAI-disclosing descriptions."""

    version: str
    generators: tuple[GeneratorEntry, ...]
    ai_descriptions: tuple[re.Pattern[str], ...] = ()

    def match(self, text: str) -> GeneratorEntry | None:
        # Claim generators spell spaces as underscores ("Adobe_Firefly").
        spaced = text.replace("_", " ")
        return next((entry for entry in self.generators if entry.matches(spaced)), None)

    def describes_ai(self, text: str) -> bool:
        spaced = text.replace("_", " ")
        return any(pattern.search(spaced) for pattern in self.ai_descriptions)


def source_type_term(value: str) -> str:
    """The bare term of a digital source type: `https://cv.iptc.org/.../digitalCapture/`
    and `digitalCapture` both give `digitalCapture`."""
    return re.split(r"[/#:]", value.strip().rstrip("/"))[-1]


def detect_ai(
    store: dict[str, Any] | None,
    validation_state: str | None,
    unsigned: UnsignedMetadata,
    registry: GeneratorRegistry | None = None,
    *,
    source_types: SourceTypeTable | None = None,
) -> AiAssessment:
    """Assess genAI involvement from a manifest store (None: no credentials), the reader's
    validation state and unsigned metadata. Never raises on any store shape."""
    tables = _Tables(registry or load_generator_registry(), source_types or load_source_types())
    evidence: list[Evidence] = []
    if store is not None:
        strength = store_strength(store, validation_state)
        evidence += _signed_evidence(build_graph(store), strength, tables)
    evidence += _unsigned_evidence(unsigned, tables)
    unique = list(dict.fromkeys(evidence))
    involvement = _overall(unique, credentials=store is not None)
    return AiAssessment(involvement, _bounded(unique, involvement))


def merge_assessments(assessments: Sequence[AiAssessment]) -> AiAssessment:
    """One file read several ways (embedded credentials and a sidecar, issue 7): the most
    severe involvement any reading gives, with the evidence of all of them, so that no
    reading can hide another's genAI evidence."""
    if len(assessments) == 1:
        return assessments[0]
    involvement = max((a.involvement for a in assessments), key=_rank, default=Involvement.UNKNOWN)
    evidence = list(dict.fromkeys(item for a in assessments for item in a.evidence))
    return AiAssessment(involvement, _bounded(evidence, involvement))


@dataclass(frozen=True)
class _Tables:
    registry: GeneratorRegistry
    source_types: SourceTypeTable


def _rank(level: Involvement) -> int:
    return INVOLVEMENT_RANK[level]


def _cap(level: Involvement, cap: Involvement | None) -> Involvement:
    """Lower `level` to `cap` when it is above it (never raises it; None: no cap)."""
    return cap if cap is not None and _rank(level) > _rank(cap) else level


def _signed_evidence(graph: ManifestGraph, base: Strength, tables: _Tables) -> list[Evidence]:
    ancestry, weak = graph.parent_line(), graph.weak_nodes()
    found: list[Evidence] = []
    for label in graph.walk_order():
        node = graph.nodes[label]
        # AI-2 / AI-3: only the asset's own parentOf line counts in full.
        ceiling = None if label in ancestry else Involvement.COMPOSITE
        strength = Strength.SIGNED_INVALID if label in weak else base
        found += _evidence_for(node.signals, strength, ceiling, tables)
        for ref in node.ingredients:
            ref_ceiling = ceiling if ref.relationship == "parentOf" else Involvement.COMPOSITE
            ref_strength = Strength.SIGNED_INVALID if ref.failed else strength
            found += _evidence_for(ref.signals, ref_strength, ref_ceiling, tables)
    return found


def _evidence_for(
    signals: Iterable[Signal], strength: Strength, ceiling: Involvement | None, tables: _Tables
) -> list[Evidence]:
    items = []
    for signal in signals:
        implies = _signal_class(signal, tables)
        if implies is not None:
            source = _SOURCE_NAMES[signal.kind]
            value = _excerpt(signal.value)
            items.append(Evidence(source, signal.location, value, strength, _cap(implies, ceiling)))
    return items


def _signal_class(signal: Signal, tables: _Tables) -> Involvement | None:
    """What one signal means for the manifest it sits in (AI-1, AI-4); None: says nothing."""
    base = _signal_base(signal, tables)
    if base is None:
        return None
    if signal.kind is not SignalKind.SOURCE_TYPE and signal.action_source_types:
        base = _cap(base, _declared_class(signal.action_source_types, tables))
    return _cap(base, tables.source_types.cap_for(signal.action))


def _declared_class(values: tuple[str, ...], tables: _Tables) -> Involvement:
    """A tool name never outranks the source type declared on the same action (Adobe
    Express: c2pa.created by "Adobe Firefly" + compositeWithTrainedAlgorithmicMedia is
    edited); against a non-genAI declaration it is left as an unresolved "possible"."""
    declared = max((tables.source_types.classify(value) for value in values), key=_rank)
    return declared if declared.is_genai else Involvement.POSSIBLE


def _signal_base(signal: Signal, tables: _Tables) -> Involvement | None:
    if signal.kind is SignalKind.SOURCE_TYPE:
        return tables.source_types.classify(signal.value)
    if signal.kind is SignalKind.DESCRIPTION:
        return Involvement.GENERATED if tables.registry.describes_ai(signal.value) else None
    entry = tables.registry.match(signal.value)
    if entry is None:
        return None
    if signal.kind is SignalKind.AGENT and signal.action == "c2pa.created":
        return Involvement.GENERATED  # AI-4: a genAI tool created the asset
    return entry.implies


def _unsigned_evidence(unsigned: UnsignedMetadata, tables: _Tables) -> list[Evidence]:
    """AI-5: XMP source types and PNG text chunks, all at strength `unsigned`."""
    found = []
    for value in unsigned.xmp_digital_source_types:
        implies = tables.source_types.classify(value)
        found.append(_unsigned_item("xmp.DigitalSourceType", "xmp", value, implies))
    for keyword, text in unsigned.png_text:
        source = _PNG_SOURCES.get(keyword.lower())
        if source and text.strip():
            where = f"png:{keyword.lower()}"
            found.append(_unsigned_item(source, where, text, Involvement.GENERATED))
    return found


def _unsigned_item(source: str, location: str, value: str, implies: Involvement) -> Evidence:
    return Evidence(source, location, _excerpt(value), Strength.UNSIGNED, implies)


def _excerpt(value: str) -> str:
    value = value.strip()
    return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"


def _overall(evidence: list[Evidence], *, credentials: bool) -> Involvement:
    """AI-6 / AI-7: the highest class any item implies, over a floor of none or unknown."""
    floor = Involvement.NONE if credentials else Involvement.UNKNOWN
    counted = [
        item.implies
        for item in evidence
        # AI-5: an unsigned "not genAI" must not turn unknown into none.
        if not (item.strength is Strength.UNSIGNED and item.implies is Involvement.NONE)
    ]
    return max([floor, *counted], key=_rank)


def _bounded(evidence: list[Evidence], involvement: Involvement) -> tuple[Evidence, ...]:
    """At most MAX_EVIDENCE items, always keeping one that explains the involvement."""
    if len(evidence) <= MAX_EVIDENCE:
        return tuple(evidence)
    kept = evidence[:MAX_EVIDENCE]
    if all(item.implies is not involvement for item in kept):
        kept[-1] = next(item for item in evidence if item.implies is involvement)
    return tuple(kept)


# ---- policy tables ---------------------------------------------------------------------------


def load_source_types(path: Path | None = None) -> SourceTypeTable:
    """Read source_types.toml (the shipped one when `path` is None; that one is cached)."""
    return _default_source_types() if path is None else _parse_source_types(*_read_toml(path))


def load_generator_registry(path: Path | None = None) -> GeneratorRegistry:
    """Read generators.toml (the shipped one when `path` is None; that one is cached).
    Raises PolicyDataError naming the file, key and problem."""
    return _default_registry() if path is None else _parse_registry(*_read_toml(path))


@functools.cache
def _default_source_types() -> SourceTypeTable:
    return _parse_source_types(*_read_shipped("source_types.toml"))


@functools.cache
def _default_registry() -> GeneratorRegistry:
    return _parse_registry(*_read_shipped("generators.toml"))


def _read_shipped(name: str) -> tuple[dict[str, Any], str]:
    file = f"provenance/data/{name}"
    text = (resources.files("provenance") / "data" / name).read_text(encoding="utf-8")
    return _parse_toml(text, file), file


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyDataError(str(path), "", f"cannot read the file ({exc})") from exc
    return _parse_toml(text, str(path)), str(path)


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyDataError(file, "", f"not valid TOML ({exc})") from exc


def _parse_source_types(data: dict[str, Any], file: str) -> SourceTypeTable:
    _only_keys(data, {"version", "unrecognised", "terms", "action_caps"}, file, "")
    terms = _class_table(data.get("terms"), file, "terms")
    return SourceTypeTable(
        version=_text(data.get("version"), file, "version"),
        terms={term.lower(): level for term, level in terms.items()},
        unrecognised=_class(data.get("unrecognised"), file, "unrecognised"),
        action_caps=_class_table(data.get("action_caps", {}), file, "action_caps"),
    )


def _parse_registry(data: dict[str, Any], file: str) -> GeneratorRegistry:
    _only_keys(data, {"version", "generator", "ai_descriptions"}, file, "")
    entries = data.get("generator")
    if not isinstance(entries, list) or not entries:
        raise PolicyDataError(file, "generator", "expected one or more [[generator]] tables")
    descriptions = _table(data.get("ai_descriptions", {}), file, "ai_descriptions")
    return GeneratorRegistry(
        version=_text(data.get("version"), file, "version"),
        generators=tuple(_entry(entry, file, f"generator[{i}]") for i, entry in enumerate(entries)),
        ai_descriptions=_patterns(descriptions.get("patterns", []), file, "ai_descriptions"),
    )


def _entry(entry: object, file: str, key: str) -> GeneratorEntry:
    table = _table(entry, file, key)
    _only_keys(table, {"name", "implies", "patterns"}, file, key)
    implies = _class(table.get("implies", "possible"), file, f"{key}.implies")
    if implies not in (Involvement.GENERATED, Involvement.POSSIBLE):
        raise PolicyDataError(file, f"{key}.implies", 'must be "generated" or "possible"')
    patterns = _patterns(table.get("patterns"), file, key)
    if not patterns:
        raise PolicyDataError(file, f"{key}.patterns", "needs at least one pattern")
    return GeneratorEntry(_text(table.get("name"), file, f"{key}.name"), patterns, implies)


def _patterns(values: object, file: str, key: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(values, list):
        raise PolicyDataError(file, f"{key}.patterns", "expected a list of regular expressions")
    return tuple(_regex(value, file, f"{key}.patterns[{i}]") for i, value in enumerate(values))


def _regex(value: object, file: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(_text(value, file, key), re.IGNORECASE)
    except re.error as exc:
        raise PolicyDataError(file, key, f"invalid regular expression {value!r} ({exc})") from exc


def _class_table(value: object, file: str, key: str) -> dict[str, Involvement]:
    table = _table(value, file, key)
    return {name: _class(level, file, f"{key}.{name}") for name, level in table.items()}


def _class(value: object, file: str, key: str) -> Involvement:
    if isinstance(value, str) and value in _CLASSES:
        return _CLASSES[value]
    raise PolicyDataError(file, key, f"{value!r} is not one of {', '.join(_CLASSES)}")


def _table(value: object, file: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyDataError(file, key, f"expected a table, found {type(value).__name__}")
    return value


def _text(value: object, file: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyDataError(file, key, "expected a non-empty string")
    return value


def _only_keys(table: dict[str, Any], allowed: set[str], file: str, prefix: str) -> None:
    # A misspelt key would otherwise be silently ignored and the policy quietly weaker.
    unknown = sorted(set(table) - allowed)
    if unknown:
        where = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
        raise PolicyDataError(file, where, f"unknown key (allowed: {', '.join(sorted(allowed))})")
