"""Human-oriented views of a manifest store for `prov show`: actions and the ingredient tree.

Pure; tolerant of any shape (hostile manifests yield fewer lines, never an exception). The
actions and ingredients come from manifest.assertions, the accessors detection uses, so
`show` lists every action that detection counts (issue 9).
"""

from __future__ import annotations

from typing import Any

from provenance.manifest.assertions import (
    Action,
    Ingredient,
    actions_of,
    active_manifest,
    as_dict,
    claim_generator,
    ingredients_of,
)

MAX_TREE_DEPTH = 12


def action_views(manifest: object) -> list[dict[str, Any]]:
    """Every action of a manifest, flattened, with the fields people read."""
    return [_action_view(action) for action in actions_of(manifest)]


def _action_view(action: Action) -> dict[str, Any]:
    return {
        "action": action.name,
        "software_agent": action.software_agent,
        "software_agent_version": action.agent_version,
        "digital_source_type": next(iter(action.source_types), None),
        "description": next(iter(action.descriptions), None),
    }


def ingredient_tree(store: object) -> list[dict[str, Any]]:
    """Ingredients of the active manifest, each with the ingredients of its own manifest."""
    label = as_dict(store).get("active_manifest")
    manifests = as_dict(as_dict(store).get("manifests"))
    seen = {label} if isinstance(label, str) else set()
    return _ingredients(active_manifest(store), manifests, seen, 0)


def _ingredients(
    manifest: dict[str, Any], manifests: dict[str, Any], seen: set[str], depth: int
) -> list[dict[str, Any]]:
    if depth >= MAX_TREE_DEPTH:
        return []
    return [_ingredient_view(i, manifests, seen, depth) for i in ingredients_of(manifest)]


def _ingredient_view(
    ingredient: Ingredient, manifests: dict[str, Any], seen: set[str], depth: int
) -> dict[str, Any]:
    label = ingredient.manifest
    child = as_dict(manifests.get(label)) if label else {}
    view: dict[str, Any] = {
        "title": ingredient.title,
        "relationship": ingredient.relationship,
        "format": ingredient.format,
        "manifest": label,
        "claim_generator": claim_generator(child) if child else None,
        "actions": action_views(child) if child else [],
        "ingredients": [],
    }
    if child and label and label not in seen:  # a cycle shows the manifest once
        view["ingredients"] = _ingredients(child, manifests, seen | {label}, depth + 1)
    return view
