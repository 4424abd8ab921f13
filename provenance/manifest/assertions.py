"""The accessors for what a manifest says: actions, software agents, digital source types,
claim generators and ingredients. Pure.

Detection (manifest.graph, then ai_detect and tool_names), `prov show` (manifest.view) and
the signing code (manifest.definition, whose JSON c2pa_io signs) go through this module, so
an assertion that detection counts is one that `show` lists, and a software agent has one
name everywhere (issue 9). Manifests are hostile input: a field of the wrong type reads as
absent, and no accessor raises on any JSON value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

# c2pa.actions, c2pa.actions.v2, any later .vN, and the `__N` multiples (DOMAIN.md section 4).
_ACTIONS_LABEL = re.compile(r"c2pa\.actions(\.v\d+)?(__\d+)?")
# The label the project's own signing code writes (manifest.definition).
ACTIONS_LABEL_V2 = "c2pa.actions.v2"
# Where writers put a source type besides the action's own field (Firefly third-party models).
PARAMETER_SOURCE_TYPE = "com.adobe.digitalSourceType"
# The manifest label inside a JUMBF URI: `self#jumbf=/c2pa/<label>/...`.
_MANIFEST_IN_URL = re.compile(r"/c2pa/([^/]+)")


class Action(NamedTuple):
    """One entry of an actions assertion's `actions` list, or one of its `templates`.
    (A NamedTuple: detection builds one per action of every manifest on the scan path.)"""

    assertion: str  # the assertion's label, e.g. "c2pa.actions.v2__1"
    position: int  # in its list (non-objects count, so positions match the file)
    template: bool  # from `templates` (a template's "*" action means every action)
    name: str | None  # "c2pa.created", ...; None when missing
    software_agent: str | None  # agent_name(softwareAgent)
    agent_version: str | None  # the v2 object's version, when there is one
    source_types: tuple[str, ...]  # digitalSourceType and parameters' Adobe key, deduplicated
    descriptions: tuple[str, ...]  # description and parameters.description, as written

    @property
    def where(self) -> str:
        """Where it sits, for evidence locations: `c2pa.actions.v2[1]`, `... template[*]`."""
        if self.template:
            return f"{self.assertion} template[{self.name or self.position}]"
        return f"{self.assertion}[{self.position}]"


class Ingredient(NamedTuple):
    """One entry of a manifest's `ingredients` list."""

    position: int  # in the list (non-objects count)
    title: str | None
    relationship: str | None  # parentOf, componentOf, inputTo; None when missing
    format: str | None
    label: str | None  # its assertion label as written (c2pa.ingredient.v3__1)
    manifest: str | None  # the label of its own manifest (ingredient_manifest_label)
    source_types: tuple[str, ...]  # written on the ingredient, its data or metadata
    fields: Mapping[str, Any]  # the raw object, for validation results


def is_actions_label(label: object) -> bool:
    """c2pa.actions, c2pa.actions.vN (v2, v3, ...) and their `__N` multiples."""
    return isinstance(label, str) and _ACTIONS_LABEL.fullmatch(label) is not None


def agent_name(agent: object) -> str | None:
    """The name of a softwareAgent: a string in actions v1, a {name, version} object in v2.
    Anything else, or a blank name, is None."""
    return text(agent) or text(as_dict(agent).get("name"))


def agent_version(agent: object) -> str | None:
    """The version of a v2 softwareAgent object; None for a v1 string or a malformed one."""
    return text(as_dict(agent).get("version"))


def software_agent(name: str, version: str | None = None) -> dict[str, str]:
    """A v2 softwareAgent object, the form the signing code writes."""
    return {"name": name, **({"version": version} if version else {})}


def actions_of(manifest: object, *, templates: bool = False) -> list[Action]:
    """The actions of every actions assertion of a manifest, in file order; with
    `templates`, each assertion's templates follow its actions."""
    found: list[Action] = []
    for label, data in action_assertions(manifest):
        found += _entries(label, data.get("actions"), template=False)
        if templates:
            found += _entries(label, data.get("templates"), template=True)
    return found


def action_assertions(manifest: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, data) of each actions assertion whose data is an object."""
    for assertion in as_list(as_dict(manifest).get("assertions")):
        label, data = as_dict(assertion).get("label"), as_dict(assertion).get("data")
        if is_actions_label(label) and isinstance(data, dict):
            yield str(label), data


def _entries(label: str, entries: object, *, template: bool) -> list[Action]:
    return [
        _action(label, index, entry, template)
        for index, entry in enumerate(as_list(entries))
        if isinstance(entry, dict)
    ]


def _action(label: str, index: int, entry: dict[str, Any], template: bool) -> Action:
    parameters = as_dict(entry.get("parameters"))
    descriptions = (entry.get("description"), parameters.get("description"))
    return Action(
        assertion=label,
        position=index,
        template=template,
        name=text(entry.get("action")),
        software_agent=agent_name(entry.get("softwareAgent")),
        agent_version=agent_version(entry.get("softwareAgent")),
        source_types=action_source_types(entry),
        descriptions=tuple(value for value in map(text, descriptions) if value),
    )


def action_source_types(entry: object) -> tuple[str, ...]:
    """The digital source types an action (or template) declares: its own field and
    `parameters["com.adobe.digitalSourceType"]`, stripped and deduplicated."""
    entry_dict = as_dict(entry)
    candidates = (
        entry_dict.get("digitalSourceType"),
        as_dict(entry_dict.get("parameters")).get(PARAMETER_SOURCE_TYPE),
    )
    found = (text(value) for value in candidates)
    return tuple(dict.fromkeys(value.strip() for value in found if value))


def ingredients_of(manifest: object) -> list[Ingredient]:
    """The ingredients of a manifest. Readers list them under `ingredients` (the ingredient
    assertions themselves are not repeated among `assertions`)."""
    return [
        _ingredient(index, entry)
        for index, entry in enumerate(as_list(as_dict(manifest).get("ingredients")))
        if isinstance(entry, dict)
    ]


def _ingredient(index: int, entry: dict[str, Any]) -> Ingredient:
    return Ingredient(
        position=index,
        title=text(entry.get("title")),
        relationship=text(entry.get("relationship")),
        format=text(entry.get("format")),
        label=text(entry.get("label")),
        manifest=ingredient_manifest_label(entry),
        source_types=ingredient_source_types(entry),
        fields=entry,
    )


def ingredient_manifest_label(ingredient: object) -> str | None:
    """The label of an ingredient's own manifest: `active_manifest`, else `manifest_data`'s
    identifier, else the label inside a v1 `c2pa_manifest` JUMBF URL."""
    entry = as_dict(ingredient)
    direct = text(entry.get("active_manifest"))
    if direct:
        return direct
    identifier = text(as_dict(entry.get("manifest_data")).get("identifier"))
    if identifier:
        return identifier
    return manifest_in_url(as_dict(entry.get("c2pa_manifest")).get("url"))


def manifest_in_url(url: object) -> str | None:
    """The manifest label a JUMBF URI names (`self#jumbf=/c2pa/<label>/...`), if any."""
    match = _MANIFEST_IN_URL.search(url) if isinstance(url, str) else None
    return match.group(1) if match else None


def ingredient_source_types(ingredient: object) -> tuple[str, ...]:
    """Source types newer writers put on the ingredient itself or in its data/metadata."""
    entry = as_dict(ingredient)
    holders = (entry, as_dict(entry.get("data")), as_dict(entry.get("metadata")))
    found = (text(holder.get("digitalSourceType")) for holder in holders)
    return tuple(value.strip() for value in found if value)


def claim_generator_infos(manifest: object) -> list[dict[str, Any]]:
    """claim_generator_info entries: one object in v2 claims, a list in v1 manifests as
    c2pa-rs reports them."""
    infos = as_dict(manifest).get("claim_generator_info")
    entries = infos if isinstance(infos, list) else [infos]
    return [info for info in entries if isinstance(info, dict)]


def claim_generator(manifest: object) -> str | None:
    """claim_generator (v1 string), else the first named claim_generator_info with its version."""
    legacy = text(as_dict(manifest).get("claim_generator"))
    if legacy:
        return legacy
    for info in claim_generator_infos(manifest):
        name, version = text(info.get("name")), text(info.get("version"))
        if name:
            return f"{name} {version}" if version else name
    return None


def active_manifest(store: object) -> dict[str, Any]:
    """The manifest the store's `active_manifest` label names; {} when there is none."""
    store_dict = as_dict(store)
    label = store_dict.get("active_manifest")
    manifests = as_dict(store_dict.get("manifests"))
    return as_dict(manifests.get(label)) if isinstance(label, str) else {}


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: object) -> str | None:
    """A string with something in it, as written; None for anything else."""
    return value if isinstance(value, str) and value.strip() else None
