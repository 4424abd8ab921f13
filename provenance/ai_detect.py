"""How much generative AI went into an asset, from its C2PA manifest store and unsigned hints.

Pure: values in, an AiAssessment out; the policy tables it reads (data/source_types.toml,
data/generators.toml) are loaded by ai_tables. Every observation becomes an Evidence item
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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# The tables the rules read (data/*.toml), re-exported for the callers that load them.
from provenance.ai_tables import GeneratorEntry as GeneratorEntry
from provenance.ai_tables import GeneratorRegistry as GeneratorRegistry
from provenance.ai_tables import SourceTypeTable as SourceTypeTable
from provenance.ai_tables import load_generator_registry as load_generator_registry
from provenance.ai_tables import load_source_types as load_source_types
from provenance.ai_tables import source_type_term as source_type_term
from provenance.credentials import store_strength
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
