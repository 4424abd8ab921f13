"""Loading policies, tool registries, production configs and declarations; precise errors."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from provenance.policy import (
    DEFAULT_POLICY_PATH,
    DEFAULT_TOOLS_PATH,
    IMPLEMENTED_RULE_IDS,
    FolderRole,
    Outcome,
    PolicyError,
    ProductionKind,
    RuleKind,
    UseCase,
    declaration_from_mapping,
    load_policy,
    load_production_config,
    load_tool_registry,
    policy_from_mapping,
    tool_registry_from_mapping,
)

DEFAULT = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
TOOLS_DATA = tomllib.loads(DEFAULT_TOOLS_PATH.read_text(encoding="utf-8"))


def policy_data() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT)


def index_of(rule_id: str) -> int:
    return next(i for i, r in enumerate(DEFAULT["rules"]) if r["id"] == rule_id)


def raises(message: str) -> Any:
    return pytest.raises(PolicyError, match=re.escape(message))


# --- the shipped default ---------------------------------------------------------------------


def test_default_policy_lists_every_rule_once() -> None:
    policy = load_policy()
    ids = [r.id for r in policy.rules]
    assert sorted(ids) == sorted(IMPLEMENTED_RULE_IDS) and len(ids) == len(set(ids))
    assert policy.id == "netflix-genai-partner-guidance" and policy.version
    assert policy.switches.escalate_unverified_in_final is False


def test_default_policy_encodes_the_guidance() -> None:
    policy = load_policy()
    by_kind = {k: {r.id for r in policy.rules if r.kind is k} for k in RuleKind}
    assert by_kind[RuleKind.PRINCIPLE] == {f"GP-{n}" for n in range(1, 6)}
    assert len(by_kind[RuleKind.TRIGGER]) == 11
    assert all(
        policy.rule(i).outcome is Outcome.APPROVAL_REQUIRED for i in by_kind[RuleKind.TRIGGER]
    )
    assert all(policy.rule(i).outcome is Outcome.ESCALATE for i in by_kind[RuleKind.PRINCIPLE])
    assert policy.rule("UC-IDEATION").outcome is Outcome.SOCIALIZE
    assert policy.rule("UC-BACKGROUND-PROMINENT").outcome is Outcome.ESCALATE
    assert all(r.question and r.text and r.title for r in policy.rules)


@pytest.mark.parametrize(
    ("generator", "tool"),
    [
        ("Adobe Firefly", "Adobe Firefly"),
        ("Adobe Photoshop 26.0 (generative fill)", "Adobe Firefly"),
        ("DALL·E 3", "OpenAI (DALL-E, ChatGPT, Sora)"),
        ("ChatGPT", "OpenAI (DALL-E, ChatGPT, Sora)"),
        ("Image Creator from Designer", "Microsoft Designer / Bing Image Creator"),
        ("Midjourney v6", "Midjourney"),
        ("ComfyUI", "Stable Diffusion"),
        ("Amazon Titan Image Generator G1", "Amazon Bedrock Titan"),
    ],
)
def test_default_tool_registry_recognizes_generators(generator: str, tool: str) -> None:
    found = load_tool_registry().find(generator)
    assert found is not None and found.name == tool


def test_default_tool_registry_terms() -> None:
    registry = load_tool_registry()
    firefly, midjourney = registry.find("Adobe Firefly"), registry.find("Midjourney")
    assert firefly and (firefly.enterprise_agreement, firefly.trains_on_inputs) == (True, False)
    assert midjourney and (midjourney.enterprise_agreement, midjourney.trains_on_inputs) == (
        False,
        None,
    )
    assert registry.find("SignSmith AI") is None


# --- policy errors ---------------------------------------------------------------------------


def test_bad_outcome_names_file_key_and_allowed_values() -> None:
    data = policy_data()
    data["rules"][3]["outcome"] = "maybe"
    with raises(
        "policy.toml: rules[3].outcome: 'maybe' is not one of none, socialize, "
        "escalate, approval-required"
    ):
        policy_from_mapping(data, source="policy.toml")


def test_unknown_rule_key_is_an_error() -> None:
    data = policy_data()
    data["rules"][2]["outcom"] = "escalate"
    with raises("policy.toml: rules[2].outcom: unknown key"):
        policy_from_mapping(data, source="policy.toml")


def test_unknown_top_level_key_and_switch_are_errors() -> None:
    with raises("p.toml: polcy: unknown key"):
        policy_from_mapping({**policy_data(), "polcy": 1}, source="p.toml")
    data = policy_data()
    data["switches"]["escalate_unverified_in_finals"] = True
    with raises("p.toml: switches.escalate_unverified_in_finals: unknown key"):
        policy_from_mapping(data, source="p.toml")


def test_switch_must_be_a_boolean() -> None:
    data = policy_data()
    data["switches"]["escalate_unverified_in_final"] = "yes"
    with raises("p.toml: switches.escalate_unverified_in_final: expected true or false"):
        policy_from_mapping(data, source="p.toml")


def test_duplicate_rule_id() -> None:
    data = policy_data()
    gp1, gp2 = index_of("GP-1"), index_of("GP-2")
    data["rules"][gp2]["id"] = "GP-1"
    with raises(f"p.toml: rules[{gp2}].id: duplicate id 'GP-1' (first defined at rules[{gp1}])"):
        policy_from_mapping(data, source="p.toml")


def test_unknown_rule_id_catches_typos() -> None:
    data = policy_data()
    data["rules"][0]["id"] = "PV-GENIA"
    with raises("p.toml: rules[0].id: unknown rule id 'PV-GENIA'"):
        policy_from_mapping(data, source="p.toml")


def test_related_ids_must_exist() -> None:
    data = policy_data()
    data["rules"][0]["related"] = ["GP-9"]
    with raises("p.toml: rules[0].related: 'GP-9' is not a rule id in this policy"):
        policy_from_mapping(data, source="p.toml")


def test_missing_rule_is_an_error_not_a_silent_gap() -> None:
    data = policy_data()
    del data["rules"][index_of("AA-FINAL")]
    with raises("p.toml: rules: missing rule(s) AA-FINAL"):
        policy_from_mapping(data, source="p.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": None}, "p.toml: id: missing required key"),
        ({"version": 3}, "p.toml: version: expected a string, got an integer"),
        ({"rules": {"id": "x"}}, "p.toml: rules: expected an array of tables ([[rules]])"),
    ],
)
def test_policy_top_level_shape(change: dict[str, Any], message: str) -> None:
    data = {k: v for k, v in {**policy_data(), **change}.items() if v is not None}
    with raises(message):
        policy_from_mapping(data, source="p.toml")


def test_rule_fields_are_checked() -> None:
    data = policy_data()
    data["rules"][1]["kind"] = "trigger-ish"
    with raises("p.toml: rules[1].kind: 'trigger-ish' is not one of principle, trigger"):
        policy_from_mapping(data, source="p.toml")
    data = policy_data()
    data["rules"][1]["text"] = "  "
    with raises("p.toml: rules[1].text: must not be empty"):
        policy_from_mapping(data, source="p.toml")


def test_bad_toml_syntax_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "studio-policy.toml"
    path.write_text('id = "x"\nversion = \n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"studio-policy\.toml: \(syntax\): .*line 2"):
        load_policy(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with raises(f"{tmp_path / 'nope.toml'}: cannot be read"):
        load_policy(tmp_path / "nope.toml")


def test_studio_policy_file_round_trip(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
        "escalate_unverified_in_final = false", "escalate_unverified_in_final = true"
    )
    path = tmp_path / "studio.toml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert policy.switches.escalate_unverified_in_final and policy.source == str(path)


# --- tool registry errors --------------------------------------------------------------------


def tools_with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(TOOLS_DATA)
    data["tools"][1].update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"patterns": ["(unclosed"]},
            "tools.toml: tools[1].patterns[0]: invalid regular expression",
        ),
        (
            {"trains_on_inputs": "maybe"},
            "tools.toml: tools[1].trains_on_inputs: 'maybe' is not one of true, false, \"unknown\"",
        ),
        ({"enterprise": True}, "tools.toml: tools[1].enterprise: unknown key"),
        ({"name": "adobe firefly"}, "tools.toml: tools[1].name: duplicate tool 'adobe firefly'"),
        ({"patterns": "sora"}, "tools.toml: tools[1].patterns: expected an array of strings"),
    ],
)
def test_tool_registry_errors(changes: dict[str, Any], message: str) -> None:
    with raises(message):
        tool_registry_from_mapping(tools_with(**changes), source="tools.toml")


def test_tool_terms_default_to_unknown() -> None:
    registry = tool_registry_from_mapping(
        {"tools": [{"name": "X", "patterns": ["x"]}]}, source="t.toml"
    )
    assert (registry.tools[0].enterprise_agreement, registry.tools[0].trains_on_inputs) == (
        None,
        None,
    )


# --- production config -----------------------------------------------------------------------

PRODUCTION = {
    "title": "What Jennifer Did",
    "kind": "documentary",
    "folders": [
        {"glob": "deliveries/final/**", "role": "final"},
        {"glob": "ideation/", "role": "ideation"},
    ],
}


def test_production_config_loads() -> None:
    config = load_production_config(PRODUCTION, source="prov.toml")
    assert config.kind is ProductionKind.DOCUMENTARY
    assert config.role_for("/mnt/wjd/deliveries/final/ep1/still.jpg") is FolderRole.FINAL
    assert config.role_for("wjd/ideation/board.png") is FolderRole.IDEATION


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"kind": "docudrama"},
            "prov.toml: production.kind: 'docudrama' is not one of scripted, "
            "documentary, unscripted",
        ),
        ({"titel": "x"}, "prov.toml: production.titel: unknown key"),
        (
            {"folders": [{"glob": "final/**", "role": "finished"}]},
            "prov.toml: production.folders[0].role: 'finished' is not one of ideation, temp, wip, final",
        ),
        (
            {"folders": [{"glob": "final/**", "role": "final", "prio": 1}]},
            "prov.toml: production.folders[0].prio: unknown key",
        ),
        ({"folders": [{"role": "final"}]}, "prov.toml: production.folders[0].glob: missing"),
    ],
)
def test_production_config_errors(change: dict[str, Any], message: str) -> None:
    with raises(message):
        load_production_config({**PRODUCTION, **change}, source="prov.toml")


def test_production_title_is_required() -> None:
    with raises("config: production.title: missing required key"):
        load_production_config({"kind": "scripted"})


# --- docs/policy.md examples stay valid ------------------------------------------------------

DOC = Path(__file__).parents[3] / "docs" / "policy.md"


def doc_examples() -> list[dict[str, Any]]:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [tomllib.loads(b) for b in blocks]


def test_doc_examples_load() -> None:
    policy_part, declaration, config, tools = doc_examples()
    assert policy_part["switches"] == {"escalate_unverified_in_final": True}
    full = {**policy_data(), "switches": policy_part["switches"]}
    assert policy_from_mapping(full, source="doc").switches.escalate_unverified_in_final
    assert declaration_from_mapping(declaration, source="doc").use_case is UseCase.BACKGROUND
    assert (
        load_production_config(config["production"]).role_for(
            "/mnt/show/deliveries/final/ep1/a.exr"
        )
        is FolderRole.FINAL
    )
    assert tool_registry_from_mapping(tools, source="doc").find("Photoshop") is not None


def test_every_generator_the_detector_knows_is_in_the_tool_registry() -> None:
    # provenance/data/generators.toml decides *whether* genAI was used; tools.toml records the
    # data terms GP-2/GP-3 need. A generator missing here would be reported as unregistered.
    shipped = Path(__file__).parents[3] / "provenance" / "data" / "generators.toml"
    names = [g["name"] for g in tomllib.loads(shipped.read_text(encoding="utf-8"))["generator"]]
    registry = load_tool_registry()
    assert [n for n in names if registry.find(n) is None] == []
