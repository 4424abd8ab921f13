"""detect_ai: golden manifest stores, one table per rule (AI-1..AI-7), strength, policy tables,
hypothesis totality and monotonicity, and a pass over the real third-party corpus.

Golden files in golden/ are manifest stores as provenance.c2pa_io.read_credentials returned
them for corpus files (`source` names the file; re-record with make_context(ReaderSettings())
and read_credentials(path, mime)), plus hand-written `synthetic_*` stores for writer patterns
the corpus lacks (OpenAI, Bing, templates, cycles, ...).
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.ai_detect import (
    MAX_EVIDENCE,
    MAX_VALUE_CHARS,
    GeneratorRegistry,
    detect_ai,
    load_generator_registry,
    load_source_types,
    source_type_term,
)
from provenance.errors import PolicyDataError
from provenance.model import (
    INVOLVEMENT_RANK,
    AiAssessment,
    Evidence,
    Involvement,
    Strength,
    UnsignedMetadata,
)
from tests.provenance.manifest.manifest_strategies import WORDS, json_values, stores

GOLDEN = Path(__file__).parent / "golden"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TAM = IPTC + "trainedAlgorithmicMedia"
EDITED_DST = IPTC + "compositeWithTrainedAlgorithmicMedia"
NO_HINTS = UnsignedMetadata()

G, E, C, P, N, U = (
    Involvement.GENERATED,
    Involvement.EDITED,
    Involvement.COMPOSITE,
    Involvement.POSSIBLE,
    Involvement.NONE,
    Involvement.UNKNOWN,
)


# ---- builders for small stores -------------------------------------------------------------


def act(name: str = "c2pa.created", dst: str | None = None, **extra: Any) -> dict[str, Any]:
    action: dict[str, Any] = {"action": name, **extra}
    if dst:
        action["digitalSourceType"] = dst
    return action


def manifest(
    label: str,
    *actions: dict[str, Any],
    ingredients: list[dict[str, Any]] | None = None,
    templates: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {"actions": list(actions)}
    if templates is not None:
        data["templates"] = templates
    body = {"label": label, "assertions": [{"label": "c2pa.actions.v2", "data": data}], **extra}
    if ingredients is not None:
        body["ingredients"] = ingredients
    return body


def ing(target: str | None = None, relationship: str | None = "parentOf", **extra: Any) -> dict:
    ingredient: dict[str, Any] = {"title": "in.jpg", "label": "c2pa.ingredient.v3", **extra}
    if relationship:
        ingredient["relationship"] = relationship
    if target:
        ingredient["active_manifest"] = target
    return ingredient


def store(*manifests: dict[str, Any], active: str | None = None) -> dict[str, Any]:
    labels = [m["label"] for m in manifests]
    return {
        "active_manifest": active or labels[-1],
        "manifests": {m["label"]: m for m in manifests},
        "validation_state": "Valid",
    }


def involvement(store_json: Any, state: str | None = "Valid", hints=NO_HINTS) -> Involvement:
    return detect_ai(store_json, state, hints).involvement


def golden(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def rank(level: Involvement) -> int:
    return INVOLVEMENT_RANK[level]


# ---- golden stores -------------------------------------------------------------------------

GOLDEN_EXPECTED = {
    # real files from the corpus
    "firefly_cai_jpg": G,  # c2pa.created + trainedAlgorithmicMedia, "Adobe Firefly"
    "firefly_third_party_png": G,  # source type only in parameters (Gemini via Firefly)
    "firefly_audio_wav": G,
    "firefly_input_ingredients_jpg": G,  # inputTo ingredients (model, references), no DST
    "express_signed_pdf": E,  # created + compositeWithTrained, Firefly componentOf
    "photoshop_generative_fill_jpg": E,  # opened/edited + compositeWithTrained
    "algorithmic_media_jpg": N,  # algorithmicMedia is not genAI
    "algorithmic_ingredient_invalid_jpg": N,  # Invalid store, algorithmicMedia parent
    "failed_component_ingredient_jpg": N,
    "digital_capture_jpg": N,
    "no_source_type_jpg": N,
    "google_pixel_no_source_type_jpg": N,  # "Google C2PA Core Generator Library"
    # hand-written patterns the corpus lacks
    "synthetic_openai_parent_ingredient": G,
    "synthetic_bing_image_creator": G,
    "synthetic_template_wildcard": G,
    "synthetic_v2_software_agent_object": G,
    "synthetic_manifest_cycle": G,
    "synthetic_missing_label_and_orphan": C,
    "synthetic_actions_multiple_assertions": E,
    "synthetic_composite_synthetic_component": C,
    "synthetic_ingredient_source_type_parent": G,
    "synthetic_ingredient_delta_failure": G,
}


def test_every_golden_file_has_an_expectation() -> None:
    assert {path.stem for path in GOLDEN.glob("*.json")} == set(GOLDEN_EXPECTED)


@pytest.mark.parametrize("name", sorted(GOLDEN_EXPECTED))
def test_golden_involvement(name: str) -> None:
    doc = golden(name)
    result = detect_ai(doc["store"], doc["validation_state"], NO_HINTS)
    assert result.involvement is GOLDEN_EXPECTED[name]
    assert (GOLDEN / f"{name}.json").stat().st_size < 50_000


def test_golden_results_serialise_to_json() -> None:
    for name in GOLDEN_EXPECTED:
        doc = golden(name)
        result = detect_ai(doc["store"], doc["validation_state"], NO_HINTS)
        json.dumps(result.to_dict())


def test_express_keeps_the_firefly_ingredient_as_composite_evidence() -> None:
    doc = golden("express_signed_pdf")
    items = detect_ai(doc["store"], doc["validation_state"], NO_HINTS).evidence
    ingredient_label = "urn:uuid:2b72203a-9870-407e-b8e5-d4e20a01f1b5"
    from_ingredient = [e for e in items if e.location.startswith(ingredient_label)]
    assert from_ingredient and {e.implies for e in from_ingredient} == {C}
    agent = next(e for e in items if e.location.endswith("[0] softwareAgent"))
    assert (agent.value, agent.implies) == ("Adobe Firefly", E)  # refined by the action's DST


def test_firefly_parameter_source_type_location() -> None:
    doc = golden("firefly_third_party_png")
    items = detect_ai(doc["store"], doc["validation_state"], NO_HINTS).evidence
    active = doc["store"]["active_manifest"]
    dst = [e for e in items if e.source == "c2pa.digitalSourceType"]
    assert (
        Evidence(
            "c2pa.digitalSourceType",
            f"{active} / c2pa.actions.v2[0]",
            TAM,
            Strength.SIGNED_VALID,
            G,
        )
        in dst
    )


def test_non_genai_source_types_are_recorded_as_none() -> None:
    doc = golden("algorithmic_media_jpg")
    items = detect_ai(doc["store"], doc["validation_state"], NO_HINTS).evidence
    assert [(e.value.rsplit("/", 1)[-1], e.implies) for e in items] == [("algorithmicMedia", N)]


def test_openai_evidence_comes_from_the_parent_manifest() -> None:
    doc = golden("synthetic_openai_parent_ingredient")
    items = detect_ai(doc["store"], doc["validation_state"], NO_HINTS).evidence
    generated = [e for e in items if e.implies is G]
    assert generated and all("0001-4000" in e.location for e in generated)


def test_failed_ingredient_delta_weakens_only_that_manifest() -> None:
    doc = copy.deepcopy(golden("synthetic_ingredient_delta_failure"))
    active = doc["store"]["active_manifest"]
    doc["store"]["manifests"][active]["claim_generator"] = "Midjourney"
    items = detect_ai(doc["store"], doc["validation_state"], NO_HINTS).evidence
    strengths = {e.location.split(" / ")[0] == active: e.strength for e in items}
    assert strengths == {True: Strength.SIGNED_VALID, False: Strength.SIGNED_INVALID}


def test_ingredient_validation_status_failure_weakens_its_manifest() -> None:
    # Real store: a Valid file whose componentOf ingredient has claimSignature.mismatch.
    doc = copy.deepcopy(golden("failed_component_ingredient_jpg"))
    target = "contentauth:urn:uuid:bc347336-f111-4c34-82da-a970150c5490"
    doc["store"]["manifests"][target]["assertions"].append(
        {"label": "c2pa.actions__1", "data": {"actions": [act("c2pa.created", TAM)]}}
    )
    result = detect_ai(doc["store"], doc["validation_state"], NO_HINTS)
    from_target = [e for e in result.evidence if e.location.startswith(target)]
    assert [(e.strength, e.implies) for e in from_target] == [(Strength.SIGNED_INVALID, C)]
    assert result.involvement is C
    active = [e for e in result.evidence if not e.location.startswith(target)]
    assert {e.strength for e in active} == {Strength.SIGNED_VALID}


# ---- AI-1: the active manifest's own source types --------------------------------------------

AI_1 = {
    "created TAM": ([act("c2pa.created", TAM)], G),
    "opened TAM": ([act("c2pa.opened", TAM)], G),
    "created compositeWithTrained": ([act("c2pa.created", EDITED_DST)], E),
    "created compositeSynthetic": ([act("c2pa.created", IPTC + "compositeSynthetic")], C),
    "edited TAM is capped to edited": ([act("c2pa.edited", TAM)], E),
    "placed TAM is capped to composite": ([act("c2pa.placed", TAM)], C),
    "placed compositeWithTrained": ([act("c2pa.placed", EDITED_DST)], C),
    "parameters com.adobe.digitalSourceType": (
        [act("c2pa.opened", parameters={"com.adobe.digitalSourceType": TAM})],
        G,
    ),
    "algorithmicMedia is not genAI": ([act("c2pa.created", IPTC + "algorithmicMedia")], N),
    "digitalCapture": ([act("c2pa.created", IPTC + "digitalCapture")], N),
    "virtualRecording": ([act("c2pa.created", IPTC + "virtualRecording")], P),
    "composite": ([act("c2pa.created", IPTC + "composite")], P),
    "unrecognised term": ([act("c2pa.created", IPTC + "holographicCapture")], P),
    "retired softwareImage": ([act("c2pa.created", IPTC + "softwareImage")], N),
    "c2pa empty canvas": ([act("c2pa.created", "http://c2pa.org/digitalsourcetype/empty")], N),
    "c2pa trainedAlgorithmicData": (
        [act("c2pa.created", "http://c2pa.org/digitalsourcetype/trainedAlgorithmicData")],
        G,
    ),
    "no source type": ([act("c2pa.created"), act("c2pa.resized")], N),
    "non-string source type": ([act("c2pa.created", digitalSourceType={"uri": TAM})], N),
}


@pytest.mark.parametrize("actions, expected", AI_1.values(), ids=AI_1.keys())
def test_ai_1_active_manifest_source_types(actions: list[dict], expected: Involvement) -> None:
    assert involvement(store(manifest("m", *actions))) is expected


TEMPLATES = {
    "wildcard": ({"action": "*", "digitalSourceType": TAM}, G),
    "named created": ({"action": "c2pa.created", "digitalSourceType": TAM}, G),
    "named edited": ({"action": "c2pa.edited", "digitalSourceType": TAM}, E),
    "no action": ({"digitalSourceType": EDITED_DST}, E),
}


@pytest.mark.parametrize("template, expected", TEMPLATES.values(), ids=TEMPLATES.keys())
def test_ai_1_templates(template: dict, expected: Involvement) -> None:
    body = manifest("m", act("c2pa.created"), templates=[template])
    assert involvement(store(body)) is expected


@pytest.mark.parametrize(
    "label", ["c2pa.actions", "c2pa.actions.v2", "c2pa.actions__1", "c2pa.actions.v2__3"]
)
def test_ai_1_every_actions_assertion_label(label: str) -> None:
    body = {"label": "m", "assertions": [{"label": label, "data": {"actions": [act(dst=TAM)]}}]}
    assert involvement(store(body)) is G


def test_ai_1_other_assertions_are_not_actions() -> None:
    body = {
        "label": "m",
        "assertions": [{"label": "c2pa.actionsX", "data": {"actions": [act(dst=TAM)]}}],
    }
    assert involvement(store(body)) is N


@pytest.mark.parametrize(
    "value",
    [
        TAM,
        "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        TAM + "/",
        "trainedAlgorithmicMedia",
        " TrainedAlgorithmicMedia ",
        "cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    ],
)
def test_source_type_uri_normalisation(value: str) -> None:
    assert source_type_term(value).lower() == "trainedalgorithmicmedia"
    assert load_source_types().classify(value) is G


SOURCE_TYPE_CLASSES = {
    "trainedAlgorithmicMedia": G,
    "compositeWithTrainedAlgorithmicMedia": E,
    "compositeSynthetic": C,
    "virtualRecording": P,
    "composite": P,
    "algorithmicallyEnhanced": N,
    "algorithmicMedia": N,
    "digitalCapture": N,
    "computationalCapture": N,
    "negativeFilm": N,
    "positiveFilm": N,
    "print": N,
    "screenCapture": N,
    "compositeCapture": N,
    "humanEdits": N,
    "digitalCreation": N,
    "dataDrivenMedia": N,
    "softwareImage": N,
    "minorHumanEdits": N,
    "digitalArt": N,
    "trainedAlgorithmicData": G,
    "empty": N,
}


@pytest.mark.parametrize("term, expected", SOURCE_TYPE_CLASSES.items())
def test_source_type_table_covers_domain_section_3(term: str, expected: Involvement) -> None:
    assert load_source_types().classify(IPTC + term) is expected


# ---- AI-2 / AI-3: the provenance graph -------------------------------------------------------

GENAI_PARENT = manifest("parent", act("c2pa.created", TAM))

AI_2_3 = {
    "parentOf inherits generated": (
        [GENAI_PARENT, manifest("a", act("c2pa.opened"), ingredients=[ing("parent")])],
        G,
    ),
    "grandparent through parentOf": (
        [
            GENAI_PARENT,
            manifest("mid", act("c2pa.opened"), ingredients=[ing("parent")]),
            manifest("a", act("c2pa.opened"), ingredients=[ing("mid")]),
        ],
        G,
    ),
    "parentOf inherits edited": (
        [
            manifest("parent", act("c2pa.edited", EDITED_DST)),
            manifest("a", act("c2pa.opened"), ingredients=[ing("parent")]),
        ],
        E,
    ),
    "componentOf is composite": (
        [
            GENAI_PARENT,
            manifest("a", act("c2pa.placed"), ingredients=[ing("parent", "componentOf")]),
        ],
        C,
    ),
    "inputTo is composite": (
        [GENAI_PARENT, manifest("a", act("c2pa.created"), ingredients=[ing("parent", "inputTo")])],
        C,
    ),
    "missing relationship is composite": (
        [GENAI_PARENT, manifest("a", act("c2pa.opened"), ingredients=[ing("parent", None)])],
        C,
    ),
    "parent of a component is composite": (
        [
            GENAI_PARENT,
            manifest("comp", act("c2pa.opened"), ingredients=[ing("parent")]),
            manifest("a", act("c2pa.placed"), ingredients=[ing("comp", "componentOf")]),
        ],
        C,
    ),
    "unreachable manifest is composite": ([GENAI_PARENT, manifest("a", act("c2pa.created"))], C),
    "componentOf possible stays possible": (
        [
            manifest("p", act(dst=IPTC + "virtualRecording")),
            manifest("a", act("c2pa.placed"), ingredients=[ing("p", "componentOf")]),
        ],
        P,
    ),
    "own generated beats component": (
        [
            GENAI_PARENT,
            manifest("a", act("c2pa.created", TAM), ingredients=[ing("parent", "componentOf")]),
        ],
        G,
    ),
    "non-genAI parent": (
        [
            manifest("parent", act(dst=IPTC + "digitalCapture")),
            manifest("a", act("c2pa.opened"), ingredients=[ing("parent")]),
        ],
        N,
    ),
    "missing ingredient label": ([manifest("a", act("c2pa.opened"), ingredients=[ing("gone")])], N),
    "ingredient DST on parentOf": (
        [manifest("a", act("c2pa.opened"), ingredients=[ing(None, digitalSourceType=TAM)])],
        G,
    ),
    "ingredient DST on componentOf": (
        [
            manifest(
                "a",
                act("c2pa.placed"),
                ingredients=[ing(None, "componentOf", digitalSourceType=TAM)],
            )
        ],
        C,
    ),
    "ingredient DST inside metadata": (
        [
            manifest(
                "a",
                act("c2pa.opened"),
                ingredients=[ing(None, metadata={"digitalSourceType": TAM})],
            )
        ],
        G,
    ),
    "manifest_data identifier link": (
        [
            GENAI_PARENT,
            manifest(
                "a",
                act("c2pa.opened"),
                ingredients=[ing(None, manifest_data={"identifier": "parent"})],
            ),
        ],
        G,
    ),
    "v1 c2pa_manifest url link": (
        [
            GENAI_PARENT,
            manifest(
                "a",
                act("c2pa.opened"),
                ingredients=[ing(None, c2pa_manifest={"url": "self#jumbf=/c2pa/parent"})],
            ),
        ],
        G,
    ),
    "self cycle": ([manifest("a", act("c2pa.opened", TAM), ingredients=[ing("a")])], G),
}


@pytest.mark.parametrize("manifests, expected", AI_2_3.values(), ids=AI_2_3.keys())
def test_ai_2_3_graph(manifests: list[dict], expected: Involvement) -> None:
    assert involvement(store(*manifests, active="a")) is expected


def test_broken_active_label_falls_back_to_the_last_manifest() -> None:
    body = store(manifest("x", act("c2pa.created", IPTC + "digitalCapture")), GENAI_PARENT)
    body["active_manifest"] = 42
    assert involvement(body) is G  # "parent" is last, so it is the active one


def test_long_parent_chain_does_not_recurse() -> None:
    chain = [manifest("m0", act("c2pa.created", TAM))]
    chain += [
        manifest(f"m{i}", act("c2pa.opened"), ingredients=[ing(f"m{i - 1}")])
        for i in range(1, 5000)
    ]
    assert involvement(store(*chain)) is G


# ---- AI-4: generator names and descriptions --------------------------------------------------

AI_4 = {
    "Firefly agent on created": (manifest("m", act(softwareAgent="Adobe Firefly")), G),
    "v2 agent object on created": (
        manifest("m", act(softwareAgent={"name": "DALL·E 3", "version": "3"})),
        G,
    ),
    "possible-entry agent on created": (manifest("m", act(softwareAgent="Gemini")), G),
    "Firefly agent on edited": (
        manifest("m", act("c2pa.edited", softwareAgent="Adobe Firefly")),
        E,
    ),
    "Firefly agent on placed": (
        manifest("m", act("c2pa.placed", softwareAgent="Adobe Firefly")),
        C,
    ),
    "Gemini agent on opened": (manifest("m", act("c2pa.opened", softwareAgent="Gemini")), P),
    "Bing Image Creator": (
        manifest(
            "m", act(softwareAgent="Image Creator from Designer", description="AI Generated Image")
        ),
        G,
    ),
    "description alone on created": (manifest("m", act(description="AI Generated Image")), G),
    "description in parameters on edited": (
        manifest("m", act("c2pa.edited", parameters={"description": "Generative Fill"})),
        E,
    ),
    "ordinary description": (manifest("m", act(description="Opened a pre-existing file")), N),
    "claim_generator pure generator": (
        manifest("m", act("c2pa.opened"), claim_generator="Midjourney/7"),
        G,
    ),
    "claim_generator underscore Firefly": (
        manifest("m", act("c2pa.opened"), claim_generator="Adobe_Firefly adobe_c2pa/0.12.4"),
        G,
    ),
    "claim_generator general tool": (
        manifest("m", act("c2pa.opened"), claim_generator="ChatGPT"),
        P,
    ),
    "claim_generator_info list": (
        manifest("m", act("c2pa.opened"), claim_generator_info=[{"name": "Sora", "version": "1"}]),
        G,
    ),
    "claim_generator_info single object": (
        manifest("m", act("c2pa.opened"), claim_generator_info={"name": "Ideogram"}),
        G,
    ),
    "Photoshop is not genAI": (
        manifest(
            "m",
            act("c2pa.opened", softwareAgent="Adobe Photoshop 26.9"),
            claim_generator="Adobe_Photoshop/26.9.0 adobe_c2pa/0.14.2",
        ),
        N,
    ),
    "Pixel camera is not genAI": (
        manifest(
            "m",
            act("c2pa.created"),
            claim_generator_info=[{"name": "Google C2PA Core Generator Library"}],
        ),
        N,
    ),
    "agent refined by DST on the same action (Express)": (
        manifest("m", act(dst=EDITED_DST, softwareAgent="Adobe Firefly")),
        E,
    ),
    "agent against a non-genAI DST stays possible": (
        manifest("m", act(dst=IPTC + "digitalCapture", softwareAgent="Adobe Firefly")),
        P,
    ),
}


@pytest.mark.parametrize("body, expected", AI_4.values(), ids=AI_4.keys())
def test_ai_4_generators_and_descriptions(body: dict, expected: Involvement) -> None:
    assert involvement(store(body)) is expected


REGISTRY_NAMES = {
    "Adobe Firefly": "Adobe Firefly",
    "Adobe_Firefly adobe_c2pa/0.12.4": "Adobe Firefly",
    "Adobe Firefly Pipeline": "Adobe Firefly",
    "Image Creator from Designer": "Bing Image Creator",
    "Bing Image Creator": "Bing Image Creator",
    "Microsoft Designer": "Microsoft Designer",
    "DALL-E 3": "DALL-E",
    "DALL·E": "DALL-E",
    "OpenAI_DALL-E/3": "DALL-E",
    "Sora": "Sora",
    "ChatGPT": "ChatGPT",
    "GPT-4o": "ChatGPT",
    "OpenAI API": "OpenAI",
    "Google Imagen 3": "Google Imagen",
    "imagen-3.0-generate-002": "Google Imagen",
    "Gemini Flash": "Google Gemini",
    "Google Veo 3": "Google Veo",
    "Midjourney": "Midjourney",
    "Amazon Titan Image Generator G1": "Amazon Titan",
    "Amazon Bedrock": "Amazon Titan",
    "RunwayML": "Runway",
    "Runway Gen-3 Alpha": "Runway",
    "Stable Diffusion XL": "Stable Diffusion",
    "ComfyUI": "Stable Diffusion",
    "Stability AI": "Stability AI",
    "FLUX.1 [dev]": "FLUX (Black Forest Labs)",
    "Black Forest Labs": "FLUX (Black Forest Labs)",
    "Leonardo.Ai": "Leonardo.Ai",
    "Ideogram 2.0": "Ideogram",
    "Kling AI": "Kling",
    "Pika Labs": "Pika",
    "Luma AI Dream Machine": "Luma AI",
    "Meta AI": "Meta AI",
}
NOT_GENERATORS = [
    "Adobe Photoshop 26.9.0",
    "Adobe_Photoshop/26.9.0 adobe_c2pa/0.14.2 c2pa-rs/0.43.0",
    "Adobe Content Authenticity",
    "Adobe_Express/1.0.0 adobe_c2pa/0.8.0",
    "Google C2PA Core Generator Library 788623938:788623938",
    "make_test_images/0.33.1",
    "c2pa-rs/0.33.1",
    "LumaFusion 4.1",
    "DaVinci Resolve 19",
    "Final Cut Pro",
    "Leonardo da Vinci Museum",
    "Veo Cam 2",
    "Nikon Z 9",
    "Truepic Lens",
    "Lightroom Classic",
    "Image Processor",
    "Flux Capacitor Editor",
]


@pytest.mark.parametrize("text, name", REGISTRY_NAMES.items())
def test_registry_recognises_generators(text: str, name: str) -> None:
    entry = load_generator_registry().match(text)
    assert entry is not None and entry.name == name


@pytest.mark.parametrize("text", NOT_GENERATORS)
def test_registry_has_no_false_positives(text: str) -> None:
    assert load_generator_registry().match(text) is None


# ---- AI-5 .. AI-7: unsigned hints and the floor ----------------------------------------------

AI_5_7 = {
    "nothing at all": (None, NO_HINTS, U),
    "credentials without signals": (store(manifest("m", act("c2pa.opened"))), NO_HINTS, N),
    "empty store dict": ({}, NO_HINTS, N),
    "xmp TAM without credentials": (None, UnsignedMetadata((TAM,)), G),
    "xmp bare term": (None, UnsignedMetadata(("compositeWithTrainedAlgorithmicMedia",)), E),
    "xmp digitalCapture does not clear": (None, UnsignedMetadata((IPTC + "digitalCapture",)), U),
    "xmp virtualRecording": (None, UnsignedMetadata((IPTC + "virtualRecording",)), P),
    "png parameters": (None, UnsignedMetadata(png_text=(("parameters", "Steps: 20"),)), G),
    "png ComfyUI workflow": (None, UnsignedMetadata(png_text=(("workflow", "{}"),)), G),
    "png blank parameters": (None, UnsignedMetadata(png_text=(("parameters", "  "),)), U),
    "png other keyword": (None, UnsignedMetadata(png_text=(("Comment", "hello"),)), U),
    "unsigned genAI beats signed none": (
        store(manifest("m", act(dst=IPTC + "digitalCapture"))),
        UnsignedMetadata((TAM,)),
        G,
    ),
}


@pytest.mark.parametrize("store_json, hints, expected", AI_5_7.values(), ids=AI_5_7.keys())
def test_ai_5_7_unsigned_and_floor(store_json: Any, hints: UnsignedMetadata, expected) -> None:
    assert involvement(store_json, hints=hints) is expected


def test_unsigned_evidence_shape() -> None:
    hints = UnsignedMetadata((TAM,), (("parameters", "a cat"), ("prompt", "{}")))
    items = detect_ai(None, None, hints).evidence
    assert [(e.source, e.location, e.strength, e.implies) for e in items] == [
        ("xmp.DigitalSourceType", "xmp", Strength.UNSIGNED, G),
        ("png.parameters", "png:parameters", Strength.UNSIGNED, G),
        ("png.comfyui", "png:prompt", Strength.UNSIGNED, G),
    ]


# ---- strength --------------------------------------------------------------------------------

STRENGTHS = {
    "Valid": ("Valid", None, Strength.SIGNED_VALID),
    "Trusted": ("Trusted", None, Strength.SIGNED_VALID),
    "Invalid": ("Invalid", None, Strength.SIGNED_INVALID),
    "enum-like lower case": ("valid", None, Strength.SIGNED_VALID),
    "state from the store": (None, "Trusted", Strength.SIGNED_VALID),
    "no state anywhere": (None, None, Strength.SIGNED_INVALID),
}


@pytest.mark.parametrize("state, in_store, expected", STRENGTHS.values(), ids=STRENGTHS.keys())
def test_strength_follows_validation(state, in_store, expected: Strength) -> None:
    body = store(manifest("m", act(dst=TAM)))
    body["validation_state"] = in_store
    result = detect_ai(body, state, NO_HINTS)
    assert result.involvement is G  # a genAI claim counts whatever its strength
    assert {e.strength for e in result.evidence} == {expected}


INGREDIENT_STATUS = {
    "untrusted only": ({"validation_status": [{"code": "signingCredential.untrusted"}]}, True),
    "old-style success codes": (
        {"validation_status": [{"code": "assertion.dataHash.match"}]},
        True,
    ),
    "timestamp mismatch is informational": (
        {"validation_status": [{"code": "timeStamp.mismatch"}]},
        True,
    ),
    "claim signature mismatch": (
        {"validation_status": [{"code": "claimSignature.mismatch"}]},
        False,
    ),
    "results failure expired": (
        {
            "validation_results": {
                "activeManifest": {
                    "failure": [
                        {"code": "signingCredential.untrusted"},
                        {"code": "signingCredential.expired"},
                    ]
                }
            }
        },
        False,
    ),
    "results failure untrusted": (
        {
            "validation_results": {
                "activeManifest": {"failure": [{"code": "signingCredential.untrusted"}]}
            }
        },
        True,
    ),
}


@pytest.mark.parametrize("status, valid", INGREDIENT_STATUS.values(), ids=INGREDIENT_STATUS.keys())
def test_ingredient_validation_weakens_its_manifest(status: dict, valid: bool) -> None:
    body = store(
        GENAI_PARENT, manifest("a", act("c2pa.opened"), ingredients=[ing("parent", **status)])
    )
    items = detect_ai(body, "Valid", NO_HINTS).evidence
    expected = Strength.SIGNED_VALID if valid else Strength.SIGNED_INVALID
    assert [e.strength for e in items if e.location.startswith("parent")] == [expected]


def test_failed_ingredient_weakens_its_own_source_type() -> None:
    bad = ing(
        None, digitalSourceType=TAM, validation_status=[{"code": "assertion.dataHash.mismatch"}]
    )
    items = detect_ai(
        store(manifest("a", act("c2pa.opened"), ingredients=[bad])), "Valid", NO_HINTS
    ).evidence
    assert [(e.location, e.strength) for e in items] == [
        ('a / ingredient[0] "in.jpg"', Strength.SIGNED_INVALID)
    ]


# ---- evidence items --------------------------------------------------------------------------


def test_evidence_locations() -> None:
    body = manifest(
        "urn:x",
        act("c2pa.opened"),
        act(
            "c2pa.created", TAM, softwareAgent={"name": "Adobe Firefly"}, description="AI generated"
        ),
        templates=[{"action": "*", "digitalSourceType": IPTC + "digitalCreation"}],
        ingredients=[ing(None, "componentOf", title="sky", digitalSourceType=TAM)],
        claim_generator="Adobe_Firefly",
    )
    locations = [e.location for e in detect_ai(store(body), "Valid", NO_HINTS).evidence]
    assert locations == [
        "urn:x / claim_generator",
        "urn:x / c2pa.actions.v2[1]",
        "urn:x / c2pa.actions.v2[1] softwareAgent",
        "urn:x / c2pa.actions.v2[1] description",
        "urn:x / c2pa.actions.v2 template[*]",
        'urn:x / ingredient[0] "sky"',
    ]


def test_identical_items_are_deduplicated() -> None:
    # The same source type in the field and in the vendor parameter of one action.
    same = act(dst=TAM, parameters={"com.adobe.digitalSourceType": TAM})
    body = store(manifest("m", same), manifest("n", act(dst=TAM)), active="m")
    items = detect_ai(body, "Valid", NO_HINTS).evidence
    assert [e.location for e in items] == ["m / c2pa.actions.v2[0]", "n / c2pa.actions.v2[0]"]


def test_long_values_are_excerpted() -> None:
    items = detect_ai(
        store(manifest("m", act(description="AI generated " + "x" * 5000))), "Valid", NO_HINTS
    ).evidence
    assert len(items[0].value) == MAX_VALUE_CHARS


def test_evidence_is_bounded_but_explains_the_result() -> None:
    many = [
        act("c2pa.edited", IPTC + "digitalCapture", when=str(i)) for i in range(MAX_EVIDENCE + 50)
    ]
    body = store(manifest("m", *many, act("c2pa.placed", TAM)))
    result = detect_ai(body, "Valid", NO_HINTS)
    assert result.involvement is C
    assert len(result.evidence) == MAX_EVIDENCE
    assert any(e.implies is C for e in result.evidence)


# ---- policy tables ---------------------------------------------------------------------------


def test_default_tables_are_cached() -> None:
    assert load_generator_registry() is load_generator_registry()
    assert load_source_types() is load_source_types()
    assert load_generator_registry().version and load_source_types().version


def test_custom_registry_is_used(tmp_path: Path) -> None:
    path = tmp_path / "generators.toml"
    path.write_text(
        'version = "t"\n[[generator]]\nname = "Acme"\nimplies = "generated"\n'
        "patterns = ['acme[ -]?gen']\n"
    )
    registry = load_generator_registry(path)
    assert isinstance(registry, GeneratorRegistry) and registry.ai_descriptions == ()
    acme = store(manifest("m", act("c2pa.opened"), claim_generator="Acme_Gen/2"))
    assert detect_ai(acme, "Valid", NO_HINTS, registry).involvement is G
    firefly = store(manifest("m", act("c2pa.opened"), claim_generator="Adobe_Firefly"))
    assert detect_ai(firefly, "Valid", NO_HINTS, registry).involvement is N


GOOD_ENTRY = "[[generator]]\nname = \"A\"\npatterns = ['a']\n"
REGISTRY_ERRORS = {
    "not TOML": ("version = ", "(syntax)", "not valid TOML"),
    "unknown top key": ('version = "1"\nextra = 1\n' + GOOD_ENTRY, "extra", "unknown key"),
    "no generators": ('version = "1"\n', "generator", "one or more"),
    "missing version": (GOOD_ENTRY, "version", "non-empty string"),
    "missing name": (
        'version = "1"\n[[generator]]\npatterns = ["a"]\n',
        "generator[0].name",
        "non-empty",
    ),
    "typo in entry key": (
        'version = "1"\n[[generator]]\nname = "A"\npattern = ["a"]\n',
        "generator[0].pattern",
        "unknown key",
    ),
    "empty patterns": (
        'version = "1"\n[[generator]]\nname = "A"\npatterns = []\n',
        "generator[0].patterns",
        "at least one",
    ),
    "patterns not a list": (
        'version = "1"\n[[generator]]\nname = "A"\npatterns = "a"\n',
        "generator[0].patterns",
        "list",
    ),
    "bad regex": (
        'version = "1"\n[[generator]]\nname = "A"\npatterns = ["a", "("]\n',
        "generator[0].patterns[1]",
        "invalid regular expression",
    ),
    "bad implies": (
        'version = "1"\n' + GOOD_ENTRY + 'implies = "edited"\n',
        "generator[0].implies",
        '"generated" or "possible"',
    ),
    "unknown class": (
        'version = "1"\n' + GOOD_ENTRY + 'implies = "maybe"\n',
        "generator[0].implies",
        "not one of",
    ),
    "descriptions not a table": (
        'version = "1"\nai_descriptions = 3\n' + GOOD_ENTRY,
        "ai_descriptions",
        "expected a table",
    ),
}


@pytest.mark.parametrize("text, key, problem", REGISTRY_ERRORS.values(), ids=REGISTRY_ERRORS.keys())
def test_registry_errors_name_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "generators.toml"
    path.write_text(text)
    with pytest.raises(PolicyDataError) as caught:
        load_generator_registry(path)
    assert caught.value.file == str(path) and caught.value.key == key
    assert problem in caught.value.problem and str(path) in str(caught.value)


def test_missing_registry_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyDataError, match="cannot be read"):
        load_generator_registry(tmp_path / "nope.toml")


SOURCE_TYPE_ERRORS = {
    "bad class": ('version = "1"\nunrecognised = "possible"\n[terms]\nx = "maybe"\n', "terms.x"),
    "missing unrecognised": ('version = "1"\n[terms]\nx = "none"\n', "unrecognised"),
    "unknown key": ('version = "1"\nunrecognised = "none"\nterm = {}\n[terms]\n', "term"),
    "cap not a class": (
        'version = "1"\nunrecognised = "none"\n[terms]\n[action_caps]\n"c2pa.placed" = 3\n',
        "action_caps.c2pa.placed",
    ),
}


@pytest.mark.parametrize("text, key", SOURCE_TYPE_ERRORS.values(), ids=SOURCE_TYPE_ERRORS.keys())
def test_source_type_table_errors(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "source_types.toml"
    path.write_text(text)
    with pytest.raises(PolicyDataError) as caught:
        load_source_types(path)
    assert caught.value.key == key and isinstance(caught.value, ValueError)


# ---- properties ------------------------------------------------------------------------------

hints = st.builds(
    UnsignedMetadata,
    st.lists(st.sampled_from(WORDS) | st.text(max_size=8), max_size=2).map(tuple),
    st.lists(
        st.tuples(st.sampled_from(["parameters", "prompt", "x"]), st.text(max_size=5)), max_size=2
    ).map(tuple),
)


def assert_consistent(result: AiAssessment, *, credentials: bool) -> None:
    genai_items = [e for e in result.evidence if e.implies.is_genai]
    assert result.involvement.is_genai == bool(genai_items)  # never "none" with genAI evidence
    assert (result.involvement is U) == (
        not credentials and not any(e.implies is not N for e in result.evidence)
    )


@settings(max_examples=400, deadline=None)
@given(
    store_json=stores | json_values,
    state=st.none() | st.sampled_from(["Valid", "Invalid", "Trusted"]),
    hints=hints,
)
def test_detect_ai_never_raises(
    store_json: Any, state: str | None, hints: UnsignedMetadata
) -> None:
    result = detect_ai(store_json, state, hints)
    assert isinstance(result, AiAssessment)
    json.dumps(result.to_dict())
    assert_consistent(result, credentials=store_json is not None)


@settings(max_examples=300, deadline=None)
@given(store_json=stores, data=st.data())
def test_adding_a_trained_action_never_lowers_the_result(store_json: dict, data) -> None:
    before = detect_ai(store_json, "Valid", NO_HINTS).involvement
    label = data.draw(st.sampled_from(sorted(store_json["manifests"])))
    name = data.draw(st.sampled_from(["c2pa.created", "c2pa.edited", "c2pa.placed", "c2pa.opened"]))
    changed = copy.deepcopy(store_json)
    target = changed["manifests"][label]
    existing = target.get("assertions")
    added = {"label": "c2pa.actions__9", "data": {"actions": [act(name, TAM)]}}
    target["assertions"] = (existing if isinstance(existing, list) else []) + [added]
    after = detect_ai(changed, "Valid", NO_HINTS).involvement
    assert rank(after) >= rank(before)
    assert after.is_genai


@settings(max_examples=200, deadline=None)
@given(store_json=st.none() | stores, extra=hints)
def test_adding_unsigned_hints_never_lowers_the_result(store_json: Any, extra) -> None:
    before = detect_ai(store_json, "Valid", NO_HINTS).involvement
    assert rank(detect_ai(store_json, "Valid", extra).involvement) >= rank(before)


# ---- the real third-party corpus -------------------------------------------------------------

GENAI_TERMS = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")
# Rows with only algorithmicMedia or no source type that a generator name makes genAI anyway,
# path -> why. The corpus has none today: keep this explicit so a new one is a decision.
GENERATOR_NAME_EXCEPTIONS: dict[str, str] = {}


def corpus_rows() -> list[dict[str, str]]:
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8", newline="") as index:
        return [
            row
            for row in csv.DictReader(index, delimiter="\t")
            if not row["validation_state"].startswith("ERROR")
        ]


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "INDEX.tsv").is_file(), reason=f"corpus not found at {CORPUS}")
def test_corpus_genai_rows_are_detected() -> None:
    from provenance.c2pa_io import ReaderSettings, make_context, read_credentials
    from provenance.unsigned_meta import read_unsigned_metadata

    context = make_context(ReaderSettings())
    wrong: list[str] = []
    for row in corpus_rows():
        path, mime = CORPUS / row["path"], row["ext|sniffed_mime"].split("|")[1]
        raw = read_credentials(path, mime, context=context)
        result = detect_ai(raw.store, raw.validation_state, read_unsigned_metadata(path, mime))
        expected = any(term in row["digital_source_types"] for term in GENAI_TERMS)
        expected = expected or row["path"] in GENERATOR_NAME_EXCEPTIONS
        if result.involvement.is_genai != expected:
            wrong.append(f"{row['path']}: {result.involvement} ({row['digital_source_types']!r})")
    assert not wrong, "\n".join(wrong)
