"""The one TOML validation of prov (issue 9): every file a person writes or prov ships is read
here, and every error is a SchemaError naming the file, the key and the problem.

Used by the project config (prov.toml, provenance/config.py), the policy and the tool registry
(provenance/policy/loader.py), declaration files (provenance/policy/declarations.py) and, as a
library, by the detection tables. Each caller picks its SchemaError subclass (ConfigError,
PolicyError, ...), which says the exit code and hint. The standard library (tomllib and this
small reader) does the job: a schema library (pydantic, msgspec) would add a dependency and
its own message wording for the handful of tables we have, and the messages are the product.

Reads files (read_toml, parse_toml); everything else works on already-parsed mappings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from provenance.errors import SchemaError

E = TypeVar("E", bound=StrEnum)
_MISSING: Any = object()
# A value check for a flat table: None when the value is fine, else the problem.
Check = Callable[[Any], str | None]


def read_toml(path: Path, error: type[SchemaError] = SchemaError) -> dict[str, Any]:
    """Parse a TOML file; an unreadable or malformed file raises `error` naming the file."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise error(str(path), "", f"cannot be read: {exc.strerror or exc}") from exc
    return parse_toml(content, str(path), error)


def parse_toml(
    content: bytes | str, file: str, error: type[SchemaError] = SchemaError
) -> dict[str, Any]:
    """Parse TOML already read (a caller that hashes the bytes it parsed, say)."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(file, "(syntax)", f"not valid TOML: {exc}") from exc


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
    error_type: type[SchemaError] = SchemaError  # the caller's subclass: its exit code, hint

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> SchemaError:
        return self.error_type(self.file, self.key(name), problem)

    def has(self, name: str) -> bool:
        return name in self.data

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        # A misspelt key would otherwise be silently ignored and a setting quietly lost.
        known = set(allowed)
        for name in self.data:
            if name not in known:
                raise self.error(
                    name, f"unknown key (known: {', '.join(sorted(known)) or 'none yet'})"
                )

    def check(self, name: str, check: Check) -> None:
        """Raise the problem `check` finds in the value of `name` (a key that is present)."""
        problem = check(self.data[name])
        if problem is not None:
            raise self.error(name, problem)

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
        return Table(value, self.file, self.key(name), self.error_type)

    def tables(self, name: str) -> list[Table]:
        value = self.raw(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, f"expected an array of tables ([[{self.key(name)}]])")
        key = self.key(name)
        return [Table(v, self.file, f"{key}[{i}]", self.error_type) for i, v in enumerate(value)]


def parse_choice(value: object, enum: type[E], error: Callable[[str], SchemaError]) -> E:
    """`value` as a member of `enum`, or the error listing the allowed values."""
    allowed = ", ".join(m.value for m in enum)
    if isinstance(value, str):
        try:
            return enum(value.strip().lower())
        except ValueError:
            pass
    raise error(f"{value!r} is not one of {allowed}")
