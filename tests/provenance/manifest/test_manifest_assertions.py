"""provenance.manifest.assertions: the one reading of actions, software agents, source
types, claim generators and ingredients (issue 9), and its totality on any JSON value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from provenance.credentials import summarize_manifest_store
from provenance.manifest.assertions import (
    action_source_types,
    actions_of,
    active_manifest,
    agent_name,
    agent_version,
    claim_generator,
    claim_generator_infos,
    ingredient_manifest_label,
    ingredient_source_types,
    ingredients_of,
    is_actions_label,
    manifest_in_url,
)
from provenance.manifest.definition import action, manifest_definition
from provenance.manifest.graph import SignalKind, build_graph
from provenance.manifest.view import action_views, ingredient_tree
from provenance.model import CredentialLocation
from tests.provenance.manifest.manifest_strategies import json_values, stores
from tests.provenance.manifest.manifest_strategies import manifests as manifest_shapes

TAM = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@pytest.mark.parametrize(
    "label",
    [
        "c2pa.actions",
        "c2pa.actions.v2",
        "c2pa.actions.v3",
        "c2pa.actions.v12",
        "c2pa.actions__1",
        "c2pa.actions__2",
        "c2pa.actions.v2__3",
        "c2pa.actions.v3__10",
    ],
)
def test_every_actions_version_and_multiple_is_an_actions_label(label: str) -> None:
    assert is_actions_label(label)


@pytest.mark.parametrize(
    "label",
    [
        "c2pa.actionsX",
        "c2pa.actions.",
        "c2pa.actions.v",
        "c2pa.actions.vx",
        "c2pa.actions.v2x",
        "c2pa.actions__",
        "c2pa.actions__x",
        "xc2pa.actions",
        "c2pa.actions.v2 ",
        "c2pa.ingredient.v3",
        "",
        None,
        2,
        ["c2pa.actions"],
    ],
)
def test_lookalike_and_non_string_labels_are_not_actions(label: Any) -> None:
    assert not is_actions_label(label)


@pytest.mark.parametrize(
    ("agent", "name", "version"),
    [
        ("Adobe Firefly", "Adobe Firefly", None),  # v1: a string
        ({"name": "Adobe Firefly", "version": "3.0"}, "Adobe Firefly", "3.0"),  # v2: an object
        ({"name": "Nuke"}, "Nuke", None),
        ({"name": "Nuke", "version": 15}, "Nuke", None),  # a version of the wrong type
        ({"version": "3.0"}, None, "3.0"),  # no name: no agent
        ({"name": ["Nuke"]}, None, None),
        ({"name": "   "}, None, None),
        ("", None, None),
        ("  ", None, None),
        (None, None, None),
        (42, None, None),
        (["Adobe Firefly"], None, None),
    ],
)
def test_agent_name_of_v1_string_v2_object_and_malformed(
    agent: object, name: str | None, version: str | None
) -> None:
    assert agent_name(agent) == name
    assert agent_version(agent) == version


@pytest.mark.parametrize(
    "agent",
    ["Adobe Firefly", {"name": "Adobe Firefly", "version": "3.0"}, {"version": "3"}, 7, [], ""],
)
def test_an_agent_has_one_name_in_detection_and_in_show(agent: object) -> None:
    """Before issue 9, `show` said "Adobe Firefly 3.0" where detection said "Adobe Firefly"."""
    manifest = {
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "softwareAgent": agent}]},
            }
        ]
    }
    graph = build_graph({"active_manifest": "m", "manifests": {"m": manifest}})
    detected = [s.value for s in graph.nodes["m"].signals if s.kind is SignalKind.AGENT]
    shown = [view["software_agent"] for view in action_views(manifest)]
    assert shown == [agent_name(agent)]
    assert detected == ([agent_name(agent)] if agent_name(agent) else [])


def test_actions_of_reads_every_actions_assertion_in_order_and_templates_on_request() -> None:
    manifest = {
        "assertions": [
            {"label": "c2pa.actions.v3", "data": {"actions": [{"action": "c2pa.created"}]}},
            {"label": "c2pa.hash.data", "data": {"actions": [{"action": "c2pa.hidden"}]}},
            {"label": "c2pa.actions__2", "data": {"actions": ["junk", {"action": "c2pa.edited"}]}},
            {"label": "c2pa.actions.v2", "data": {"templates": [{"action": "*"}]}},
            {"label": "c2pa.actions.v2__1", "data": ["not", "an", "object"]},
        ]
    }
    found = actions_of(manifest)
    assert [(a.name, a.where) for a in found] == [
        ("c2pa.created", "c2pa.actions.v3[0]"),
        ("c2pa.edited", "c2pa.actions__2[1]"),  # the junk entry keeps its position
    ]
    with_templates = actions_of(manifest, templates=True)
    assert with_templates[-1].template and with_templates[-1].where == "c2pa.actions.v2 template[*]"


def test_source_types_come_from_the_action_and_adobe_parameter_deduplicated() -> None:
    both = {"digitalSourceType": f" {TAM} ", "parameters": {"com.adobe.digitalSourceType": TAM}}
    assert action_source_types(both) == (TAM,)
    only_parameter = {"parameters": {"com.adobe.digitalSourceType": "compositeSynthetic"}}
    assert action_source_types(only_parameter) == ("compositeSynthetic",)
    assert action_source_types({"digitalSourceType": 5, "parameters": "x"}) == ()
    holder = {"digitalSourceType": TAM, "data": {"digitalSourceType": "x"}, "metadata": 3}
    assert ingredient_source_types(holder) == (TAM, "x")


def test_ingredients_name_their_manifest_three_ways() -> None:
    assert (
        ingredient_manifest_label({"active_manifest": "a", "manifest_data": {"identifier": "b"}})
        == "a"
    )
    assert ingredient_manifest_label({"manifest_data": {"identifier": "b"}}) == "b"
    url = {"c2pa_manifest": {"url": "self#jumbf=/c2pa/urn:uuid:c/c2pa.assertions/x"}}
    assert ingredient_manifest_label(url) == "urn:uuid:c"
    assert ingredient_manifest_label({"active_manifest": "  ", "c2pa_manifest": {"url": 3}}) is None
    assert manifest_in_url("no jumbf here") is None
    manifest = {
        "ingredients": [{"title": "a.jpg", "relationship": "parentOf"}, "junk", {"title": 1}]
    }
    found = ingredients_of(manifest)
    assert [(i.position, i.title, i.relationship) for i in found] == [
        (0, "a.jpg", "parentOf"),
        (2, None, None),
    ]


def test_claim_generator_info_as_one_object_is_read_by_the_summary_too() -> None:
    """A v2 claim holds one claim_generator_info object; the summary read only lists."""
    manifest = {"claim_generator_info": {"name": "Adobe Firefly", "version": "4.0"}}
    store = {"active_manifest": "m", "manifests": {"m": manifest}}
    summary = summarize_manifest_store(store, "Valid", location=CredentialLocation.EMBEDDED)
    assert summary.claim_generator == "Adobe Firefly 4.0"
    assert claim_generator({"claim_generator_info": [{"name": "c2pa-rs"}]}) == "c2pa-rs"
    assert claim_generator({"claim_generator_info": [{"version": "1"}, 3]}) is None
    assert (
        claim_generator({"claim_generator": "legacy/1.0", "claim_generator_info": []})
        == "legacy/1.0"
    )


def test_what_signing_writes_reads_back_through_the_accessors() -> None:
    agent = {"name": "Nuke", "version": "15.1"}
    written = manifest_definition(
        "comp.jpg",
        actions=[
            action(
                "c2pa.created", digital_source_type="trainedAlgorithmicMedia", software_agent=agent
            )
        ],
    )
    (read,) = actions_of(written)
    assert (read.name, read.software_agent, read.agent_version) == ("c2pa.created", "Nuke", "15.1")
    assert read.source_types == (TAM,)
    (plain,) = actions_of(
        manifest_definition("a.jpg", actions=[action("c2pa.opened", software_agent="ChatGPT")])
    )
    assert (plain.software_agent, plain.agent_version) == ("ChatGPT", None)


# ---- totality: no accessor raises on any JSON value -----------------------------------


@settings(max_examples=300, deadline=None)
@given(manifest_shapes | json_values)
def test_no_accessor_raises_on_any_json_value(value: Any) -> None:
    for read in (
        agent_name, agent_version, action_source_types, ingredient_manifest_label,
        ingredient_source_types, manifest_in_url, claim_generator, claim_generator_infos,
        active_manifest, ingredients_of, action_views, is_actions_label,
    ):  # fmt: skip
        read(value)
    for entry in actions_of(value, templates=True):
        assert is_actions_label(entry.assertion)
        assert entry.software_agent is None or entry.software_agent.strip()
    store = {"active_manifest": "m", "manifests": {"m": value}}
    assert action_views(active_manifest(store)) == action_views(value)
    build_graph(store)


@settings(max_examples=200, deadline=None)
@given(stores | json_values)
def test_the_view_never_raises_and_lists_what_detection_reads(store: Any) -> None:
    """Every agent `show` lists in a manifest is one detection reads there, in order."""
    ingredient_tree(store)
    graph = build_graph(store)
    for label, node in graph.nodes.items():
        shown = [a["software_agent"] for a in action_views(store["manifests"][label])]
        agents = [s for s in node.signals if s.kind is SignalKind.AGENT]
        assert [name for name in shown if name] == [
            s.value for s in agents if "template[" not in s.location
        ]
