"""The JSON record of a catalogued path (README "JSON record"; pinned by tests/cli/test_cli.py).

Later issues add keys; they never rename or remove one. Issue 4 added `risk` (the current
classification under the genAI policy) and `approval` (the standing written decision); issue 7
added `approval.to` and the states `to-report` and `reported` (docs/policy.md "JSON"), and
`credentials.additional` (the file's other credential readings, e.g. a sidecar beside embedded
credentials). Issue 8: `moved_to` (where a missing path's file went, when a watcher saw it
move); `ai.involvement` includes what a declaration adds (an evidence item of source
`declaration`, strength `declared`); an orphan sidecar has no risk of its own; `version` is the
content version and `reading` the reading of it (versions.content_seq, migration 0006).
"""

from __future__ import annotations

from typing import Any

from provenance.model import INVOLVEMENT_RANK, Involvement, Strength
from store.catalog.models import ClassificationRow, PathEntry, Version
from store.policy.approvals import PolicyState
from store.read.credentials import credentials_record
from store.read.queries import ORPHAN_SIDECAR

ORPHAN_RISK = (
    "orphan sidecar: judged with its asset, which is missing from the delivery "
    "(`prov check` fails until it is there)"
)


def version_record(
    entry: PathEntry, version: Version, policy_state: PolicyState | None = None
) -> dict[str, Any]:
    """`policy_state` from store.policy.approvals (state_of / with_states); without it the record
    says the version is not classified."""
    orphan = entry.kind == ORPHAN_SIDECAR  # not an asset: judged with the one it lacks
    state = PolicyState(None) if orphan or policy_state is None else policy_state
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
        "version": version.content_version,
        "credentials": credentials_record(version),
        "ai": ai_record(version, state.classification),
        "risk": {**state.risk(), "error": ORPHAN_RISK} if orphan else state.risk(),
        # An orphan awaits no decision: what it needs is its asset.
        "approval": {**state.approval(), "state": "not-needed"} if orphan else state.approval(),
        "reading": version.seq,
    }


def ai_record(version: Version, classification: ClassificationRow | None) -> dict[str, Any]:
    """The `ai` key: the file's own involvement and evidence, raised (never lowered) by the
    declaration its classification used, which then appears as one more evidence item, so
    the AI and RISK columns of `prov ls` always agree (issue 8). `ls --ai` filters on the
    same value (store.read.queries.effective_involvement)."""
    own = version.involvement
    evidence = list(version.ai_evidence or [])
    combined = classification.involvement if classification is not None else None
    if combined is None or rank(combined) <= rank(own):
        return {"involvement": own, "evidence": evidence}
    declared = (classification.declaration if classification else None) or {}
    sources = [str(source) for source in declared.get("sources") or []]
    item = {
        "source": "declaration",
        "location": ", ".join(sources) or "declaration",
        "value": str(declared.get("involvement") or "genAI use, kind not stated"),
        "strength": str(Strength.DECLARED),
        "implies": combined,
    }
    return {"involvement": combined, "evidence": [*evidence, item]}


def rank(involvement: str | None) -> int:
    """INVOLVEMENT_RANK of a stored value; anything unknown ranks lowest."""
    try:
        return INVOLVEMENT_RANK[Involvement(involvement or "")]
    except ValueError:
        return -1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
