"""The manifest store (c2pa-python's Reader.json()) read as a graph of manifests. Pure.

Each manifest becomes a node holding the raw *signals* found in it (digital source types,
software agents, claim generators, action descriptions) and its ingredients, which point at
other nodes. Interpreting the signals is ai_detect's job; this module only finds them.
Manifests are hostile input: a field of the wrong type reads as absent, never raises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from provenance.credentials import is_failure_code
from provenance.manifest.assertions import (
    Action,
    Ingredient,
    actions_of,
    as_dict,
    as_list,
    claim_generator_infos,
    ingredients_of,
    manifest_in_url,
    text,
)


class SignalKind(StrEnum):
    SOURCE_TYPE = "source_type"  # a digitalSourceType URI or term
    AGENT = "agent"  # an action's softwareAgent (string in v1, {name, version} in v2)
    CLAIM_GENERATOR = "claim_generator"  # claim_generator or claim_generator_info[].name
    DESCRIPTION = "description"  # an action's free-text description


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    location: str  # "<manifest label> / <assertion label>[<index>]" and the like
    value: str
    action: str | None = None  # the action it sits on ("*" for a wildcard template)
    # For a tool name or description: the source types declared on the same action.
    action_source_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngredientRef:
    relationship: str  # parentOf, componentOf, inputTo, or "unknown" when missing
    target: str | None  # label of the ingredient's own manifest when it is in the store
    failed: bool  # its own validation results show a real failure
    signals: tuple[Signal, ...]  # source types written on the ingredient itself


@dataclass(frozen=True)
class ManifestNode:
    label: str
    signals: tuple[Signal, ...]
    ingredients: tuple[IngredientRef, ...]


@dataclass(frozen=True)
class ManifestGraph:
    active: str | None
    nodes: Mapping[str, ManifestNode]  # in store order
    # Manifests a failure code of the store's validation results names (issue 7).
    failed: frozenset[str] = frozenset()
    # An ingredient failure no manifest can be found for: every ingredient is suspect.
    unattributed_failure: bool = False

    def walk_order(self) -> list[str]:
        """Every node once: reachable from the active manifest first (breadth first), then
        the unreachable ones in store order. Cycles and missing labels are harmless."""
        order = self._reachable(self.active, parents_only=False)
        seen = set(order)
        return order + [label for label in self.nodes if label not in seen]

    def parent_line(self) -> frozenset[str]:
        """Nodes reachable from the active manifest through `parentOf` links only: the
        asset's own ancestry, whose origin the asset inherits (OpenAI's pattern)."""
        return frozenset(self._reachable(self.active, parents_only=True))

    def failed_targets(self) -> frozenset[str]:
        """Nodes that some ingredient reference reports as failing validation."""
        return frozenset(
            ref.target
            for node in self.nodes.values()
            for ref in node.ingredients
            if ref.failed and ref.target
        )

    def weak_nodes(self) -> frozenset[str]:
        """Nodes whose claims do not verify: those a failure names or an ingredient reference
        reports failing, and those the active manifest reaches only through such nodes (the
        link to the asset is then asserted by a broken claim)."""
        failed = self.failed | self.failed_targets()
        if self.unattributed_failure:
            failed |= {label for label in self.nodes if label != self.active}
        reachable = self._reachable(self.active, parents_only=False)
        sound = self._reachable(self.active, parents_only=False, avoid=failed)
        return frozenset(failed | (set(reachable) - set(sound)))

    def _reachable(
        self, start: str | None, *, parents_only: bool, avoid: frozenset[str] = frozenset()
    ) -> list[str]:
        if start is None or start not in self.nodes or start in avoid:
            return []
        order, seen, queue = [start], {start}, deque([start])
        while queue:
            for ref in self.nodes[queue.popleft()].ingredients:
                if parents_only and ref.relationship != "parentOf":
                    continue
                target = ref.target
                if target is None or target in avoid:
                    continue
                if target in self.nodes and target not in seen:
                    order.append(target)
                    seen.add(target)
                    queue.append(target)
        return order


def build_graph(store: object) -> ManifestGraph:
    """Read a manifest store; anything that is not a dict yields an empty graph."""
    store_dict = as_dict(store)
    manifests = as_dict(store_dict.get("manifests"))
    failing = _failing_ingredient_uris(store_dict)
    nodes = {
        label: _node(label, manifest, failing)
        for label, manifest in manifests.items()
        if isinstance(label, str) and isinstance(manifest, dict)
    }
    failed, unattributed = _failing_labels(store_dict)
    return ManifestGraph(_active_label(store_dict, nodes), nodes, failed, unattributed)


def _active_label(store: dict[str, object], nodes: Mapping[str, ManifestNode]) -> str | None:
    label = store.get("active_manifest")
    if isinstance(label, str) and label in nodes:
        return label
    # The C2PA spec makes the last manifest the active one; use that when the label is broken.
    return next(reversed(list(nodes)), None)


def _node(label: str, manifest: dict[str, object], failing: frozenset[str]) -> ManifestNode:
    signals = [*_generator_signals(label, manifest)]
    for action in actions_of(manifest, templates=True):
        signals.extend(_action_signals(f"{label} / {action.where}", action))
    ingredients = tuple(_ingredient(label, item, failing) for item in ingredients_of(manifest))
    return ManifestNode(label, tuple(signals), ingredients)


def _generator_signals(label: str, manifest: dict[str, object]) -> Iterator[Signal]:
    legacy = text(manifest.get("claim_generator"))
    if legacy:
        yield Signal(SignalKind.CLAIM_GENERATOR, f"{label} / claim_generator", legacy)
    for index, info in enumerate(claim_generator_infos(manifest)):
        name = text(info.get("name"))
        if name:
            where = f"{label} / claim_generator_info[{index}]"
            yield Signal(SignalKind.CLAIM_GENERATOR, where, name)


def _action_signals(where: str, action: Action) -> Iterator[Signal]:
    # Same location for both places a source type can sit, so equal values deduplicate.
    for value in action.source_types:
        yield Signal(SignalKind.SOURCE_TYPE, where, value, action.name)
    declared = action.source_types
    if action.software_agent:
        where_agent = f"{where} softwareAgent"
        yield Signal(SignalKind.AGENT, where_agent, action.software_agent, action.name, declared)
    for value in action.descriptions:
        where_text = f"{where} description"
        yield Signal(SignalKind.DESCRIPTION, where_text, value, action.name, declared)


def _ingredient(label: str, item: Ingredient, failing: frozenset[str]) -> IngredientRef:
    where = f"{label} / ingredient[{item.position}]" + (f' "{item.title}"' if item.title else "")
    signals = (Signal(SignalKind.SOURCE_TYPE, where, value) for value in item.source_types)
    return IngredientRef(
        relationship=item.relationship or "unknown",
        target=item.manifest,
        failed=_ingredient_failed(label, item, failing),
        signals=tuple(signals),
    )


def _ingredient_failed(label: str, item: Ingredient, failing: frozenset[str]) -> bool:
    fields = item.fields
    results = as_dict(as_dict(fields.get("validation_results")).get("activeManifest"))
    codes = _codes(fields.get("validation_status")) + _codes(results.get("failure"))
    if any(_is_failure(code) for code in codes):
        return True
    suffix = f"/{label}/c2pa.assertions/{item.label}"
    return item.label is not None and any(uri.endswith(suffix) for uri in failing)


def _failing_ingredient_uris(store: dict[str, object]) -> frozenset[str]:
    """Ingredient assertion URIs whose store-level `ingredientDeltas` report a failure
    (where c2pa-rs puts ingredient results for v2 claims)."""
    failing = set()
    for delta in as_list(as_dict(store.get("validation_results")).get("ingredientDeltas")):
        uri = text(as_dict(delta).get("ingredientAssertionURI"))
        failures = _codes(as_dict(as_dict(delta).get("validationDeltas")).get("failure"))
        if uri and any(_is_failure(code) for code in failures):
            failing.add(uri)
    return frozenset(failing)


def _failing_labels(store: dict[str, object]) -> tuple[frozenset[str], bool]:
    """Manifests named by the URL of a failure code (`self#jumbf=/c2pa/<label>/...`) in the
    store's validation results or legacy `validation_status`, and whether an ingredient
    failure names none. c2pa-rs reports an ingredient's own failures there, beside a Valid
    state of the active manifest in some versions (issue 7)."""
    results = as_dict(store.get("validation_results"))
    entries = as_list(results.get("ingredientDeltas"))
    deltas = [as_dict(as_dict(d).get("validationDeltas")) for d in entries]
    ingredient = [e for d in deltas for e in as_list(d.get("failure"))]
    active = as_list(as_dict(results.get("activeManifest")).get("failure"))
    labels: set[str] = set()
    unattributed = False
    for entry, of_ingredient in [
        *((e, False) for e in [*active, *as_list(store.get("validation_status"))]),
        *((e, True) for e in ingredient),
    ]:
        code, url = text(as_dict(entry).get("code")), text(as_dict(entry).get("url"))
        if not code or not _is_failure(code):
            continue
        named = manifest_in_url(url)
        if named:
            labels.add(named)
        unattributed |= of_ingredient and not named
    return frozenset(labels), unattributed


def _is_failure(code: str) -> bool:
    return is_failure_code(code)


def _codes(entries: object) -> list[str]:
    return [code for entry in as_list(entries) if (code := text(as_dict(entry).get("code")))]
