"""The policy tables AI detection reads: data/source_types.toml (digital source type term ->
class, per-action caps) and data/generators.toml (genAI tools by name, genAI-disclosing
descriptions). Loading a table is the only I/O; a bad table raises PolicyDataError naming
the file, key and problem. The rules that use them are in ai_detect.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from provenance.errors import PolicyDataError
from provenance.model import Involvement
from provenance.toml_schema import Table, parse_toml, read_toml

_CLASSES = {level.value: level for level in Involvement if level is not Involvement.UNKNOWN}


@dataclass(frozen=True)
class SourceTypeTable:
    """data/source_types.toml: digital source type term -> class, and per-action caps."""

    version: str
    terms: Mapping[str, Involvement]  # keys are lower-cased bare terms
    unrecognised: Involvement
    action_caps: Mapping[str, Involvement]

    def classify(self, value: str) -> Involvement:
        return self.terms.get(source_type_term(value).lower(), self.unrecognised)

    def cap_for(self, action: str | None) -> Involvement | None:
        return self.action_caps.get(action) if action else None


@dataclass(frozen=True)
class GeneratorEntry:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    implies: Involvement = Involvement.POSSIBLE

    def matches(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)


@dataclass(frozen=True)
class GeneratorRegistry:
    """data/generators.toml: genAI tools by name, and genAI-disclosing descriptions."""

    version: str
    generators: tuple[GeneratorEntry, ...]
    ai_descriptions: tuple[re.Pattern[str], ...] = ()

    def match(self, text: str) -> GeneratorEntry | None:
        # Claim generators spell spaces as underscores ("Adobe_Firefly").
        spaced = text.replace("_", " ")
        return next((entry for entry in self.generators if entry.matches(spaced)), None)

    def describes_ai(self, text: str) -> bool:
        spaced = text.replace("_", " ")
        return any(pattern.search(spaced) for pattern in self.ai_descriptions)


def source_type_term(value: str) -> str:
    """The bare term of a digital source type: `https://cv.iptc.org/.../digitalCapture/`
    and `digitalCapture` both give `digitalCapture`."""
    return re.split(r"[/#:]", value.strip().rstrip("/"))[-1]


def load_source_types(path: Path | None = None) -> SourceTypeTable:
    """Read source_types.toml (the shipped one when `path` is None; that one is cached)."""
    return _default_source_types() if path is None else _parse_source_types(*_read_toml(path))


def load_generator_registry(path: Path | None = None) -> GeneratorRegistry:
    """Read generators.toml (the shipped one when `path` is None; that one is cached).
    Raises PolicyDataError naming the file, key and problem."""
    return _default_registry() if path is None else _parse_registry(*_read_toml(path))


@functools.cache
def _default_source_types() -> SourceTypeTable:
    return _parse_source_types(*_read_shipped("source_types.toml"))


@functools.cache
def _default_registry() -> GeneratorRegistry:
    return _parse_registry(*_read_shipped("generators.toml"))


def _read_shipped(name: str) -> tuple[dict[str, Any], str]:
    file = f"provenance/data/{name}"
    text = (resources.files("provenance") / "data" / name).read_text(encoding="utf-8")
    return _parse_toml(text, file), file


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    return read_toml(path, PolicyDataError), str(path)


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    return parse_toml(text, file, PolicyDataError)


def _parse_source_types(data: dict[str, Any], file: str) -> SourceTypeTable:
    _only_keys(data, {"version", "unrecognised", "terms", "action_caps"}, file, "")
    terms = _class_table(data.get("terms"), file, "terms")
    return SourceTypeTable(
        version=_text(data.get("version"), file, "version"),
        terms={term.lower(): level for term, level in terms.items()},
        unrecognised=_class(data.get("unrecognised"), file, "unrecognised"),
        action_caps=_class_table(data.get("action_caps", {}), file, "action_caps"),
    )


def _parse_registry(data: dict[str, Any], file: str) -> GeneratorRegistry:
    _only_keys(data, {"version", "generator", "ai_descriptions"}, file, "")
    entries = data.get("generator")
    if not isinstance(entries, list) or not entries:
        raise PolicyDataError(file, "generator", "expected one or more [[generator]] tables")
    descriptions = _table(data.get("ai_descriptions", {}), file, "ai_descriptions")
    return GeneratorRegistry(
        version=_text(data.get("version"), file, "version"),
        generators=tuple(_entry(entry, file, f"generator[{i}]") for i, entry in enumerate(entries)),
        ai_descriptions=_patterns(descriptions.get("patterns", []), file, "ai_descriptions"),
    )


def _entry(entry: object, file: str, key: str) -> GeneratorEntry:
    table = _table(entry, file, key)
    _only_keys(table, {"name", "implies", "patterns"}, file, key)
    implies = _class(table.get("implies", "possible"), file, f"{key}.implies")
    if implies not in (Involvement.GENERATED, Involvement.POSSIBLE):
        raise PolicyDataError(file, f"{key}.implies", 'must be "generated" or "possible"')
    patterns = _patterns(table.get("patterns"), file, key)
    if not patterns:
        raise PolicyDataError(file, f"{key}.patterns", "needs at least one pattern")
    return GeneratorEntry(_text(table.get("name"), file, f"{key}.name"), patterns, implies)


def _patterns(values: object, file: str, key: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(values, list):
        raise PolicyDataError(file, f"{key}.patterns", "expected a list of regular expressions")
    return tuple(_regex(value, file, f"{key}.patterns[{i}]") for i, value in enumerate(values))


def _regex(value: object, file: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(_text(value, file, key), re.IGNORECASE)
    except re.error as exc:
        raise PolicyDataError(file, key, f"invalid regular expression {value!r} ({exc})") from exc


def _class_table(value: object, file: str, key: str) -> dict[str, Involvement]:
    table = _table(value, file, key)
    return {name: _class(level, file, f"{key}.{name}") for name, level in table.items()}


def _class(value: object, file: str, key: str) -> Involvement:
    if isinstance(value, str) and value in _CLASSES:
        return _CLASSES[value]
    raise PolicyDataError(file, key, f"{value!r} is not one of {', '.join(_CLASSES)}")


def _table(value: object, file: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyDataError(file, key, f"expected a table, found {type(value).__name__}")
    return value


def _text(value: object, file: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyDataError(file, key, "expected a non-empty string")
    return value


def _only_keys(table: dict[str, Any], allowed: set[str], file: str, prefix: str) -> None:
    # A misspelt key would otherwise be silently ignored and the policy quietly weaker.
    Table(table, file, prefix, PolicyDataError).reject_unknown(allowed)
