"""ingest_path: the one way a file on disk becomes catalog rows (scan, watch and reconcile use it).

Does I/O: stats and reads files (through provenance.analyze) and writes the catalog, one
transaction per file so a crash or a bad file never costs what is already recorded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from provenance.analyze import Analyzer, analyze_file, analyze_orphan_sidecar, fingerprint
from provenance.model import AssetReport, FileFingerprint, FileStatus
from provenance.policy import is_declaration_file
from provenance.sidecar import asset_for_sidecar, find_sidecar, is_sidecar
from provenance.watch.ignore import DEFAULT_RULES, IgnoreRules
from store import audit, repository
from store.approvals import PolicyState, carried_decisions, policy_states, state_of
from store.batch import BATCH_FILES, BATCH_SECONDS, WriteBatch
from store.bulk import Pending, Written, write_batch
from store.db import Catalog, CatalogError, redact
from store.declaration_ingest import DeclarationOutcome, declarations_gone, ingest_declaration
from store.models import PathEntry
from store.policy_store import PolicyInputs, default_inputs, record_new_version
from store.queries import ORPHAN_SIDECAR
from store.records import version_record
from store.repository import RecordAction, SidecarFingerprint

CONFLICT_RETRIES = 5


class IngestAction(StrEnum):
    NEW = "new"  # first time this path is seen
    CHANGED = "changed"  # new version (content or its credentials changed)
    SAME = "same"  # re-read (fingerprint changed) but content and reading identical
    UNCHANGED = "unchanged"  # fast path: size, mtime and inode unchanged, not re-read
    SKIPPED = "skipped"  # require_stable only: gone or rewritten while read; nothing recorded
    DECLARATION = "declaration"  # a genAI declaration file: the assets it covers re-classified


class CatalogUnavailable(CatalogError):
    """The database went away mid-run (server restart, disk full, lock timeout)."""


@dataclass(frozen=True)
class IngestOutcome:
    path: str
    action: IngestAction
    status: FileStatus
    reason: str | None
    record: dict[str, Any] = field(default_factory=dict)


def ingest_path(
    path: Path,
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    force: bool = False,
    require_stable: bool = False,
    settled: Mapping[str, FileFingerprint] | None = None,
    policy: PolicyInputs | None = None,
    batch: WriteBatch | None = None,
) -> IngestOutcome:
    """Record one file: its sidecar goes with it; a `.c2pa` arriving re-reads its asset.

    With `batch` (scan), the file's writes join the batch's transaction as a savepoint and
    become durable when the caller commits the batch; without it, in a transaction of its own.

    Every new version is logged and classified under the genAI policy in the same
    transaction (issue 4). `policy` is loaded once per command by the caller; None means the
    shipped policy and no production config.

    `require_stable` (the watcher's mode) records nothing when, once the path's row is locked,
    the file is gone or no longer what was read (action SKIPPED): the event that moved or
    rewrote it brings it back, and a watcher can never commit an older reading over a newer
    one that another watcher recorded meanwhile (issue 3, "no lost updates"). `settled` (by
    path key) adds the fingerprint the watcher saw each file settle with: the file must still
    be exactly that, which also catches a rewrite begun after settling but before the read.
    """
    path = Path(os.path.abspath(path))
    ctx = _Context(
        catalog, analyzer, force, require_stable, policy or default_inputs(), batch, settled or {}
    )
    if is_declaration_file(path):
        return _declaration(path, ctx)
    if is_sidecar(path):
        asset = asset_for_sidecar(path)
        if asset is not None:
            return _ingest_asset(asset, path, ctx)
        return _ingest_orphan(path, ctx)
    return _ingest_asset(path, find_sidecar(path), ctx)


@dataclass(frozen=True)
class _Context:
    """The per-call settings every step below needs."""

    catalog: Catalog
    analyzer: Analyzer
    force: bool
    stable: bool
    policy: PolicyInputs
    batch: WriteBatch | None = None
    settled: Mapping[str, FileFingerprint] = field(default_factory=dict)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One file's writes: a savepoint in the batch, or a transaction of its own."""
        if self.batch is not None:
            with self.batch.unit() as session:
                yield session
            return
        with self.catalog.transaction() as session:
            audit.lock_chain(session)  # every writer: chain lock first, then row locks
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for lookups: the batch's own, or a short one."""
        if self.batch is not None:
            yield self.batch.session
            return
        with self.catalog.session() as session:
            yield session


def _ingest_asset(path: Path, sidecar: Path | None, ctx: _Context) -> IngestOutcome:
    sidecar_fp = _sidecar_fingerprint(sidecar)
    if not ctx.force and (outcome := _unchanged(path, sidecar_fp, ctx)) is not None:
        return outcome
    report = analyze_file(path, analyzer=ctx.analyzer, sidecar=sidecar)
    return _record(report, ctx, "asset", sidecar_fp, sidecar)


def _ingest_orphan(path: Path, ctx: _Context) -> IngestOutcome:
    if not ctx.force and (outcome := _unchanged(path, None, ctx)) is not None:
        return outcome
    report = analyze_orphan_sidecar(path, analyzer=ctx.analyzer)
    return _record(report, ctx, "orphan_sidecar", None, None)


def _declaration(path: Path, ctx: _Context) -> IngestOutcome:
    """A declaration file is not media: it is recorded with its fingerprint, and when it is
    new or changed the catalogued assets it covers are re-classified (issue 7). A malformed
    one is an error."""
    with _database_errors(ctx.catalog):
        done = ingest_declaration(path, catalog=ctx.catalog, policy=ctx.policy, force=ctx.force)
    return _declaration_outcome(done)


def _declaration_outcome(done: DeclarationOutcome) -> IngestOutcome:
    action = IngestAction.UNCHANGED if done.unchanged else IngestAction.DECLARATION
    return IngestOutcome(done.key, action, done.status, done.reason, done.record)


def forget_gone_declarations(
    roots: Iterable[Path], *, catalog: Catalog, policy: PolicyInputs | None = None
) -> list[IngestOutcome]:
    """Declaration files recorded under `roots` that were deleted: what they covered is
    re-classified without them and they are marked missing (`scan`, a watcher's reconcile)."""
    roots = [Path(os.path.abspath(root)) for root in roots]
    with _database_errors(catalog):
        gone = declarations_gone(roots, catalog=catalog, policy=policy or default_inputs())
    return [_declaration_outcome(done) for done in gone]


def _sidecar_fingerprint(sidecar: Path | None) -> SidecarFingerprint | None:
    if sidecar is None:
        return None
    try:
        info = sidecar.stat()
    except OSError:
        return None
    return SidecarFingerprint(info.st_size, info.st_mtime_ns)


def _unchanged(
    path: Path, sidecar: SidecarFingerprint | None, ctx: _Context
) -> IngestOutcome | None:
    try:
        fp = fingerprint(path)
    except OSError:
        return None  # analyze_file will report why
    with _database_errors(ctx.catalog), ctx.reader() as session:
        entry = repository.get_path(session, repository.path_key(path))
        version = entry.current_version if entry is not None else None
        if entry is None or version is None or not repository.is_unchanged(entry, fp, sidecar):
            return None
        record = version_record(entry, version, state_of(session, version.id))
    return IngestOutcome(
        entry.path, IngestAction.UNCHANGED, FileStatus(version.status), version.reason, record
    )


def _record(
    report: AssetReport,
    ctx: _Context,
    kind: str,
    sidecar: SidecarFingerprint | None,
    sidecar_path: Path | None,
) -> IngestOutcome:
    for attempt in range(CONFLICT_RETRIES):
        try:
            return _record_once(report, ctx, kind, sidecar, sidecar_path)
        except _NotStable:
            return IngestOutcome(report.path, IngestAction.SKIPPED, report.status, _SKIPPED)
        except IntegrityError:
            # Another watcher recorded the same path or content a moment ago; its row is
            # there now, so the next attempt takes the update path.
            if attempt == CONFLICT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _record_once(
    report: AssetReport,
    ctx: _Context,
    kind: str,
    sidecar: SidecarFingerprint | None,
    sidecar_path: Path | None,
) -> IngestOutcome:
    with _database_errors(ctx.catalog), ctx.unit() as session:
        version, action = repository.record_report(session, report, kind=kind, sidecar=sidecar)
        if ctx.stable:
            # under record_report's row lock, before the commit
            _check_still_on_disk(report, ctx.settled.get(repository.path_key(report.path)))
        if sidecar_path is not None:
            repository.mark_sidecar_paired(session, repository.path_key(sidecar_path))
        entry = version.path
        state = None
        if action is not RecordAction.SAME:
            # Issue 4: a version is never in the catalog without its audit entry and its
            # classification (same transaction), so the delivery gate cannot see it unjudged.
            classified = record_new_version(session, entry, version, str(action), ctx.policy)
            # A new row has no decisions of its own; a new reading of the same content
            # carries those on its earlier readings (issue 8).
            earlier = action is RecordAction.CHANGED  # a new path has no earlier readings
            carried = (
                carried_decisions(session, [version.id]).get(version.id, ()) if earlier else ()
            )
            state = PolicyState(classified, (), carried)
        record = version_record(entry, version, state or state_of(session, version.id))
    return IngestOutcome(record["path"], _ACTIONS[action], report.status, report.reason, record)


class _NotStable(Exception):
    """The file is no longer what was read; raised inside the transaction to roll it back."""


_SKIPPED = "not recorded: the file moved or changed while it was read; its next event records it"


def _check_still_on_disk(report: AssetReport, settled: FileFingerprint | None) -> None:
    """Compare the file with the report, and with what settled (compare-and-set); raise
    _NotStable to roll back.

    Called while the path's row is locked, so of two watchers reading one file around a
    rewrite, the one holding the older reading sees the new fingerprint and backs off
    instead of committing it last.
    """
    try:
        now = fingerprint(Path(report.path))
    except OSError:
        raise _NotStable from None
    read = report.fingerprint
    if (read is not None and now != read) or (settled is not None and now != settled):
        raise _NotStable


_ACTIONS = {
    RecordAction.NEW: IngestAction.NEW,
    RecordAction.CHANGED: IngestAction.CHANGED,
    RecordAction.SAME: IngestAction.SAME,
}


@contextmanager
def _database_errors(catalog: Catalog) -> Iterator[None]:
    """Turn a lost connection into CatalogUnavailable (scan stops; watch retries)."""
    try:
        yield
    except IntegrityError:
        raise
    except (OperationalError, DBAPIError) as exc:
        message = str(getattr(exc, "orig", exc)).strip().splitlines()
        detail = message[0] if message else type(exc).__name__
        raise CatalogUnavailable(
            f"the catalog at {redact(catalog.url)} is unavailable: {detail}",
            "files recorded so far are kept; run the command again when it is back",
        ) from exc


@dataclass(frozen=True)
class UnreadableFolder:
    """A folder the walk could not list (permission denied, I/O error): the files in it are
    not catalogued, so it is a failure to report, never a silent gap (issue 7)."""

    path: str  # as the catalog stores paths (repository.path_key)
    reason: str

    def record(self) -> dict[str, Any]:
        """The JSON record `scan --jsonl` and `watch --jsonl` print for it."""
        return {"path": self.path, "kind": "folder", "status": "unreadable", "reason": self.reason}


class UnreadableFolderError(OSError):
    """Raised by iter_files for an unreadable folder when the caller gave no list for them."""

    def __init__(self, folder: UnreadableFolder) -> None:
        super().__init__(f"{folder.path}: {folder.reason}")
        self.folder = folder


def iter_files(
    roots: Iterable[Path],
    ignore: IgnoreRules = DEFAULT_RULES,
    *,
    unreadable: list[UnreadableFolder] | None = None,
) -> Iterator[Path]:
    """Every file under the given paths, sorted, skipping names that mean "still copying"
    or hidden (the watcher's ignore globs). Directory symlinks are followed once: a
    (device, inode) set stops symlink loops. A path given explicitly is skipped only when it
    is one of prov's own files (`ignore.files`: the catalog's, the config file; issue 8).

    A folder that cannot be listed is appended to `unreadable` for the caller to report;
    without that list, iter_files raises UnreadableFolderError (it never skips one silently).
    A folder that vanished during the walk is skipped: nothing is delivered there."""
    seen: set[tuple[int, int]] = set()

    def problem(folder: UnreadableFolder) -> None:
        if unreadable is None:
            raise UnreadableFolderError(folder)
        unreadable.append(folder)

    for root in roots:
        if root.is_dir():
            yield from _walk(root, seen, ignore, problem)
        elif not ignore.is_own_file(root):
            yield root


_Problem = Callable[[UnreadableFolder], None]


def _walk(
    folder: Path, seen: set[tuple[int, int]], ignore: IgnoreRules, problem: _Problem
) -> Iterator[Path]:
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return
        seen.add((info.st_dev, info.st_ino))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except FileNotFoundError:
        return
    except OSError as exc:
        problem(UnreadableFolder(repository.path_key(folder), _folder_reason(exc)))
        return
    for entry in entries:
        path = Path(entry.path)
        if not ignore.ignores(path):  # the name only: the folders above passed already
            yield from _entry_files(path, entry, seen, ignore, problem)


def _folder_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            "permission denied: the folder cannot be listed, so its files are not "
            "catalogued; make it readable (r and x) by the user running prov"
        )
    return f"cannot list the folder, so its files are not catalogued: {exc.strerror or exc}"


def _entry_files(
    path: Path,
    entry: os.DirEntry[str],
    seen: set[tuple[int, int]],
    ignore: IgnoreRules,
    problem: _Problem,
) -> Iterator[Path]:
    try:
        is_dir = entry.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        yield from _walk(path, seen, ignore, problem)
    else:
        yield path


def scan_targets(files: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: a sidecar whose asset is also in the scan is read with that asset.
    GenAI declaration files are targets too: not media, but recorded with their fingerprint
    so that one added or changed while nobody watched re-classifies what it covers."""
    for path in files:
        if is_sidecar(path) and asset_for_sidecar(path) is not None:
            continue
        yield path


def declarations_first(paths: Iterable[Path]) -> list[Path]:
    """Declaration files ahead of the other files (in order otherwise): what they change is
    re-classified before the assets are listed, so a scan's records and summary are current."""
    listed = list(paths)
    return sorted(listed, key=lambda path: not is_declaration_file(path))


@dataclass
class RunSummary:
    """Counts for the end-of-run summary; decides the exit code (1 if any file failed)."""

    actions: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    involvement: dict[str, int] = field(default_factory=dict)
    risk: dict[str, int] = field(default_factory=dict)  # genAI policy outcomes (issue 4)
    orphans: int = 0  # orphan sidecars: not assets, judged with the asset they lack (issue 8)
    failures: list[IngestOutcome] = field(default_factory=list)
    folders: list[UnreadableFolder] = field(default_factory=list)  # not listed: failures too

    def add(self, outcome: IngestOutcome) -> None:
        _bump(self.actions, str(outcome.action))
        _bump(self.statuses, str(outcome.status))
        if outcome.record.get("kind") == ORPHAN_SIDECAR:
            self.orphans += 1  # no involvement or risk of its own to count
        else:
            self._add_judgement(outcome.record)
        if outcome.status.is_failure:
            self.failures.append(outcome)

    def _add_judgement(self, record: dict[str, Any]) -> None:
        involvement = record.get("ai", {}).get("involvement")
        if involvement:
            _bump(self.involvement, involvement)
        risk = record.get("risk") or {}
        if "outcome" in risk:
            _bump(self.risk, risk["outcome"] or "unclassified")

    def add_folder(self, folder: UnreadableFolder) -> None:
        self.folders.append(folder)

    @property
    def failed(self) -> bool:
        """Whether the run failed (exit 1): a file unreadable or in error, or a folder that
        could not be listed."""
        return bool(self.failures or self.folders)

    @property
    def total(self) -> int:
        return sum(self.actions.values())

    def failure_lines(self) -> list[str]:
        """One line per failure, for stderr: what failed and why."""
        return [f"{f.status}: {f.path}: {f.reason}" for f in self.failures] + [
            f"unreadable folder: {f.path}: {f.reason}" for f in self.folders
        ]

    def lines(self) -> list[str]:
        return [
            f"{self.total} file(s): {_counts(self.actions)}",
            f"status: {_counts(self.statuses)}",
            f"genAI involvement: {_counts(self.involvement)}",
            *([f"genAI risk: {_counts(self.risk)}"] if self.risk else []),
            *([f"orphan sidecars: {self.orphans}"] if self.orphans else []),
            *([f"unreadable folder(s): {len(self.folders)}"] if self.folders else []),
        ]


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{count} {key}" for key, count in sorted(counter.items())) or "none"


def ingest_many(
    paths: Iterable[Path],
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    force: bool = False,
    require_stable: bool = False,
    settled: Mapping[str, FileFingerprint] | None = None,
    policy: PolicyInputs | None = None,
) -> Iterator[IngestOutcome]:
    """ingest_path over many files, a batch at a time: one fast-path lookup per batch, then
    the files read are written in one transaction of bulk statements (store/bulk.py). Same
    rows, records and outcomes as ingest_path file by file. Outcomes are yielded only once
    their batch is committed, so what a caller reports is durable. `require_stable` and
    `settled` as for ingest_path (a watcher's burst)."""
    for batch in ingest_batches(
        paths,
        catalog=catalog,
        analyzer=analyzer,
        force=force,
        require_stable=require_stable,
        settled=settled,
        policy=policy,
    ):
        yield from batch


def ingest_batches(
    paths: Iterable[Path],
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    force: bool = False,
    require_stable: bool = False,
    settled: Mapping[str, FileFingerprint] | None = None,
    policy: PolicyInputs | None = None,
) -> Iterator[list[IngestOutcome]]:
    """ingest_many, one list per committed transaction: a caller interrupted while handling
    a list still knows every file that is durable (`prov scan` after Ctrl-C, issue 8)."""
    inputs = policy or default_inputs()
    ctx = _Context(catalog, analyzer, force, require_stable, inputs, None, settled or {})
    chunk: list[_Target] = []
    for given in paths:
        path = Path(os.path.abspath(given))
        if is_declaration_file(path):
            # Re-classifies in transactions of its own: what came before must be committed.
            yield from _scan_chunk(chunk, ctx)
            chunk = []
            yield [_declaration(path, ctx)]
            continue
        chunk.append(_target(path))
        if len(chunk) >= BATCH_FILES:
            yield from _scan_chunk(chunk, ctx)
            chunk = []
    yield from _scan_chunk(chunk, ctx)


@dataclass(frozen=True)
class _Target:
    """A scan target resolved as ingest_path resolves it: what is read, with which sidecar."""

    given: Path  # as the caller named it (the sidecar itself, for a sidecar that arrived)
    path: Path  # what is read: the asset, or an orphan sidecar
    sidecar: Path | None
    sidecar_fp: SidecarFingerprint | None
    kind: str  # "asset" | "orphan_sidecar"

    @property
    def key(self) -> str:
        return repository.path_key(self.path)


def _target(path: Path) -> _Target:
    if is_sidecar(path):
        asset = asset_for_sidecar(path)
        if asset is None:
            return _Target(path, path, None, None, "orphan_sidecar")
        return _Target(path, asset, path, _sidecar_fingerprint(path), "asset")
    sidecar = find_sidecar(path)
    return _Target(path, path, sidecar, _sidecar_fingerprint(sidecar), "asset")


def _scan_chunk(targets: list[_Target], ctx: _Context) -> Iterator[list[IngestOutcome]]:
    """Fast path for the whole chunk, then read the rest and write them in bulk, committing
    at least every BATCH_SECONDS of reading (as WriteBatch does). Yields the outcomes of each
    commit together."""
    if not targets:
        return
    if not _distinct(targets):  # a path twice: the per-file path orders its writes
        yield _per_file(targets, ctx)
        return
    unchanged = {} if ctx.force else _unchanged_many(targets, ctx)
    slots: list[IngestOutcome | None] = []
    pending: list[tuple[int, _Target, Pending]] = []
    started, emitted = time.monotonic(), 0
    for target in targets:
        slots.append(unchanged.get(target.key))
        if slots[-1] is None:
            pending.append((len(slots) - 1, target, _analyze(target, ctx)))
        if pending and time.monotonic() - started >= BATCH_SECONDS:
            _settle(pending, slots, ctx)
            pending, started = [], time.monotonic()
            yield _settled(slots, emitted)
            emitted = len(slots)
    _settle(pending, slots, ctx)
    if emitted < len(slots):
        yield _settled(slots, emitted)


def _settled(slots: list[IngestOutcome | None], start: int) -> list[IngestOutcome]:
    outcomes = [outcome for outcome in slots[start:] if outcome is not None]
    assert len(outcomes) == len(slots) - start  # every slot is settled by now
    return outcomes


def _distinct(targets: list[_Target]) -> bool:
    keys = [t.key for t in targets]
    keys += [repository.path_key(t.sidecar) for t in targets if t.sidecar is not None]
    return len(set(keys)) == len(keys)


def _unchanged_many(targets: list[_Target], ctx: _Context) -> dict[str, IngestOutcome]:
    """_unchanged for a chunk in two queries: path rows with their current versions, then
    the policy states of the files that take the fast path."""
    fingerprints = {}
    for target in targets:
        try:
            fingerprints[target.key] = fingerprint(target.path)
        except OSError:
            continue  # analyze_file will report why
    with _database_errors(ctx.catalog), ctx.catalog.session() as session:
        query = repository.current_versions().where(PathEntry.path.in_(list(fingerprints)))
        found = {entry.path: (entry, version) for entry, version in session.execute(query)}
        hits = [
            (found[t.key][0], found[t.key][1])
            for t in targets
            if t.key in found
            and repository.is_unchanged(found[t.key][0], fingerprints[t.key], t.sidecar_fp)
        ]
        states = policy_states(session, [version.id for _entry, version in hits])
    return {
        entry.path: IngestOutcome(
            entry.path,
            IngestAction.UNCHANGED,
            FileStatus(version.status),
            version.reason,
            version_record(entry, version, states[version.id]),
        )
        for entry, version in hits
    }


def _analyze(target: _Target, ctx: _Context) -> Pending:
    if target.kind == "orphan_sidecar":
        report = analyze_orphan_sidecar(target.path, analyzer=ctx.analyzer)
        return Pending(report, target.kind, None, None)
    report = analyze_file(target.path, analyzer=ctx.analyzer, sidecar=target.sidecar)
    sidecar_key = repository.path_key(target.sidecar) if target.sidecar else None
    return Pending(report, target.kind, target.sidecar_fp, sidecar_key)


def _settle(
    pending: list[tuple[int, _Target, Pending]],
    slots: list[IngestOutcome | None],
    ctx: _Context,
) -> None:
    """Write the pending files in one transaction and fill in their outcomes. A unique
    violation (a watcher recorded one of them meanwhile) redoes them through the per-file
    path, whose retries take the update path."""
    if not pending:
        return
    try:
        with _database_errors(ctx.catalog), ctx.catalog.transaction() as session:
            written = write_batch(session, [p for _i, _t, p in pending], ctx.policy)
            if ctx.stable:
                for _i, _t, p in pending:  # rows written, so locked until the commit
                    _check_still_on_disk(p.report, ctx.settled.get(p.key))
            # Built before the commit, so the outcomes reach the caller right after it: a
            # Ctrl-C in between would leave committed files uncounted (`prov scan`, issue 8).
            outcomes = [
                _written_outcome(w, p) for (_i, _t, p), w in zip(pending, written, strict=True)
            ]
    except (IntegrityError, _NotStable):
        # A concurrent writer, or (require_stable) a file changed under us: file by file,
        # where retries take the update path and only the changed file is skipped.
        outcomes = _per_file([t for _i, t, _p in pending], ctx)
    for (index, _t, _p), outcome in zip(pending, outcomes, strict=True):
        slots[index] = outcome


def _written_outcome(written: Written, pending: Pending) -> IngestOutcome:
    record = version_record(written.entry, written.version, written.state)
    report = pending.report
    return IngestOutcome(
        record["path"], _ACTIONS[written.action], report.status, report.reason, record
    )


def _per_file(targets: list[_Target], ctx: _Context) -> list[IngestOutcome]:
    """The targets through ingest_path in one WriteBatch (a savepoint per file)."""
    batch = WriteBatch(ctx.catalog)
    try:
        outcomes = [
            ingest_path(
                t.given,
                catalog=ctx.catalog,
                analyzer=ctx.analyzer,
                force=ctx.force,
                require_stable=ctx.stable,
                settled=ctx.settled,
                policy=ctx.policy,
                batch=batch,
            )
            for t in targets
        ]
        with _database_errors(ctx.catalog):
            batch.commit()
        return outcomes
    finally:
        batch.close()
