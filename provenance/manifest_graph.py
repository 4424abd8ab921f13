"""The manifest store (c2pa-python's Reader.json()) read as a graph of manifests. Pure.

Each manifest becomes a node holding the raw *signals* found in it (digital source types,
software agents, claim generators, action descriptions) and its ingredients, which point at
other nodes. Interpreting the signals is ai_detect's job; this module only finds them.
Manifests are hostile input: a field of the wrong type reads as absent, never raises.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from provenance.credentials import is_failure_code

# c2pa.actions, c2pa.actions.v2 and the `__N` multiples (DOMAIN.md section 4).
_ACTIONS_LABEL = re.compile(r"^c2pa\.actions(\.v\d+)?(__\d+)?$")
# Where writers put a source type besides the action's own field (Firefly third-party models).
_PARAMETER_SOURCE_TYPE = "com.adobe.digitalSourceType"


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
    store_dict = _dict(store)
    manifests = _dict(store_dict.get("manifests"))
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
    for assertion_label, data in _action_assertions(manifest):
        signals.extend(_action_signals(f"{label} / {assertion_label}", data))
    ingredients = tuple(
        _ingredient(label, index, ingredient, failing)
        for index, ingredient in enumerate(_list(manifest.get("ingredients")))
        if isinstance(ingredient, dict)
    )
    return ManifestNode(label, tuple(signals), ingredients)


def _generator_signals(label: str, manifest: dict[str, object]) -> Iterator[Signal]:
    legacy = _str(manifest.get("claim_generator"))
    if legacy:
        yield Signal(SignalKind.CLAIM_GENERATOR, f"{label} / claim_generator", legacy)
    infos = manifest.get("claim_generator_info")
    # v2 claims hold one object; v1 manifests as c2pa-rs reports them hold a list.
    for index, info in enumerate(infos if isinstance(infos, list) else [infos]):
        name = _str(_dict(info).get("name"))
        if name:
            where = f"{label} / claim_generator_info[{index}]"
            yield Signal(SignalKind.CLAIM_GENERATOR, where, name)


def _action_assertions(manifest: dict[str, object]) -> Iterator[tuple[str, dict[str, object]]]:
    for assertion in _list(manifest.get("assertions")):
        label = _str(_dict(assertion).get("label"))
        data = _dict(assertion).get("data")
        if label and _ACTIONS_LABEL.match(label) and isinstance(data, dict):
            yield label, data


def _action_signals(where: str, data: dict[str, object]) -> Iterator[Signal]:
    for index, action in enumerate(_list(data.get("actions"))):
        action_dict = _dict(action)
        name = _str(action_dict.get("action"))
        yield from _signals_on(f"{where}[{index}]", action_dict, name)
    for index, template in enumerate(_list(data.get("templates"))):
        template_dict = _dict(template)
        name = _str(template_dict.get("action"))
        yield from _signals_on(f"{where} template[{name or index}]", template_dict, name)


def _signals_on(where: str, action: dict[str, object], name: str | None) -> Iterator[Signal]:
    parameters = _dict(action.get("parameters"))
    candidates = (action.get("digitalSourceType"), parameters.get(_PARAMETER_SOURCE_TYPE))
    found = (_str(value) for value in candidates)
    source_types = tuple(dict.fromkeys(value.strip() for value in found if value))
    # Same location for both places a source type can sit, so equal values deduplicate.
    for value in source_types:
        yield Signal(SignalKind.SOURCE_TYPE, where, value, name)
    agent = _agent_name(action.get("softwareAgent"))
    if agent:
        yield Signal(SignalKind.AGENT, f"{where} softwareAgent", agent, name, source_types)
    for text in (action.get("description"), parameters.get("description")):
        if _str(text):
            where_text = f"{where} description"
            yield Signal(SignalKind.DESCRIPTION, where_text, str(text), name, source_types)


def _agent_name(agent: object) -> str | None:
    """softwareAgent is a string in actions v1 and a {name, version} object in v2."""
    return _str(agent) or _str(_dict(agent).get("name"))


def _ingredient(
    label: str, index: int, ingredient: dict[str, object], failing: frozenset[str]
) -> IngredientRef:
    title = _str(ingredient.get("title"))
    where = f"{label} / ingredient[{index}]" + (f' "{title}"' if title else "")
    return IngredientRef(
        relationship=_str(ingredient.get("relationship")) or "unknown",
        target=_ingredient_target(ingredient),
        failed=_ingredient_failed(label, ingredient, failing),
        signals=tuple(_ingredient_signals(where, ingredient)),
    )


def _ingredient_signals(where: str, ingredient: dict[str, object]) -> Iterator[Signal]:
    # Newer writers put the source type on the ingredient itself or inside its data/metadata.
    holders = (ingredient, _dict(ingredient.get("data")), _dict(ingredient.get("metadata")))
    for holder in holders:
        value = _str(holder.get("digitalSourceType"))
        if value:
            yield Signal(SignalKind.SOURCE_TYPE, where, value.strip())


def _ingredient_target(ingredient: dict[str, object]) -> str | None:
    """The label of the ingredient's manifest: `active_manifest`, else `manifest_data`'s
    identifier, else the label inside a v1 `c2pa_manifest` JUMBF URL."""
    direct = _str(ingredient.get("active_manifest"))
    if direct:
        return direct
    identifier = _str(_dict(ingredient.get("manifest_data")).get("identifier"))
    if identifier:
        return identifier
    url = _str(_dict(ingredient.get("c2pa_manifest")).get("url"))
    match = re.search(r"/c2pa/([^/]+)", url or "")
    return match.group(1) if match else None


def _ingredient_failed(label: str, ingredient: dict[str, object], failing: frozenset[str]) -> bool:
    results = _dict(_dict(ingredient.get("validation_results")).get("activeManifest"))
    codes = _codes(ingredient.get("validation_status")) + _codes(results.get("failure"))
    if any(_is_failure(code) for code in codes):
        return True
    assertion = _str(ingredient.get("label"))
    suffix = f"/{label}/c2pa.assertions/{assertion}"
    return bool(assertion) and any(uri.endswith(suffix) for uri in failing)


def _failing_ingredient_uris(store: dict[str, object]) -> frozenset[str]:
    """Ingredient assertion URIs whose store-level `ingredientDeltas` report a failure
    (where c2pa-rs puts ingredient results for v2 claims)."""
    failing = set()
    for delta in _list(_dict(store.get("validation_results")).get("ingredientDeltas")):
        uri = _str(_dict(delta).get("ingredientAssertionURI"))
        failures = _codes(_dict(_dict(delta).get("validationDeltas")).get("failure"))
        if uri and any(_is_failure(code) for code in failures):
            failing.add(uri)
    return frozenset(failing)


_MANIFEST_IN_URL = re.compile(r"/c2pa/([^/]+)")


def _failing_labels(store: dict[str, object]) -> tuple[frozenset[str], bool]:
    """Manifests named by the URL of a failure code (`self#jumbf=/c2pa/<label>/...`) in the
    store's validation results or legacy `validation_status`, and whether an ingredient
    failure names none. c2pa-rs reports an ingredient's own failures there, beside a Valid
    state of the active manifest in some versions (issue 7)."""
    results = _dict(store.get("validation_results"))
    deltas = [
        _dict(_dict(d).get("validationDeltas")) for d in _list(results.get("ingredientDeltas"))
    ]
    ingredient = [e for d in deltas for e in _list(d.get("failure"))]
    active = _list(_dict(results.get("activeManifest")).get("failure"))
    labels: set[str] = set()
    unattributed = False
    for entry, of_ingredient in [
        *((e, False) for e in [*active, *_list(store.get("validation_status"))]),
        *((e, True) for e in ingredient),
    ]:
        code, url = _str(_dict(entry).get("code")), _str(_dict(entry).get("url"))
        if not code or not _is_failure(code):
            continue
        match = _MANIFEST_IN_URL.search(url or "")
        if match:
            labels.add(match.group(1))
        unattributed |= of_ingredient and not match
    return frozenset(labels), unattributed


def _is_failure(code: str) -> bool:
    return is_failure_code(code)


def _codes(entries: object) -> list[str]:
    return [code for entry in _list(entries) if (code := _str(_dict(entry).get("code")))]


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
