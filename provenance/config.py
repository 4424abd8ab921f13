"""The project config file (`prov.toml`): catalog, trust (anchors, remote-manifest fetching),
and tables later features read.

Reads TOML with the standard library into a frozen Settings object that is passed around
explicitly (never a global). Errors name the file, the key and the problem.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.policy.model import Outcome

CONFIG_FILE_NAME = "prov.toml"
_KNOWN_TABLES = {"catalog", "trust", "production", "policy", "watch", "tools", "gate"}
# `prov check` without --fail-on and without `[gate] fail_on`: the guidance asks the studio
# contact *before proceeding* with anything that escalates, so an undecided escalation must
# not pass a delivery gate (issue 7; docs/policy.md "The gate").
DEFAULT_FAIL_ON = Outcome.ESCALATE
GATE_LEVELS = tuple(o for o in Outcome if o is not Outcome.NONE)  # what --fail-on accepts


class ConfigError(ValueError):
    """A bad config file or setting; the message names file, key and problem."""


@dataclass(frozen=True)
class Settings:
    source: Path | None = None  # the config file read, if any
    db: str | None = None
    trust_anchors: Path | None = None
    gate_fail_on: Outcome | None = None  # `[gate] fail_on`; None: not set in the file
    fetch_remote: bool = False  # [trust] fetch_remote: fetch remote-only manifests (bounded)
    # Raw tables for later features (policy, production, watch); each validates its own.
    tables: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> dict[str, Any]:
        value = self.tables.get(name, {})
        return value if isinstance(value, dict) else {}


def find_config(explicit: Path | None) -> Path | None:
    """--config, else PROV_CONFIG, else ./prov.toml if present."""
    if explicit is not None:
        return explicit
    env = os.environ.get("PROV_CONFIG")
    if env:
        return Path(env)
    default = Path(CONFIG_FILE_NAME)
    return default if default.is_file() else None


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    data = _read_toml(path)
    unknown = sorted(set(data) - _KNOWN_TABLES)
    if unknown:
        raise ConfigError(
            f"{path}: unknown table or key {unknown[0]!r} "
            f"(known: {', '.join(sorted(_KNOWN_TABLES))})"
        )
    return Settings(
        source=path,
        db=_optional_str(data, path, "catalog", "db"),
        trust_anchors=_relative_path(path, _optional_str(data, path, "trust", "anchors")),
        gate_fail_on=_gate_fail_on(data, path),
        fetch_remote=_optional_bool(data, path, "trust", "fetch_remote"),
        tables=data,
    )


def _gate_fail_on(data: dict[str, Any], path: Path) -> Outcome | None:
    """`[gate] fail_on`, checked strictly: a typo must never quietly loosen the gate."""
    section = data.get("gate", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [gate] must be a table")
    unknown = sorted(set(section) - {"fail_on"})
    if unknown:
        raise ConfigError(f"{path}: gate.{unknown[0]}: unknown key (known: fail_on)")
    value = section.get("fail_on")
    if value is None:
        return None
    levels = ", ".join(GATE_LEVELS)
    if not isinstance(value, str) or value not in GATE_LEVELS:
        raise ConfigError(f"{path}: gate.fail_on: {value!r} is not one of {levels}")
    return Outcome(value)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _optional_str(data: dict[str, Any], path: Path, table: str, key: str) -> str | None:
    section = _table(data, path, table)
    value = section.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{path}: {table}.{key}: expected a string, got {type(value).__name__}")
    return value


def _optional_bool(data: dict[str, Any], path: Path, table: str, key: str) -> bool:
    """A true/false key, false when absent. TOML booleans only: "yes" or 1 is an error, not a
    guess (a typo must not turn network fetches on or off silently)."""
    section = _table(data, path, table)
    value = section.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{path}: {table}.{key}: expected true or false, got {type(value).__name__} {value!r}"
        )
    return value


def _table(data: dict[str, Any], path: Path, table: str) -> dict[str, Any]:
    section = data.get(table, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{table}] must be a table")
    return section


def _relative_path(config: Path, value: str | None) -> Path | None:
    """Paths in the config file are relative to the file, not to the current directory."""
    if value is None:
        return None
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else config.parent / candidate


def read_trust_anchors(path: Path) -> str:
    """The PEM bundle of trust anchors; a clear error if missing or not PEM."""
    try:
        text = path.read_text(encoding="ascii", errors="strict")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: trust anchor file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read trust anchors: {exc}") from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ConfigError(
            f"{path}: no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"
        )
    if "PRIVATE KEY" in text:
        # Never load (or later echo) key material from a file that should hold public certs.
        raise ConfigError(f"{path}: contains a private key; trust anchors are CA certificates only")
    return text
