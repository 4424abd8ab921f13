"""provenance.manifest.view (what `prov show` prints) lists exactly the actions and
ingredients that detection counts (issue 9: `show` hid c2pa.actions.v3 and `__N` actions
that detection read), on real stores from the corpus goldens relabelled as newer writers do."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from provenance.ai_detect import detect_ai
from provenance.manifest.assertions import active_manifest
from provenance.manifest.graph import SignalKind, build_graph
from provenance.manifest.view import action_views, ingredient_tree
from provenance.model import Involvement, UnsignedMetadata

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
LABELS = [
    "c2pa.actions",
    "c2pa.actions.v2",
    "c2pa.actions.v3",
    "c2pa.actions__2",
    "c2pa.actions.v3__1",
]


def golden(name: str) -> dict[str, Any]:
    store: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))["store"]
    return store


def relabelled(store: dict[str, Any], label: str) -> dict[str, Any]:
    """The store with its actions assertions labelled `label`, then `label`'s base with
    `__1`, `__2`, ... (a manifest holding several, as the spec numbers them)."""
    copied = copy.deepcopy(store)
    for manifest in copied["manifests"].values():
        found = [a for a in manifest.get("assertions", []) if a["label"].startswith("c2pa.actions")]
        for index, assertion in enumerate(found):
            assertion["label"] = label if index == 0 else f"{label.split('__')[0]}__{index}"
    return copied


def counted(store: dict[str, Any], label: str, kind: SignalKind) -> list[str]:
    """Values of the signals detection found on the actions (not templates) of one manifest."""
    node = build_graph(store).nodes[label]
    return [s.value for s in node.signals if s.kind is kind and "template[" not in s.location]


@pytest.mark.parametrize("label", LABELS)
def test_show_lists_the_actions_detection_counts_whatever_the_actions_label(label: str) -> None:
    store = relabelled(golden("firefly_cai_jpg.json"), label)
    shown = action_views(active_manifest(store))
    assert [(a["action"], a["software_agent"]) for a in shown] == [
        ("c2pa.created", "Adobe Firefly")
    ]
    assert shown[0]["digital_source_type"].endswith("/trainedAlgorithmicMedia")
    assessment = detect_ai(store, "Valid", UnsignedMetadata())
    assert assessment.involvement is Involvement.GENERATED
    assert any(e.location.endswith(f"/ {label}[0]") for e in assessment.evidence)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.json")))
@pytest.mark.parametrize("label", ["c2pa.actions.v3", "c2pa.actions__2"])
def test_every_golden_store_shows_each_agent_and_source_type_detection_counts(
    name: str, label: str
) -> None:
    store = relabelled(golden(name), label)
    for manifest_label, manifest in store["manifests"].items():
        shown = action_views(manifest)
        agents = [a["software_agent"] for a in shown if a["software_agent"]]
        assert agents == counted(store, manifest_label, SignalKind.AGENT)
        # One line per action: its first source type (a second one sits at the same place).
        first: dict[str, str] = {}
        for signal in build_graph(store).nodes[manifest_label].signals:
            if signal.kind is SignalKind.SOURCE_TYPE and "template[" not in signal.location:
                first.setdefault(signal.location, signal.value)
        assert [a["digital_source_type"] for a in shown if a["digital_source_type"]] == list(
            first.values()
        )


def test_a_non_actions_label_is_neither_shown_nor_counted() -> None:
    store = relabelled(golden("firefly_cai_jpg.json"), "c2pa.actionsX")
    assert action_views(active_manifest(store)) == []
    evidence = detect_ai(store, "Valid", UnsignedMetadata()).evidence
    assert evidence and not any("c2pa.actions" in e.location for e in evidence)


def test_the_tree_follows_ingredients_to_their_manifest_as_detection_does() -> None:
    """An ingredient naming its manifest only through `manifest_data.identifier` (or a v1
    c2pa_manifest URL) was a leaf in `show` while detection walked into it."""
    parent = {
        "claim_generator_info": [{"name": "GPT-4o"}],
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{"action": "c2pa.created"}]}}
        ],
    }
    active = {
        "ingredients": [
            {"title": "a.png", "relationship": "parentOf", "manifest_data": {"identifier": "p"}},
            {
                "title": "b.png",
                "relationship": "componentOf",
                "c2pa_manifest": {"url": "self#jumbf=/c2pa/p/x"},
            },
            "junk",
        ]
    }
    store = {"active_manifest": "a", "manifests": {"a": active, "p": parent}}
    tree = ingredient_tree(store)
    assert [(i["title"], i["manifest"], i["claim_generator"]) for i in tree] == [
        ("a.png", "p", "GPT-4o"),
        ("b.png", "p", "GPT-4o"),
    ]
    assert tree[0]["actions"][0]["action"] == "c2pa.created"
    assert build_graph(store).parent_line() == {"a", "p"}


def test_a_cycle_shows_each_manifest_once_and_junk_shows_nothing() -> None:
    a = {"ingredients": [{"title": "b", "active_manifest": "b"}]}
    b = {"ingredients": [{"title": "a", "active_manifest": "a"}]}
    tree = ingredient_tree({"active_manifest": "a", "manifests": {"a": a, "b": b}})
    assert tree[0]["ingredients"][0]["title"] == "a"
    assert tree[0]["ingredients"][0]["ingredients"] == []
    assert ingredient_tree({"active_manifest": 3, "manifests": []}) == []
    assert (
        action_views({"assertions": [{"label": "c2pa.actions", "data": {"actions": [1, None]}}]})
        == []
    )
