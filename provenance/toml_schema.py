"""The one TOML validation of prov (issue 9): every file a person writes or prov ships is read
here, and every error is a SchemaError naming the file, the key and the problem.

Used by the project config (prov.toml, provenance/config.py), the policy and the tool registry
(provenance/policy/loader.py), declaration files (provenance/policy/declarations.py) and, as a
library, by the detection tables. Each caller picks its SchemaError subclass (ConfigError,
PolicyError, ...), which says the exit code and hint. The standard library (tomllib and this
small reader) does the job: a schema library (pydantic, msgspec) would add a dependency and
its own message wording for the handful of tables we have, and the messages are the product.

Reads files (read_toml, parse_toml, read_capped); everything else works on already-parsed
mappings. Every file is read under limits (issue 10) before tomllib sees it: at most
MAX_TOML_BYTES, valid UTF-8 (the error names the line and byte), nesting of arrays and inline
tables at most MAX_TOML_DEPTH, at most MAX_KEY_SEGMENTS parts in one dotted key and at most
MAX_TOML_KEYS keys in all. tomllib recurses per nesting level (RecursionError at a few thousand)
and is quadratic in the parts of one dotted key (100,000 parts in 200 KB grow to tens of GB),
so a hostile file is rejected by a cheap linear pre-scan, never parsed.
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


# The caps (README "Limits"). Config, policy, declarations and the shipped tables are a few KB:
# these are far above any real file and far below what hurts.
MAX_TOML_BYTES = 1024 * 1024
MAX_TOML_DEPTH = 64  # arrays and inline tables inside one another
MAX_KEY_SEGMENTS = 64  # parts of one dotted key: a.b.c has 3
MAX_TOML_KEYS = 20_000  # `key = value` pairs and [table] headers in one file


def read_toml(path: Path, error: type[SchemaError] = SchemaError) -> dict[str, Any]:
    """Parse a TOML file; an unreadable or malformed file raises `error` naming the file."""
    return parse_toml(read_capped(path, error), str(path), error)


def read_capped(path: Path, error: type[SchemaError] = SchemaError) -> bytes:
    """The bytes of a TOML file of at most MAX_TOML_BYTES; a larger one is never read whole."""
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise error(str(path), "", f"cannot be read: {exc.strerror or exc}") from exc
    _check_size(len(content), str(path), error)
    return content


def parse_toml(
    content: bytes | str, file: str, error: type[SchemaError] = SchemaError
) -> dict[str, Any]:
    """Parse TOML already read (a caller that hashes the bytes it parsed, say)."""
    text = _decode(content, file, error)
    _check_size(len(text), file, error)
    problem = _prescan(text)
    if problem is not None:
        raise error(file, "(syntax)", problem)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(file, "(syntax)", f"not valid TOML: {exc}") from exc
    except (RecursionError, MemoryError) as exc:
        # The pre-scan should make these unreachable; a scan must still never die of one.
        raise error(file, "(syntax)", f"too complex to parse ({type(exc).__name__})") from exc


def _check_size(size: int, file: str, error: type[SchemaError]) -> None:
    if size > MAX_TOML_BYTES:
        raise error(file, "", f"too large: over {MAX_TOML_BYTES} bytes (the limit for TOML files)")


def _decode(content: bytes | str, file: str, error: type[SchemaError]) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise error(
            file,
            "(syntax)",
            f"not valid UTF-8: byte 0x{content[exc.start]:02x} at offset {exc.start} (line {line})",
        ) from exc


_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")
_RESETS = frozenset("=,[{\n")  # a dotted key starts after one of these


def _prescan(text: str) -> str | None:
    """What makes `text` too costly for tomllib, or None. One linear pass that skips strings
    and comments; it does not validate TOML (tomllib does), only bounds what tomllib meets."""
    depth = dots = keys = 0
    line_start = True  # only blanks so far on this line: a `[` here opens a table header
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            i, line_start = _skip_string(text, i), False
            continue
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char == "=" or (char == "[" and line_start):
            keys += 1
            if keys > MAX_TOML_KEYS:
                return f"more than {MAX_TOML_KEYS} keys (line {_line(text, i)})"
        if char in _OPENERS:
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return f"nested more than {MAX_TOML_DEPTH} levels deep (line {_line(text, i)})"
        elif char in _CLOSERS:
            depth = max(depth - 1, 0)
        elif char == ".":
            dots += 1
            if dots >= MAX_KEY_SEGMENTS:
                return f"a dotted key of more than {MAX_KEY_SEGMENTS} parts (line {_line(text, i)})"
        if char in _RESETS:
            dots = 0
        line_start = char == "\n" or (line_start and char in " \t\r")
        i += 1
    return None


def _skip_string(text: str, start: int) -> int:
    """The index just after the string that opens at `start` (or the end of the text)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while quote == '"' and end > 0 and _escaped(text, end):
            end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    i = start + 1
    while i < len(text) and text[i] not in (quote, "\n"):
        i += 2 if quote == '"' and text[i] == "\\" else 1
    return i + 1


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


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
