"""Load the policy, the tool registry and the production config into frozen values.

Reads TOML files (load_policy, load_tool_registry); the *_from_mapping functions are pure.
Every bad input raises PolicyError naming the file, the key and the problem; unknown keys are
errors, so a typo never silently weakens the policy (ARCHITECTURE.md: policy tables are data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from provenance.globs import glob_regex
from provenance.policy.declarations import declaration_for, parse_declaration
from provenance.policy.model import (
    FolderRole,
    Outcome,
    Policy,
    PolicyError,
    ProductionConfig,
    ProductionKind,
    Rule,
    RuleKind,
    Switches,
    Tool,
    ToolRegistry,
)
from provenance.policy.rules import IMPLEMENTED_RULE_IDS
from provenance.toml_schema import Table, read_toml

__all__ = [
    "DEFAULT_POLICY_PATH",
    "DEFAULT_TOOLS_PATH",
    "declaration_for",
    "load_policy",
    "load_production_config",
    "load_tool_registry",
    "parse_declaration",
    "PolicyError",
    "policy_from_mapping",
    "tool_registry_from_mapping",
]

DATA = Path(__file__).with_name("data")
DEFAULT_POLICY_PATH = DATA / "default_policy.toml"
DEFAULT_TOOLS_PATH = DATA / "tools.toml"


# --- policy ----------------------------------------------------------------------------------


def load_policy(path: Path | None = None) -> Policy:
    """The policy in `path`, or the shipped default (Netflix partner guidance) for None."""
    path = path or DEFAULT_POLICY_PATH
    return policy_from_mapping(read_toml(path, PolicyError), source=str(path))


def policy_from_mapping(data: Mapping[str, Any], *, source: str) -> Policy:
    top = Table(data, source, error_type=PolicyError)
    top.reject_unknown(("id", "version", "title", "switches", "rules"))
    tables = top.tables("rules")
    rules = tuple(_rule(t) for t in tables)
    _check_rule_ids(rules, tables, top)
    return Policy(
        id=top.text("id"),
        version=top.text("version"),
        rules=rules,
        switches=_switches(top.table("switches")),
        title=top.text("title", ""),
        source=source,
    )


_RULE_KEYS = ("id", "kind", "title", "question", "outcome", "text", "related", "enabled")


def _rule(t: Table) -> Rule:
    t.reject_unknown(_RULE_KEYS)
    return Rule(
        id=t.text("id"),
        kind=t.choice("kind", RuleKind),
        title=t.text("title"),
        question=t.text("question"),
        outcome=t.choice("outcome", Outcome),
        text=t.text("text"),
        related=t.texts("related"),
        enabled=t.flag("enabled", True),
    )


def _check_rule_ids(rules: Sequence[Rule], tables: Sequence[Table], top: Table) -> None:
    """Ids are unique and implemented, related ids exist, and no implemented rule is missing
    (a missing rule would silently never fire: disable it with enabled = false instead)."""
    first: dict[str, str] = {}
    for r, t in zip(rules, tables, strict=True):
        if r.id in first:
            raise t.error("id", f"duplicate id {r.id!r} (first defined at {first[r.id]})")
        if r.id not in IMPLEMENTED_RULE_IDS:
            raise t.error("id", f"unknown rule id {r.id!r} (known: {_known_ids()})")
        first[r.id] = t.path
    missing = sorted(IMPLEMENTED_RULE_IDS - first.keys())
    if missing:
        raise top.error(
            "rules",
            f"missing rule(s) {', '.join(missing)}; list every rule and "
            "set enabled = false to turn one off",
        )
    for r, t in zip(rules, tables, strict=True):
        for ref in r.related:
            if ref not in first:
                raise t.error("related", f"{ref!r} is not a rule id in this policy")


def _known_ids() -> str:
    return ", ".join(sorted(IMPLEMENTED_RULE_IDS))


def _switches(t: Table) -> Switches:
    names = [f.name for f in fields(Switches)]
    t.reject_unknown(names)
    defaults = Switches()
    return Switches(**{n: t.flag(n, getattr(defaults, n)) for n in names})


# --- tool registry ---------------------------------------------------------------------------


def load_tool_registry(path: Path | None = None) -> ToolRegistry:
    """The tool registry in `path`, or the shipped default for None."""
    path = path or DEFAULT_TOOLS_PATH
    return tool_registry_from_mapping(read_toml(path, PolicyError), source=str(path))


def tool_registry_from_mapping(data: Mapping[str, Any], *, source: str) -> ToolRegistry:
    top = Table(data, source, error_type=PolicyError)
    top.reject_unknown(("tools",))
    tables = top.tables("tools")
    tools = tuple(_tool(t) for t in tables)
    seen: dict[str, str] = {}
    for tool, t in zip(tools, tables, strict=True):
        key = tool.name.casefold()
        if key in seen:
            raise t.error("name", f"duplicate tool {tool.name!r} (first at {seen[key]})")
        seen[key] = t.path
    return ToolRegistry(tools, source)


def _tool(t: Table) -> Tool:
    t.reject_unknown(("name", "patterns", "enterprise_agreement", "trains_on_inputs", "notes"))
    return Tool(
        name=t.text("name"),
        patterns=_patterns(t),
        enterprise_agreement=_known(t, "enterprise_agreement"),
        trains_on_inputs=_known(t, "trains_on_inputs"),
        notes=t.text("notes", ""),
    )


def _patterns(t: Table) -> tuple[str, ...]:
    patterns = t.texts("patterns")
    for i, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            problem = f"invalid regular expression {pattern!r}: {exc}"
            raise t.error(f"patterns[{i}]", problem) from exc
    return patterns


def _known(t: Table, name: str) -> bool | None:
    """true, false or "unknown" (the default: missing knowledge never clears GP-2/GP-3)."""
    value = t.raw(name, "unknown")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() == "unknown":
        return None
    raise t.error(name, f'{value!r} is not one of true, false, "unknown"')


# --- production config -----------------------------------------------------------------------


def load_production_config(
    mapping: Mapping[str, Any], *, source: str = "config"
) -> ProductionConfig:
    """The `[production]` table of the project's config file, already parsed.
    `source` names that file in error messages."""
    t = Table(mapping, source, "production", PolicyError)
    t.reject_unknown(("title", "kind", "folders"))
    return ProductionConfig(
        title=t.text("title"),
        kind=t.choice("kind", ProductionKind),
        folders=tuple(_folder(f) for f in t.tables("folders")),
    )


def _folder(t: Table) -> tuple[str, FolderRole]:
    t.reject_unknown(("glob", "role"))
    glob = t.text("glob")
    try:
        glob_regex(glob)  # README "Globs": the dialect roles, --ignore and `ls --path` share
    except ValueError as exc:
        raise t.error("glob", str(exc)) from exc
    return glob, t.choice("role", FolderRole)
