"""Hypothesis strategies for manifest stores: JSON of any shape, and shapes close to real
manifests with each field possibly replaced by junk. Used by the totality tests of
detection (test_ai_detect) and of the manifest accessors (test_manifest_assertions)."""

from __future__ import annotations

from hypothesis import strategies as st

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TAM = IPTC + "trainedAlgorithmicMedia"
EDITED_DST = IPTC + "compositeWithTrainedAlgorithmicMedia"

LABELS = ["m0", "m1", "m2"]
KEYS = [
    "active_manifest",
    "manifests",
    "assertions",
    "label",
    "data",
    "actions",
    "templates",
    "action",
    "digitalSourceType",
    "parameters",
    "com.adobe.digitalSourceType",
    "softwareAgent",
    "name",
    "description",
    "claim_generator",
    "claim_generator_info",
    "ingredients",
    "relationship",
    "manifest_data",
    "identifier",
    "c2pa_manifest",
    "url",
    "metadata",
    "title",
    "validation_status",
    "validation_results",
    "activeManifest",
    "failure",
    "code",
    "ingredientDeltas",
    "ingredientAssertionURI",
    "validationDeltas",
    "validation_state",
]
WORDS = [
    *LABELS,
    TAM,
    EDITED_DST,
    IPTC + "digitalCapture",
    "c2pa.created",
    "c2pa.opened",
    "c2pa.placed",
    "c2pa.edited",
    "c2pa.actions",
    "c2pa.actions.v2",
    "c2pa.actions__1",
    "c2pa.actions.v3",
    "c2pa.actions__2",
    "*",
    "parentOf",
    "componentOf",
    "inputTo",
    "Adobe Firefly",
    "Adobe_Firefly",
    "ChatGPT",
    "AI Generated Image",
    "Valid",
    "Invalid",
    "claimSignature.mismatch",
    "self#jumbf=/c2pa/m0/c2pa.assertions/c2pa.ingredient.v3",
    "c2pa.ingredient.v3",
]
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(WORDS)
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=30,
)
# Shapes close to real manifests (so the rules fire), each field possibly replaced by junk.
words = st.sampled_from(WORDS) | json_values
action_dicts = st.fixed_dictionaries(
    {},
    optional={
        "action": words,
        "digitalSourceType": words,
        "softwareAgent": words | st.fixed_dictionaries({"name": words}),
        "description": words,
        "parameters": st.fixed_dictionaries(
            {}, optional={"com.adobe.digitalSourceType": words, "description": words}
        )
        | json_values,
    },
)
actions_data = st.fixed_dictionaries(
    {},
    optional={
        "actions": st.lists(action_dicts | json_values, max_size=4),
        "templates": st.lists(action_dicts, max_size=2) | json_values,
    },
)
assertions = st.fixed_dictionaries(
    {
        "label": st.sampled_from(["c2pa.actions", "c2pa.actions.v2__2", "c2pa.actions.v3", "x"])
        | json_values
    },
    optional={"data": actions_data | json_values},
)
ingredient_dicts = st.fixed_dictionaries(
    {},
    optional={
        "relationship": words,
        "active_manifest": words,
        "manifest_data": st.fixed_dictionaries({"identifier": words}) | json_values,
        "digitalSourceType": words,
        "label": words,
        "title": words,
        "validation_status": st.lists(st.fixed_dictionaries({"code": words}), max_size=2)
        | json_values,
    },
)
manifests = st.fixed_dictionaries(
    {},
    optional={
        "assertions": st.lists(assertions, max_size=3) | json_values,
        "ingredients": st.lists(ingredient_dicts | json_values, max_size=3),
        "claim_generator": words,
        "claim_generator_info": st.lists(st.fixed_dictionaries({"name": words}), max_size=2)
        | json_values,
    },
)
stores = st.fixed_dictionaries(
    {"manifests": st.dictionaries(st.sampled_from(LABELS), manifests, min_size=1, max_size=3)},
    optional={
        "active_manifest": st.sampled_from(LABELS) | json_values,
        "validation_results": json_values,
        "validation_state": json_values,
    },
)
