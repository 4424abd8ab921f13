"""The Builder JSON the project's signing code writes (c2pa_io signs it). Pure.

Built with the labels and shapes manifest.assertions reads back, so a file the project signs
is read by detection and `prov show` exactly as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from provenance.manifest.assertions import ACTIONS_LABEL_V2
from provenance.manifest.assertions import software_agent as agent_object

IPTC_SOURCE_TYPE_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"


class CitedIngredient(Protocol):
    """What an action needs of an ingredient (c2pa_io.IngredientSpec): the id it cites."""

    @property
    def ingredient_id(self) -> str: ...


def manifest_definition(
    title: str,
    *,
    actions: list[dict[str, Any]],
    claim_generator: str = "prov/0.1",
    assertions: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The Builder JSON for one manifest: a `c2pa.actions.v2` assertion plus any others.
    `claim_generator` is "name/version", the way User-Agent strings are written."""
    name, _, version = claim_generator.partition("/")
    generator: dict[str, str] = {"name": name}
    if version:
        generator["version"] = version
    return {
        "claim_generator_info": [generator],
        "title": title,
        "assertions": [
            {"label": ACTIONS_LABEL_V2, "data": {"actions": list(actions)}},
            *assertions,
        ],
    }


def action(
    name: str,
    *,
    digital_source_type: str | None = None,
    software_agent: str | dict[str, str] | None = None,
    ingredients: Sequence[CitedIngredient] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """One `c2pa.actions.v2` entry. A bare IPTC term (e.g. "trainedAlgorithmicMedia") is
    expanded to its URI. `c2pa.opened`/`c2pa.placed` must cite their ingredients, or
    c2pa-rs's verify-after-sign fails with `assertion.action.ingredientMismatch`."""
    entry: dict[str, Any] = {"action": name}
    if digital_source_type:
        entry["digitalSourceType"] = _source_type_uri(digital_source_type)
    if software_agent:
        # v2 actions take an object; a plain name is the common case for callers.
        entry["softwareAgent"] = (
            agent_object(software_agent)
            if isinstance(software_agent, str)
            else dict(software_agent)
        )
    if description:
        entry["description"] = description
    if ingredients:
        entry["parameters"] = {"ingredientIds": [spec.ingredient_id for spec in ingredients]}
    return entry


def _source_type_uri(term_or_uri: str) -> str:
    return term_or_uri if "/" in term_or_uri else IPTC_SOURCE_TYPE_BASE + term_or_uri
