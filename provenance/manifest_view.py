"""Human-oriented views of a manifest store for `prov show`: actions and the ingredient tree.

Pure; tolerant of any shape (hostile manifests yield fewer lines, never an exception).
"""

from __future__ import annotations

from typing import Any

from provenance.credentials import active_manifest, claim_generator

MAX_TREE_DEPTH = 12


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_actions_label(label: Any) -> bool:
    """c2pa.actions, c2pa.actions.v2 and their `__N` multiples."""
    return isinstance(label, str) and label.split("__", 1)[0] in ("c2pa.actions", "c2pa.actions.v2")


def actions_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of a manifest, flattened, with the fields people read."""
    actions: list[dict[str, Any]] = []
    for assertion in _list(manifest.get("assertions")):
        if is_actions_label(_dict(assertion).get("label")):
            data = _dict(_dict(assertion).get("data"))
            actions.extend(_action_view(a) for a in _list(data.get("actions")))
    return actions


def _action_view(action: Any) -> dict[str, Any]:
    action = _dict(action)
    parameters = _dict(action.get("parameters"))
    return {
        "action": action.get("action"),
        "software_agent": _agent_name(action.get("softwareAgent")),
        "digital_source_type": action.get("digitalSourceType")
        or parameters.get("com.adobe.digitalSourceType"),
        "description": action.get("description") or parameters.get("description"),
    }


def _agent_name(agent: Any) -> str | None:
    if isinstance(agent, str):
        return agent
    agent = _dict(agent)
    name, version = agent.get("name"), agent.get("version")
    if isinstance(name, str):
        return f"{name} {version}" if isinstance(version, str) else name
    return None


def ingredient_tree(store: dict[str, Any]) -> list[dict[str, Any]]:
    """Ingredients of the active manifest, each with the ingredients of its own manifest."""
    manifests = _dict(store.get("manifests"))
    label = store.get("active_manifest")
    return _ingredients(active_manifest(store), manifests, {label} if label else set(), 0)


def _ingredients(
    manifest: dict[str, Any], manifests: dict[str, Any], seen: set[Any], depth: int
) -> list[dict[str, Any]]:
    if depth >= MAX_TREE_DEPTH:
        return []
    return [_ingredient_view(i, manifests, seen, depth) for i in _list(manifest.get("ingredients"))]


def _ingredient_view(
    ingredient: Any, manifests: dict[str, Any], seen: set[Any], depth: int
) -> dict[str, Any]:
    ingredient = _dict(ingredient)
    label = ingredient.get("active_manifest")
    child = _dict(manifests.get(label)) if isinstance(label, str) else {}
    view: dict[str, Any] = {
        "title": ingredient.get("title"),
        "relationship": ingredient.get("relationship"),
        "format": ingredient.get("format"),
        "manifest": label if isinstance(label, str) else None,
        "claim_generator": claim_generator(child) if child else None,
        "actions": actions_of(child) if child else [],
        "ingredients": [],
    }
    if child and label not in seen:  # a cycle shows the manifest once
        view["ingredients"] = _ingredients(child, manifests, seen | {label}, depth + 1)
    return view
