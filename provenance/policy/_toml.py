"""Strict reading of parsed TOML tables: every error names the file, the key and the problem.

Reads files (read_toml); everything else works on already-parsed mappings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from provenance.policy.model import PolicyError

E = TypeVar("E", bound=StrEnum)
_MISSING: Any = object()


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; unreadable or malformed files raise PolicyError naming the file."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: (syntax): {exc}") from exc
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc.strerror or exc}") from exc


def _kind(value: object) -> str:
    return {
        bool: "a boolean",
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class Table:
    """One TOML table and where it sits: `file` for messages, `path` like "rules[3]"."""

    data: Mapping[str, Any]
    file: str
    path: str = ""

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PolicyError:
        return PolicyError(f"{self.file}: {self.key(name)}: {problem}")

    def has(self, name: str) -> bool:
        return name in self.data

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        known = set(allowed)
        for name in self.data:
            if name not in known:
                raise self.error(name, f"unknown key (expected one of {', '.join(sorted(known))})")

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise self.error(name, "missing required key")
        return default

    def text(self, name: str, default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is not default and not isinstance(value, str):
            raise self.error(name, f"expected a string, got {_kind(value)}")
        if isinstance(value, str) and default is _MISSING and not value.strip():
            raise self.error(name, "must not be empty")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {_kind(value)}")
        return value

    def texts(self, name: str, *, allow_single: bool = False) -> tuple[str, ...]:
        value = self.raw(name, ())
        if allow_single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.error(name, f"expected an array of strings, got {_kind(value)}")
        return tuple(value)

    def choice(self, name: str, enum: type[E], default: Any = _MISSING) -> Any:
        value = self.raw(name, default)
        if value is default:
            return value
        return parse_choice(value, enum, lambda problem: self.error(name, problem))

    def table(self, name: str) -> Table:
        value = self.raw(name, {})
        if not isinstance(value, Mapping):
            raise self.error(name, f"expected a table, got {_kind(value)}")
        return Table(value, self.file, self.key(name))

    def tables(self, name: str) -> list[Table]:
        value = self.raw(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, f"expected an array of tables ([[{self.key(name)}]])")
        return [Table(v, self.file, f"{self.key(name)}[{i}]") for i, v in enumerate(value)]


def parse_choice(value: object, enum: type[E], error: Callable[[str], PolicyError]) -> E:
    """`value` as a member of `enum`, or the error listing the allowed values."""
    allowed = ", ".join(m.value for m in enum)
    if isinstance(value, str):
        try:
            return enum(value.strip().lower())
        except ValueError:
            pass
    raise error(f"{value!r} is not one of {allowed}")
