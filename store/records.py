"""The JSON record of a catalogued path (README "JSON record"; pinned by tests/cli/test_cli.py).

Later issues add keys; they never rename or remove one. Issue 4 added `risk` (the current
classification under the genAI policy) and `approval` (the standing written decision); issue 7
added `approval.to` and the states `to-report` and `reported` (docs/policy.md "JSON").
"""

from __future__ import annotations

from typing import Any

from store.approvals import PolicyState
from store.models import PathEntry, Version


def version_record(
    entry: PathEntry, version: Version, policy_state: PolicyState | None = None
) -> dict[str, Any]:
    """`policy_state` from store.approvals (state_of / with_states); without it the record
    says the version is not classified."""
    state = policy_state or PolicyState(None)
    return {
        "path": entry.path,
        "kind": entry.kind,
        "sha256": version.sha256,
        "size": version.size,
        "media_type": version.media_type,
        "status": version.status,
        "reason": version.reason,
        "missing_since": _iso(entry.missing_since),
        "recorded_at": _iso(version.recorded_at),
        "version": version.seq,
        "credentials": credentials_record(version),
        "ai": {"involvement": version.involvement, "evidence": list(version.ai_evidence or [])},
        "risk": state.risk(),
        "approval": state.approval(),
    }


def credentials_record(version: Version) -> dict[str, Any]:
    return {
        "present": version.cred_present,
        "location": version.cred_location,
        "validation_state": version.validation_state,
        "failure_codes": list(version.failure_codes or []),
        "informational_codes": list(version.informational_codes or []),
        "signer": {"issuer": version.signer_issuer, "common_name": version.signer_common_name},
        "signing_time": _iso(version.signing_time),
        "claim_generator": version.claim_generator,
        "active_manifest": version.active_manifest,
        "manifest_count": version.manifest_count,
        "ingredient_count": version.ingredient_count,
        "remote_url": version.remote_url,
        "sidecar": version.sidecar_path,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
