"""The project config file (`prov.toml`): where it is found, and what its tables say.

Found as git finds `.git`: --config, else PROV_CONFIG, else the nearest prov.toml in the
current folder or above (issue 8). Read with the standard library into a frozen Settings
object passed around explicitly (never a global). Every table and every key is checked
against one schema: an unknown or mistyped key stops the command with an error naming the
file, the table and the key (exit 2), so a typo never quietly loses a setting. Relative paths
in the file are relative to the file's folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import SchemaError
from provenance.policy.loader import load_production_config
from provenance.policy.model import Outcome, PolicyError, ProductionConfig
from provenance.toml_schema import Check, Table, read_toml

CONFIG_FILE_NAME = "prov.toml"
# `prov check` without --fail-on and without `[gate] fail_on`: the guidance asks the studio
# contact *before proceeding* with anything that escalates, so an undecided escalation must
# not pass a delivery gate (issue 7; docs/policy.md "The gate").
DEFAULT_FAIL_ON = Outcome.ESCALATE
GATE_LEVELS = tuple(o for o in Outcome if o is not Outcome.NONE)  # what --fail-on accepts

# The schema: every table, its keys, and a check of each key's value (None: fine, else the
# problem). `[production]` has nested `[[production.folders]]` tables; its own strict loader
# checks it (provenance.policy.loader). `[watch]` is reserved: accepted, with no keys yet.
# The reading and the errors are provenance/toml_schema.py's, shared with every TOML file.


def _string(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, got {type(value).__name__} {value!r}"
    return None if value.strip() else "must not be empty"


def _flag(value: Any) -> str | None:
    # TOML booleans only: "yes" or 1 is an error, not a guess (a typo must not turn network
    # fetches on or off silently).
    if isinstance(value, bool):
        return None
    return f"expected true or false, got {type(value).__name__} {value!r}"


def _gate_level(value: Any) -> str | None:
    # A typo must never quietly loosen the gate.
    return None if value in GATE_LEVELS else f"{value!r} is not one of {', '.join(GATE_LEVELS)}"


_SCHEMA: dict[str, dict[str, Check]] = {
    "catalog": {"db": _string},
    "trust": {"anchors": _string, "fetch_remote": _flag},
    "gate": {"fail_on": _gate_level},
    "policy": {"file": _string},
    "tools": {"file": _string},
    "watch": {},
}
_KNOWN_TABLES = {*_SCHEMA, "production"}


class ConfigError(SchemaError):
    """A bad config file or setting; the message names file, key and problem (exit 2)."""

    default_hint = "fix the file, or pass --config to use another one"


@dataclass(frozen=True)
class Settings:
    source: Path | None = None  # the config file read, if any
    # The absolute folder of the config file: relative paths in it are relative to it, and
    # the catalog defaults to prov.db there. None without a config file (the current folder).
    folder: Path | None = None
    db: str | None = None  # `[catalog] db` as written; store.catalog.db.resolve_url anchors it
    trust_anchors: Path | None = None
    gate_fail_on: Outcome | None = None  # `[gate] fail_on`; None: not set in the file
    fetch_remote: bool = False  # [trust] fetch_remote: fetch remote-only manifests (bounded)
    policy_file: Path | None = None  # `[policy] file`
    tools_file: Path | None = None  # `[tools] file`
    production: ProductionConfig | None = None  # `[production]`; None: no table (or empty)
    tables: dict[str, Any] = field(default_factory=dict)  # the file as parsed


def find_config(explicit: Path | None, *, start: Path | None = None) -> Path | None:
    """--config, else PROV_CONFIG, else the nearest prov.toml in `start` (the current folder)
    or a folder above it, up to the filesystem root, as git and ruff look for theirs. So a
    command run in a subfolder of a project uses the project's config and catalog."""
    if explicit is not None:
        return explicit
    env = os.environ.get("PROV_CONFIG")
    if env:
        return Path(env)
    here = _current_folder() if start is None else start.absolute()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE_NAME
        if _is_file(candidate):
            return candidate
    return None


def _current_folder() -> Path:
    try:
        return Path.cwd()
    except OSError as exc:  # the folder was deleted under the shell
        raise ConfigError("", "", f"cannot tell the current folder: {exc.strerror or exc}") from exc


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as exc:
        # Fail closed: a config we cannot even look at must not be silently skipped.
        problem = f"cannot check for a config file: {exc.strerror}"
        raise ConfigError(str(path), "", problem) from exc


def load_settings(path: Path | None) -> Settings:
    """The settings in `path` (None: defaults). ConfigError names file, table and key."""
    if path is None:
        return Settings()
    data = read_toml(path, ConfigError)
    _check_schema(data, path)
    folder = Path(os.path.abspath(path.parent))
    return Settings(
        source=path,
        folder=folder,
        db=_text(data, "catalog", "db"),
        trust_anchors=_relative_path(folder, _text(data, "trust", "anchors")),
        gate_fail_on=Outcome(fail_on) if (fail_on := _text(data, "gate", "fail_on")) else None,
        fetch_remote=data.get("trust", {}).get("fetch_remote", False),
        policy_file=_relative_path(folder, _text(data, "policy", "file")),
        tools_file=_relative_path(folder, _text(data, "tools", "file")),
        production=_production(data, path),
        tables=data,
    )


def _check_schema(data: dict[str, Any], path: Path) -> None:
    """Every table known and a table; every key of the flat tables known and of its type."""
    file = str(path)
    unknown = sorted(set(data) - _KNOWN_TABLES)
    if unknown:
        known = ", ".join(sorted(_KNOWN_TABLES))
        raise ConfigError(file, "", f"unknown table or key {unknown[0]!r} (known: {known})")
    for name in sorted(data):
        if not isinstance(data[name], dict):
            raise ConfigError(file, "", f"[{name}] must be a table")
    for name, keys in _SCHEMA.items():
        table = Table(data.get(name, {}), file, name, ConfigError)
        table.reject_unknown(keys)
        for key in table.data:
            table.check(key, keys[key])


def _text(data: dict[str, Any], table: str, key: str) -> str | None:
    value = data.get(table, {}).get(key)
    return value if isinstance(value, str) else None  # checked by _check_schema


def _production(data: dict[str, Any], path: Path) -> ProductionConfig | None:
    """`[production]`, checked when the file is read, whatever the command: a typo in it must
    stop `prov ls` as it stops `prov scan` (issue 8)."""
    table = data.get("production")
    if not table:
        return None
    try:
        return load_production_config(table, source=str(path))
    except PolicyError as exc:
        raise ConfigError(exc.file, exc.key, exc.problem) from exc


def _relative_path(folder: Path, value: str | None) -> Path | None:
    """Paths in the config file are relative to the file, not to the current directory."""
    if value is None:
        return None
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else folder / candidate


def read_trust_anchors(path: Path) -> str:
    """The PEM bundle of trust anchors; a clear error if missing or not PEM."""
    try:
        text = path.read_text(encoding="ascii", errors="strict")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "trust anchor file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read trust anchors: {exc}") from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        problem = "no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"
        raise ConfigError(str(path), "", problem)
    if "PRIVATE KEY" in text:
        # Never load (or later echo) key material from a file that should hold public certs.
        problem = "contains a private key; trust anchors are CA certificates only"
        raise ConfigError(str(path), "", problem)
    return text
