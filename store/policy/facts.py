"""What a stored version says about its credentials and the software it names, back as the
policy's domain values (issue 7). Pure: reads only the Version row given.

`Version.extra_credentials` holds further readings (a sidecar beside embedded credentials)
as dicts shaped like the JSON record's `credentials` object; rows are trusted no more than
files: a malformed entry reads as a failing reading, so it can only raise a risk.
"""

from __future__ import annotations

from typing import Any

from provenance.model import CredentialLocation, FileStatus, Strength, ToolName, ValidationState
from provenance.policy.model import CredentialFacts, CredentialReading
from store.catalog.models import Version


def credential_facts_of(version: Version) -> CredentialFacts:
    """The file status, its reason and every credential reading of a version."""
    main = CredentialReading(
        present=bool(version.cred_present),
        location=_location(version.cred_location),
        validation_state=_state(version.validation_state),
        failure_codes=_codes(version.failure_codes),
        remote_url=version.remote_url,
        manifest_read=_read(version.validation_state, version.manifest_count),
    )
    extra = tuple(reading_of(item) for item in version.extra_credentials or [])
    return CredentialFacts(_status(version.status), (main, *extra), version.reason)


def reading_of(item: object) -> CredentialReading:
    """One `credentials`-shaped dict as a reading; anything unreadable fails closed."""
    if not isinstance(item, dict):
        return _MALFORMED
    state = item.get("validation_state")
    return CredentialReading(
        present=bool(item.get("present", True)),
        location=_location(item.get("location")),
        validation_state=_state(state),
        failure_codes=_codes(item.get("failure_codes")),
        remote_url=item.get("remote_url") if isinstance(item.get("remote_url"), str) else None,
        manifest_read=_read(state, item.get("manifest_count")),
    )


# A stored reading that cannot be understood: present, and failing, so PV-INVALID says so.
_MALFORMED = CredentialReading(
    present=True, validation_state=ValidationState.INVALID, failure_codes=("general.error",)
)


def tool_names_of(version: Version) -> tuple[ToolName, ...]:
    """Version.tool_names as values; an unknown strength reads as unsigned (never verifies)."""
    names = []
    for item in version.tool_names or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            source = str(item.get("source") or "unknown")
            names.append(ToolName(item["name"], source, _strength(item.get("strength"))))
    return tuple(names)


def _strength(value: Any) -> Strength:
    try:
        return Strength(value)
    except ValueError:
        return Strength.UNSIGNED


def _status(value: Any) -> FileStatus:
    try:
        return FileStatus(value)
    except ValueError:  # a status this version does not know: treat as broken (fail closed)
        return FileStatus.ERROR


def _location(value: Any) -> CredentialLocation | None:
    try:
        return CredentialLocation(value) if value else None
    except ValueError:
        return None


def _state(value: Any) -> ValidationState | None:
    try:
        return ValidationState(value) if value else None
    except ValueError:  # an unknown state vouches for nothing
        return ValidationState.INVALID


def _codes(value: Any) -> tuple[str, ...]:
    return tuple(code for code in value if isinstance(code, str)) if isinstance(value, list) else ()


def _read(state: Any, manifest_count: Any) -> bool:
    return bool(state) or (isinstance(manifest_count, int) and manifest_count > 0)
