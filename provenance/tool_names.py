"""The software a file's credentials and unsigned metadata name (issue 7). Pure.

Every claim_generator, claim_generator_info name and action softwareAgent (a string in
actions v1, a {name, version} object in v2) across all manifests of the store, then the
unsigned XMP xmp:CreatorTool / Iptc4xmpExt:AISystemUsed and PNG `Software` names. Each keeps
where it came from and how far it can be relied on: signed-and-valid only when the manifest
naming it verified (the same test as the AI evidence, ai_detect), unsigned for metadata
anyone can write. The policy matches these names against the studio's tool registry
(GP-2, GP-3); a name matching no entry is just software (a camera, a signing library).
"""

from __future__ import annotations

from typing import Any

from provenance.credentials import store_strength
from provenance.manifest.graph import SignalKind, build_graph
from provenance.model import Strength, ToolName, UnsignedMetadata

MAX_TOOL_NAMES = 64  # a hostile store with thousands of actions must not bloat the row
MAX_NAME_CHARS = 200


def tool_names(
    store: dict[str, Any] | None, validation_state: str | None, unsigned: UnsignedMetadata
) -> tuple[ToolName, ...]:
    """The distinct software names of a manifest store (None: no credentials) and of the
    unsigned metadata, credentials first. Never raises on any store shape."""
    found = _signed_names(store, validation_state) if store is not None else []
    found += [
        ToolName(_clean(name), source, Strength.UNSIGNED) for source, name in unsigned.software
    ]
    unique = dict.fromkeys(name for name in found if name.name)
    return tuple(unique)[:MAX_TOOL_NAMES]


def _signed_names(store: dict[str, Any], validation_state: str | None) -> list[ToolName]:
    graph = build_graph(store)
    base, weak = store_strength(store, validation_state), graph.weak_nodes()
    names = []
    for label in graph.walk_order():
        strength = Strength.SIGNED_INVALID if label in weak else base
        for signal in graph.nodes[label].signals:
            source = _source(signal.kind, signal.location)
            if source is not None:
                names.append(ToolName(_clean(signal.value), source, strength))
    return names


def _source(kind: SignalKind, location: str) -> str | None:
    if kind is SignalKind.AGENT:
        return "c2pa.softwareAgent"
    if kind is SignalKind.CLAIM_GENERATOR:
        info = "claim_generator_info" in location
        return "c2pa.claim_generator_info" if info else "c2pa.claim_generator"
    return None


def _clean(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"
