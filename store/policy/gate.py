"""The delivery gate (`prov check`) and the escalation queue (`prov escalations`), issue 4.

Reads the catalog; the gate also stats files on disk (no reading) to catch deliveries that
changed since they were catalogued, and the declaration files that apply to them (read only
when their stat changed) to catch decisions made under other declarations. It fails closed: a
version that could not be classified, a file the catalog has not seen as it is now, one
classified under other declaration files, or a folder that cannot be listed, fails like an
unapproved one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from provenance.analyze import fingerprint
from provenance.model import FileStatus
from provenance.policy import Outcome, is_declaration_file
from provenance.sidecar import find_sidecar
from provenance.targets import sidecar_fingerprint
from provenance.watch.ignore import DEFAULT_RULES, IgnoreRules
from store.catalog import paths as catalog_paths
from store.catalog.models import PathEntry, Version
from store.ingest import UnreadableFolder, iter_files, scan_targets
from store.policy.approvals import PolicyState, with_states
from store.policy.classify import under
from store.policy.declarations import DeclarationsNow
from store.read.queries import (
    ASSET,
    LISTED_KINDS,
    ORPHAN_SIDECAR,
    UNCLASSIFIED,
    ListFilter,
    list_current,
)

EMPTY_FILE_PREFIX = "empty file"


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
    that lack an approval (for socialize: a report or an approval); a rejection, or no
    classification, fails whatever the threshold."""
    rows = session.execute(_gated(paths).order_by(PathEntry.path))
    states = with_states(session, ((e, v) for e, v in rows))
    return [f for e, v, s in states if (f := _finding(e, v, s, threshold))]


def _gated(paths: Sequence[str] | None) -> Select[PathEntry, Version]:
    """The current versions the gate judges: present files (not sidecars), under `paths`."""
    query = catalog_paths.current_versions().where(
        PathEntry.missing_since.is_(None), PathEntry.kind.in_(LISTED_KINDS)
    )
    return query.where(or_(*under(paths))) if paths is not None else query


def gated_count(session: Session, paths: Sequence[str] | None = None) -> int:
    """How many current versions the gate judges: 0 means it has nothing to pass (issue 7:
    a gate over nothing fails, so a wrong --db or path never passes)."""
    query = select(func.count()).select_from(_gated(paths).subquery())
    return int(session.scalar(query) or 0)


ORPHAN_FINDING = (
    "orphan sidecar: its asset is missing (a .c2pa without the file it describes): deliver "
    "the asset beside it, under the same name, or remove the sidecar"
)


def _finding(
    entry: PathEntry, version: Version, state: PolicyState, threshold: Outcome
) -> GateFinding | None:
    if entry.kind == ORPHAN_SIDECAR:
        # Not an asset, so no risk outcome of its own (issue 8); but the delivery lacks the
        # asset it describes, so it fails whatever the level, as its broken reading did.
        return GateFinding(entry.path, ORPHAN_FINDING, version.content_version, version.sha256)
    if state.passes(threshold):
        return None
    approval = state.approval()
    outcome = state.outcome
    return GateFinding(
        entry.path,
        _reason(state, approval, version),
        version.content_version,
        version.sha256,
        str(outcome) if outcome else None,
        approval["state"],
        tuple(state.fired(min(threshold, outcome or threshold))),
    )


def _reason(state: PolicyState, approval: dict[str, Any], version: Version) -> str:
    if state.outcome is None:
        return f"not classified: {state.risk()['error']}"
    if approval["state"] == "rejected":
        return f"rejected by {approval['by']} ({approval['ref']})"
    if state.outcome == Outcome.SOCIALIZE:
        return "socialize: not reported to the studio contact yet"
    return _file_problem(version) + f"{state.outcome} without a written approval"


def _file_problem(version: Version) -> str:
    """What went wrong reading the file, first (issue 8: an empty file says so): that is what
    to fix, more than the approval its outcome asks for."""
    if version.status not in (FileStatus.UNREADABLE, FileStatus.ERROR) or not version.reason:
        return ""
    return f"{version.status}: {version.reason}; "


def stale_files(
    session: Session, roots: Sequence[Path], ignore: IgnoreRules = DEFAULT_RULES
) -> list[GateFinding]:
    """Files under `roots` on disk that the catalog has not recorded as they are now (new, or
    changed since the last scan): their approvals, if any, are for other content. Also the
    catalogued files under `roots` classified with other declaration files than apply now, and
    folders that cannot be listed: what they hold cannot be checked (issue 7). `ignore`: what
    scan skips (prov's own files, issue 8), so the gate never waits for them."""
    findings = []
    unreadable: list[UnreadableFolder] = []
    for path in scan_targets(iter_files(roots, ignore, unreadable=unreadable)):
        if is_declaration_file(path):
            continue  # judged through the assets it covers, below
        problem = _staleness(session, path)
        if problem is not None:
            findings.append(GateFinding(catalog_paths.path_key(path), problem))
    findings += [GateFinding(f.path, f"unreadable folder: {f.reason}") for f in unreadable]
    keys = [catalog_paths.path_key(root) for root in roots]
    stale = {finding.path for finding in findings}
    return findings + [f for f in stale_declarations(session, keys) if f.path not in stale]


def stale_declarations(session: Session, paths: Sequence[str]) -> list[GateFinding]:
    """Current versions under `paths` (path keys) whose classification was made with other
    declaration files than apply now (one added, removed or changed since): fail closed until
    a scan re-classifies them (issue 7). Unclassified ones fail the gate anyway."""
    query = catalog_paths.current_versions().where(
        PathEntry.missing_since.is_(None), PathEntry.kind == ASSET, or_(*under(paths))
    )
    now, findings = DeclarationsNow(), []
    rows = session.execute(query.order_by(PathEntry.path))
    for entry, version, state in with_states(session, ((e, v) for e, v in rows)):
        row = state.classification
        if row is None or row.outcome is None:
            continue
        problem = now.change(entry.path, row.declaration)
        if problem is not None:
            approval = state.approval()["state"]
            findings.append(
                GateFinding(
                    entry.path,
                    problem,
                    version.content_version,
                    version.sha256,
                    row.outcome,
                    approval,
                )
            )
    return findings


def _staleness(session: Session, path: Path) -> str | None:
    try:
        fp = fingerprint(path)
    except OSError:
        return None  # gone meanwhile: nothing is delivered there
    entry = catalog_paths.get_path(session, catalog_paths.path_key(path))
    if entry is None or entry.current_version_id is None:
        return "not in the catalog: run `prov scan` first"
    if entry.kind != "asset":
        return None  # sidecars are checked with their asset
    if fp.size == 0 and _empty_reading(entry.current_version):
        return None  # an empty file's content is fixed: the version says why it fails
    if not catalog_paths.is_unchanged(entry, fp, sidecar_fingerprint(find_sidecar(path))):
        now_empty = " (now empty: 0 bytes)" if fp.size == 0 else ""
        return f"changed since it was catalogued{now_empty}: run `prov scan` again"
    return None


def _empty_reading(version: Version | None) -> bool:
    """Whether the version is the reading of an empty file (catalogs before issue 8 stored
    no fingerprint for one, so the gate called it changed whatever happened)."""
    return version is not None and (version.reason or "").startswith(EMPTY_FILE_PREFIX)


def awaiting_decision(
    session: Session, *, to_report: bool = False
) -> Iterator[tuple[PathEntry, Version, PolicyState]]:
    """Current versions whose outcome is escalate or approval-required (or that could not be
    classified) and that have no standing decision: the queue `prov escalations` shows.
    With `to_report`, instead the socialize versions not reported (nor approved) yet."""
    if to_report:
        flt, wanted = ListFilter(risk=(str(Outcome.SOCIALIZE),)), "to-report"
    else:
        risk = (str(Outcome.ESCALATE), str(Outcome.APPROVAL_REQUIRED), UNCLASSIFIED)
        flt, wanted = ListFilter(risk=risk), "pending"
    for entry, version, state in with_states(session, list_current(session, flt)):
        if state.approval()["state"] == wanted:
            yield entry, version, state
