"""The JSON record of a catalogued path (README "JSON record"; pinned by tests/cli/test_cli.py).

Later issues add keys; they never rename or remove one. Issue 4 added `risk` (the current
classification under the genAI policy) and `approval` (the standing written decision); issue 7
added `approval.to` and the states `to-report` and `reported` (docs/policy.md "JSON"), and
`credentials.additional` (the file's other credential readings, e.g. a sidecar beside embedded
credentials); issue 8 added `moved_to` (where a missing path's file went, when a watcher saw
it move).
"""

from __future__ import annotations

from typing import Any

from store.approvals import PolicyState
from store.credential_record import credentials_record
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
        "moved_to": entry.moved_to,
        "recorded_at": _iso(version.recorded_at),
        "version": version.seq,
        "credentials": credentials_record(version),
        "ai": {"involvement": version.involvement, "evidence": list(version.ai_evidence or [])},
        "risk": state.risk(),
        "approval": state.approval(),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
