"""Vendor declaration files in the catalog (issue 7): each is recorded like an asset, by the
one writer (a path row of kind `declaration` with its fingerprint, and a version with its
SHA-256, ok or error, logged, never classified), so `scan` and a watcher's start-up reconcile
see one added, changed or deleted while nobody watched, and re-classify the assets it covers.
An unchanged file takes the pipeline's fast path: no reading, no re-classification. What is
particular to them is here: reading one as a catalog reading, its JSON record, the
re-classification of what it covers, and forgetting one that was deleted.

Does I/O: stats and reads declaration files and writes the catalog. The covered assets are
re-classified before the file's row is written: a crash in between leaves the file looking
changed, so the next scan does it again (never a new fingerprint over old decisions).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from provenance.model import (
    AiAssessment,
    AssetReport,
    CredentialSummary,
    FileFingerprint,
    FileStatus,
    Involvement,
)
from provenance.policy import PolicyError, check_declaration_file
from store.audit import chain as audit_chain
from store.catalog import paths as catalog_paths
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, Version
from store.catalog.path_filter import at_or_below
from store.catalog.paths import path_key, path_of_key
from store.ingest import writer
from store.ingest.rows import Pending
from store.policy.classify import Change, PolicyInputs, reclassify
from store.policy.declarations import DECLARATION_KIND, covered_by

_FOLDERS_PER_QUERY = 100  # SQLite parses a long OR as deep as it is long (limit 1000)


@dataclass(frozen=True)
class DeclarationOutcome:
    """What became of one declaration file (ingest turns it into an IngestOutcome)."""

    key: str
    unchanged: bool  # the fast path: nothing read, nothing re-classified
    status: FileStatus
    reason: str | None
    record: dict[str, Any]


def ingest_declaration(path: Path, *, catalog: Catalog, policy: PolicyInputs) -> DeclarationOutcome:
    """Record a declaration file that is new or changed (the pipeline's fast path spares an
    unchanged one) and re-classify the catalogued assets it covers."""
    changes = reclassify(catalog, policy, covered_by(path))
    report = _report(path)
    with catalog.transaction() as session:
        # The one writer's rows and events: a declaration file is logged, never classified.
        (done,) = writer.write_batch(
            session, [Pending(report, DECLARATION_KIND, None, None)], policy
        )
        record = declaration_record(done.entry, done.version, changes)
    return _outcome(record, unchanged=False)


def unchanged_declaration(entry: PathEntry, version: Version) -> DeclarationOutcome:
    """The outcome of a declaration file the fast path found as recorded."""
    return _outcome(declaration_record(entry, version), unchanged=True)


def _report(path: Path) -> AssetReport:
    """The declaration file as a catalog reading: its hash, and ok or the parse error."""
    try:
        file, problem = check_declaration_file(path)
    except PolicyError as exc:
        return _reading(path, FileStatus.UNREADABLE, str(exc), None, None)
    status = FileStatus.ERROR if problem else FileStatus.OK
    fp = FileFingerprint(file.size, file.mtime_ns, file.inode)
    return _reading(path, status, problem, fp, file.sha256)


def _reading(
    path: Path,
    status: FileStatus,
    reason: str | None,
    fp: FileFingerprint | None,
    sha256: str | None,
) -> AssetReport:
    # Not media: no asset row (media None), no credentials, no AI reading.
    text = catalog_paths.storable_text(reason) if reason else None
    return AssetReport(
        str(path),
        status,
        text,
        fp,
        sha256,
        None,
        CredentialSummary(present=False),
        AiAssessment(Involvement.UNKNOWN),
    )


def declaration_record(
    entry: PathEntry, version: Version, changes: Sequence[Change] = ()
) -> dict[str, Any]:
    """The JSON record of a declaration file (`scan --jsonl`, the watcher's output)."""
    # A covered asset that could not be classified (this file or another one above it is
    # malformed) makes the outcome an error too, as the re-classification's did before.
    error = next((c.error for c in changes if c.error), None)
    status = version.status
    if error is not None and status == str(FileStatus.OK):
        status = str(FileStatus.ERROR)
    return {
        "path": entry.path,
        "kind": DECLARATION_KIND,
        "sha256": version.sha256,
        "version": version.seq,
        "status": status,
        "reason": version.reason or error,
        "missing_since": entry.missing_since.isoformat() if entry.missing_since else None,
        "reclassified": [c.to_dict() for c in changes if c.changed],
    }


def _outcome(record: dict[str, Any], *, unchanged: bool) -> DeclarationOutcome:
    status = FileStatus(record["status"])
    return DeclarationOutcome(record["path"], unchanged, status, record["reason"], record)


def declarations_gone(
    roots: Iterable[Path], *, catalog: Catalog, policy: PolicyInputs
) -> list[DeclarationOutcome]:
    """Declaration files recorded at or below `roots` that are no longer on disk: the assets
    they covered are re-classified without them, then they are marked missing (that order,
    so a crash in between leaves them to the next run)."""
    # A file that is there is not gone: only folders, and paths gone themselves (a watcher's
    # deletion), are asked about, a few at a time, as `prov scan *.exr` may name thousands.
    keys = [path_key(root) for root in roots if root.is_dir() or not os.path.lexists(root)]
    recorded: list[str] = []
    with catalog.session() as session:
        for start in range(0, len(keys), _FOLDERS_PER_QUERY):
            chunk = keys[start : start + _FOLDERS_PER_QUERY]
            query = select(PathEntry.path).where(
                PathEntry.kind == DECLARATION_KIND,
                PathEntry.missing_since.is_(None),
                or_(*(at_or_below(PathEntry.path, key) for key in chunk)),
            )
            recorded += session.scalars(query.order_by(PathEntry.path))
    gone = [key for key in dict.fromkeys(recorded) if _surely_gone(path_of_key(key))]
    return [_forget(key, catalog, policy) for key in gone]


def _surely_gone(path: Path) -> bool:
    """Gone only when the system says so: a declaration behind a folder that cannot be listed
    (permission denied) is unknown, and dropping it could lower a risk (fail closed)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _forget(key: str, catalog: Catalog, policy: PolicyInputs) -> DeclarationOutcome:
    changes = reclassify(catalog, policy, covered_by(path_of_key(key)))
    with catalog.transaction() as session:
        audit_chain.lock_chain(session)
        catalog_paths.mark_missing(session, key)
        entry = catalog_paths.get_path(session, key)
        version = entry.current_version if entry is not None else None
        if entry is None or version is None:  # removed meanwhile by another writer
            record: dict[str, Any] = {"path": key, "kind": DECLARATION_KIND, "status": "ok"}
            record["reason"] = None
            record["reclassified"] = [c.to_dict() for c in changes if c.changed]
        else:
            record = declaration_record(entry, version, changes)
    return _outcome(record, unchanged=False)
