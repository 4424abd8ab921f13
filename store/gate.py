"""The delivery gate (`prov check`) and the escalation queue (`prov escalations`), issue 4.

Reads the catalog; the gate also stats files on disk (no reading) to catch deliveries that
changed since they were catalogued. It fails closed: a version that could not be classified,
or a file the catalog has not seen as it is now, fails like an unapproved one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from provenance.analyze import fingerprint
from provenance.policy import Outcome
from provenance.sidecar import find_sidecar
from store import repository
from store.approvals import PolicyState, with_states
from store.ingest import iter_files, scan_targets
from store.models import PathEntry, Version
from store.policy_store import under
from store.queries import LISTED_KINDS, UNCLASSIFIED, ListFilter, list_current
from store.repository import SidecarFingerprint


@dataclass(frozen=True)
class GateFinding:
    """One thing that stops a delivery, with the reason in plain words."""

    path: str
    reason: str
    version: int | None = None
    sha256: str | None = None
    outcome: str | None = None  # None: not classified (or not catalogued)
    approval: str | None = None  # approval state
    rules: tuple[str, ...] = ()  # the rules at or above the threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "version": self.version,
            "sha256": self.sha256,
            "outcome": self.outcome,
            "approval": self.approval,
            "rules": list(self.rules),
            "reason": self.reason,
        }


def gate(
    session: Session, threshold: Outcome, paths: Sequence[str] | None = None
) -> list[GateFinding]:
    """Current versions (of present files, under `paths` if given) at or above `threshold`
    that lack an approval; a rejection, or no classification, fails too."""
    rows = session.execute(_gated(paths).order_by(PathEntry.path))
    states = with_states(session, ((e, v) for e, v in rows))
    return [f for e, v, s in states if (f := _finding(e, v, s, threshold))]


def _gated(paths: Sequence[str] | None) -> Select[PathEntry, Version]:
    """The current versions the gate judges: present files (not sidecars), under `paths`."""
    query = repository.current_versions().where(
        PathEntry.missing_since.is_(None), PathEntry.kind.in_(LISTED_KINDS)
    )
    return query.where(or_(*under(paths))) if paths is not None else query


def gated_count(session: Session, paths: Sequence[str] | None = None) -> int:
    """How many current versions the gate judges: 0 means it has nothing to pass (issue 7:
    a gate over nothing fails, so a wrong --db or path never passes)."""
    query = select(func.count()).select_from(_gated(paths).subquery())
    return int(session.scalar(query) or 0)


def _finding(
    entry: PathEntry, version: Version, state: PolicyState, threshold: Outcome
) -> GateFinding | None:
    approval = state.approval()
    outcome = state.outcome
    if outcome is not None and (outcome < threshold or approval["state"] == "approved"):
        return None
    found = GateFinding(
        entry.path,
        _reason(state, approval),
        version.seq,
        version.sha256,
        str(outcome) if outcome else None,
        approval["state"],
        tuple(state.fired(threshold)),
    )
    return found


def _reason(state: PolicyState, approval: dict[str, Any]) -> str:
    if state.outcome is None:
        return f"not classified: {state.risk()['error']}"
    if approval["state"] == "rejected":
        return f"rejected by {approval['by']} ({approval['ref']})"
    return f"{state.outcome} without a written approval"


def stale_files(session: Session, roots: Sequence[Path]) -> list[GateFinding]:
    """Files under `roots` on disk that the catalog has not recorded as they are now (new, or
    changed since the last scan): their approvals, if any, are for other content."""
    findings = []
    for path in scan_targets(iter_files(roots)):
        problem = _staleness(session, path)
        if problem is not None:
            findings.append(GateFinding(repository.path_key(path), problem))
    return findings


def _staleness(session: Session, path: Path) -> str | None:
    try:
        fp = fingerprint(path)
    except OSError:
        return None  # gone meanwhile: nothing is delivered there
    entry = repository.get_path(session, repository.path_key(path))
    if entry is None or entry.current_version_id is None:
        return "not in the catalog: run `prov scan` first"
    if entry.kind != "asset":
        return None  # sidecars are checked with their asset
    if not repository.is_unchanged(entry, fp, _sidecar_fp(find_sidecar(path))):
        return "changed since it was catalogued: run `prov scan` again"
    return None


def _sidecar_fp(sidecar: Path | None) -> SidecarFingerprint | None:
    try:
        info = os.stat(sidecar) if sidecar else None
    except OSError:
        return None
    return SidecarFingerprint(info.st_size, info.st_mtime_ns) if info else None


def awaiting_decision(session: Session) -> Iterator[tuple[PathEntry, Version, PolicyState]]:
    """Current versions whose outcome is escalate or approval-required (or that could not be
    classified) and that have no standing decision: the queue `prov escalations` shows."""
    flt = ListFilter(risk=(str(Outcome.ESCALATE), str(Outcome.APPROVAL_REQUIRED), UNCLASSIFIED))
    for entry, version, state in with_states(session, list_current(session, flt)):
        if state.approval()["state"] == "pending":
            yield entry, version, state
