"""What `prov watch` does to the catalog (issue 3): reconcile folders, record moves and deletions.

Does I/O: walks folders, reads files (always through the one ingest pipeline, store/ingest/)
and writes the catalog, one transaction per change or batch so a crash never leaves half of
one. History is never deleted: a path that is gone is marked missing.
store/watch/callbacks.py adapts this to the watch loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload

from provenance.analyze import Analyzer
from provenance.model import FileFingerprint
from provenance.policy import is_declaration_file
from provenance.sidecar import asset_for_sidecar, is_sidecar
from provenance.watch.ignore import DEFAULT_RULES, IgnoreRules
from store.audit import chain as audit_chain
from store.audit import rows as audit_rows
from store.audit.chain import EventKind
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, Version, utcnow
from store.catalog.path_filter import at_or_below
from store.catalog.paths import get_path, path_key, path_of_key
from store.ingest import (
    IngestAction,
    IngestOutcome,
    RunSummary,
    UnreadableFolder,
    forget_gone_declarations,
    ingest_many,
    iter_files,
    real_roots,
    scan_targets,
)
from store.policy.classify import PolicyInputs
from store.read.records import version_record

MOVED = "moved"
MISSING = "missing"
UNREADABLE = "unreadable"  # a folder that cannot be listed (issue 7): a failure to report
# Outcomes that changed nothing in the catalog, so there is nothing to tell.
_SILENT = (IngestAction.UNCHANGED, IngestAction.SKIPPED)


@dataclass(frozen=True)
class Change:
    """One change the watcher made to the catalog, for the output layer."""

    kind: str  # an IngestAction value (new, changed, same), MOVED, MISSING or UNREADABLE
    record: dict[str, Any]  # the path's JSON record, as `prov scan --jsonl` prints it
    moved_from: str | None = None  # MOVED: the path it came from

    @classmethod
    def ingested(cls, outcome: IngestOutcome) -> Change:
        return cls(str(outcome.action), outcome.record)


Report = Callable[[Change], None]


def _ignore_change(_change: Change) -> None:
    return None


def ingest_settled(
    path: Path,
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    settled: FileFingerprint | None = None,
    policy: PolicyInputs | None = None,
    roots: tuple[str, ...] | None = None,
) -> IngestOutcome | None:
    """Ingest a file the watcher saw settle (with fingerprint `settled`, when known); None
    when it is already gone (its move or delete event follows). Recorded only if, once its
    row is locked, it is still what was read and what settled. `roots` (real_roots of the
    watched folders): a symlink out of them is recorded `unsupported`, unread (issue 10)."""
    fingerprints = {path: settled} if settled is not None else None
    burst = ingest_settled_many(
        [path],
        catalog=catalog,
        analyzer=analyzer,
        settled=fingerprints,
        policy=policy,
        roots=roots,
    )
    return next(iter(burst), None)


def ingest_settled_many(
    paths: list[Path],
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    settled: Mapping[Path, FileFingerprint] | None = None,
    policy: PolicyInputs | None = None,
    roots: tuple[str, ...] | None = None,
) -> Iterator[IngestOutcome]:
    """ingest_settled for a burst: written in batches (one transaction per batch, as `prov
    scan` does), each outcome yielded once its batch is committed."""
    present = [path for path in paths if os.path.lexists(path)]
    expected = {path_key(path): fp for path, fp in (settled or {}).items()}
    yield from ingest_many(
        present,
        catalog=catalog,
        analyzer=analyzer,
        require_stable=True,
        settled=expected,
        policy=policy,
        roots=roots,
    )


# -- reconcile -------------------------------------------------------------------------------


def reconcile(
    folders: Iterable[Path],
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    ignore: IgnoreRules = DEFAULT_RULES,
    report: Report = _ignore_change,
    settling: Callable[[Path], bool] | None = None,
    keep_going: Callable[[], bool] | None = None,
    policy: PolicyInputs | None = None,
    follow_symlinks: bool = False,
) -> RunSummary:
    """Bring the catalog in line with `folders`: ingest what is new or changed (unchanged
    files take ingest's fast path), then mark missing the catalogued paths below the folders
    that are gone. Re-runnable: a second run over unchanged folders changes nothing.

    Files are written in batches, as `prov scan` writes them (one transaction per batch).
    `settling(path)` True leaves a file to the caller (the watcher hands files written in the
    last quiet window to its settle tracker rather than read a copy in progress).
    `keep_going()` False stops taking files (the batch in hand is finished); the missing paths
    are then left to the next run.

    A folder that cannot be listed is reported (a Change of kind UNREADABLE, a failure in the
    summary), and what the catalog holds below it is not marked missing: it may well be there.

    Folder symlinks are walked only with `follow_symlinks`, and never out of `folders`; a
    file symlink out of them is recorded `unsupported`, unread (issue 10).
    """
    folders = [Path(os.path.abspath(folder)) for folder in folders]
    summary, seen, stopped = RunSummary(), set[str](), [False]
    unreadable: list[UnreadableFolder] = []

    def wanted() -> Iterator[Path]:
        listed = iter_files(folders, ignore, unreadable=unreadable, follow_symlinks=follow_symlinks)
        for path in scan_targets(_collecting(listed, seen)):
            if keep_going is not None and not keep_going():
                stopped[0] = True
                return
            if settling is None or not settling(path):
                yield path

    outcomes = ingest_many(
        wanted(),
        catalog=catalog,
        analyzer=analyzer,
        require_stable=True,
        policy=policy,
        roots=real_roots(folders),
    )
    for outcome in outcomes:
        _tell(outcome, summary, report)
    for problem in unreadable:
        summary.add_folder(problem)
        report(Change(UNREADABLE, problem.record()))
    if stopped[0]:
        return summary
    unlisted = [problem.path for problem in unreadable]
    # Deleted declaration files first: what they covered is re-classified before they are
    # marked missing, so a crash in between leaves them to the next run (issue 7).
    for forgotten in forget_gone_declarations(folders, catalog=catalog, policy=policy):
        report(Change(MISSING, forgotten.record))
    for folder in folders:
        for record in mark_gone(folder, catalog=catalog, present=seen, unlisted=unlisted):
            report(Change(MISSING, record))
    return summary


def _collecting(files: Iterator[Path], seen: set[str]) -> Iterator[Path]:
    """Pass files through, remembering each one's catalog key (sidecars included)."""
    for path in files:
        seen.add(path_key(path))
        yield path


def _tell(outcome: IngestOutcome, summary: RunSummary, report: Report) -> None:
    if outcome.action is IngestAction.SKIPPED:
        return  # in flux: the event that changed it records it later
    summary.add(outcome)
    if outcome.action not in _SILENT:
        report(Change.ingested(outcome))


# -- deletions -------------------------------------------------------------------------------


def record_deletion(
    path: Path,
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    report: Report = _ignore_change,
    policy: PolicyInputs | None = None,
) -> int:
    """`path` was deleted: it, or everything below it when it was a folder, is marked missing
    (its history stays). Repeats are harmless. A deleted sidecar makes its asset be read again,
    now without those credentials, and a deleted declaration file re-classifies what it
    covered. Returns how many paths were marked."""
    gone = forget_gone_declarations([path], catalog=catalog, policy=policy)
    for forgotten in gone:
        report(Change(MISSING, forgotten.record))
    records = mark_gone(path, catalog=catalog)
    for record in records:
        report(Change(MISSING, record))
    if is_sidecar(path) and (asset := asset_for_sidecar(path)) is not None:
        outcome = ingest_settled(asset, catalog=catalog, analyzer=analyzer, policy=policy)
        if outcome is not None and outcome.action not in _SILENT:
            report(Change.ingested(outcome))
    return len(gone) + len(records)


def mark_gone(
    path: Path,
    *,
    catalog: Catalog,
    present: set[str] | None = None,
    unlisted: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Mark `path` and the catalogued paths below it missing, except those in `present`,
    back on disk (recreated since the event), or at or below an `unlisted` folder (one that
    could not be listed: its files cannot be seen, not even to tell they are gone). One
    transaction; returns their records."""
    key, when = path_key(path), utcnow()
    with catalog.session() as session:
        if not _gone(session, key, present, unlisted):
            return []  # the common case of a rescan: no write lock taken
    with catalog.transaction() as session:
        # Chain lock first, as every writer takes it, then read again: the rows read under it
        # are what the events' digests must describe.
        audit_chain.lock_chain(session)
        gone = _gone(session, key, present, unlisted)
        for entry in gone:
            entry.missing_since = when
        # One INSERT for a whole folder's events: a deleted folder of frames stays cheap.
        audit_chain.append_events(
            session, [audit_rows.path_event(e, EventKind.MISSING) for e in gone]
        )
        return [_record(entry) for entry in gone]


def _at_or_below(key: str, folders: Sequence[str]) -> bool:
    return any(key == folder or key.startswith(folder.rstrip("/") + "/") for folder in folders)


def _on_disk(key: str) -> bool:
    """Whether the file a key names is there. A key recorded before keys escaped backslashes
    (issue 7) is not its file's key any more: that file is recorded under its new key, so the
    old row is gone."""
    path = path_of_key(key)
    return path_key(path) == key and os.path.lexists(path)


def _gone(
    session: Session, key: str, present: set[str] | None, unlisted: Sequence[str]
) -> list[PathEntry]:
    return [
        entry
        for entry in _present_at_or_below(session, key)
        if entry.path not in (present or ())
        and not _at_or_below(entry.path, unlisted)
        and not _on_disk(entry.path)
    ]


def _present_at_or_below(session: Session, key: str) -> list[PathEntry]:
    """Paths not yet missing at `key` or below it, with their current version (its manifest
    store left unloaded: a folder of 10,000 frames would otherwise pull every manifest)."""
    query = (
        select(PathEntry)
        .where(at_or_below(PathEntry.path, key))
        .where(PathEntry.missing_since.is_(None))
        .options(joinedload(PathEntry.current_version).options(defer(Version.manifest_store)))
        .order_by(PathEntry.path)
    )
    return list(session.scalars(query).unique())


def _record(entry: PathEntry) -> dict[str, Any]:
    version = entry.current_version
    if version is None:  # a row whose first ingest never committed a version
        return {"path": entry.path, "missing_since": _iso(entry.missing_since)}
    return version_record(entry, version)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- moves -----------------------------------------------------------------------------------


def record_move(
    src: Path,
    dest: Path,
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    report: Report = _ignore_change,
    policy: PolicyInputs | None = None,
) -> bool:
    """`src` was renamed to `dest`. The content keeps its identity (its SHA-256): `dest` gets a
    version with the same hash, and `src` is marked missing with `moved_to=dest`. A no-op when
    `src` was never catalogued (the watcher ingests `dest` as an arrival); a `dest` that already
    had a file gets a new version. Returns whether `src` was known."""
    src_key, dest_key = path_key(src), path_key(dest)
    with catalog.session() as session:
        if get_path(session, src_key) is None:
            return False
    outcome = ingest_settled(dest, catalog=catalog, analyzer=analyzer, policy=policy)
    if is_declaration_file(src):  # what it covered is judged without it now
        forget_gone_declarations([src], catalog=catalog, policy=policy)
    _point_to(src_key, dest_key, catalog)
    if outcome is not None and outcome.action not in _SILENT:
        report(Change(MOVED, outcome.record, moved_from=src_key))
    return True


def _point_to(src_key: str, dest_key: str, catalog: Catalog) -> None:
    """Mark `src` missing (unless a file is back there) and say where its content went.

    Repeats, and a second watcher doing the same, change nothing: the first time it went
    missing is kept."""
    if _on_disk(src_key):
        return
    with catalog.transaction() as session:
        audit_chain.lock_chain(session)
        entry = get_path(session, src_key)
        if entry is not None and entry.moved_to != dest_key:
            entry.moved_to = dest_key
            entry.missing_since = entry.missing_since or utcnow()
            audit_rows.record_path(session, entry, EventKind.MOVE, to=dest_key)
