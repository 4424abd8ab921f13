"""The one ingest pipeline: files on disk become catalog rows, a batch at a time (issue 9).

`prov scan`, a watcher (single files and bursts), its reconcile, rescans and moves all come
here. Per file, one call into provenance resolves what the path is (`resolve_target`: asset,
its sidecar, an orphan sidecar or a declaration file, with their stat); per batch, one query
finds the files unchanged since they were catalogued (the fast path); the rest are read
(`Target.analyse`) and written by the one writer (store/ingest/writer.py) in one transaction.

Does I/O: stats and reads files (through provenance) and writes the catalog. A batch commits
every BATCH_FILES files or BATCH_SECONDS of reading, so a crash or a bad file never costs
more than the batch in hand, and outcomes are yielded only once their batch is committed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

from sqlalchemy.orm import Session

from provenance.analyze import Analyzer
from provenance.model import FileFingerprint, FileStatus
from provenance.targets import DECLARATION, Target, resolve_target, still_as_read
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, Version
from store.catalog.paths import current_versions, is_unchanged, path_key
from store.ingest.declarations import (
    DeclarationOutcome,
    declarations_gone,
    ingest_declaration,
    unchanged_declaration,
)
from store.ingest.outcome import IngestAction, IngestOutcome, database_errors
from store.ingest.rows import Pending
from store.ingest.writer import Still, write
from store.policy.approvals import policy_states
from store.policy.classify import PolicyInputs, default_inputs
from store.read.records import version_record

BATCH_FILES = 200
BATCH_SECONDS = 1.0


class IngestOptions(TypedDict, total=False):
    """How files are ingested (ingest_batches says what each option does)."""

    force: bool
    require_stable: bool
    settled: Mapping[str, FileFingerprint] | None
    policy: PolicyInputs | None
    roots: tuple[str, ...] | None


def ingest_path(
    path: Path, *, catalog: Catalog, analyzer: Analyzer, **options: Unpack[IngestOptions]
) -> IngestOutcome:
    """`ingest_many([path])`: record one file. Its sidecar goes with it; a `.c2pa` arriving
    re-reads its asset; a declaration file re-classifies the assets it covers."""
    ((outcome,),) = ingest_batches([path], catalog=catalog, analyzer=analyzer, **options)
    return outcome


def ingest_many(
    paths: Iterable[Path], *, catalog: Catalog, analyzer: Analyzer, **options: Unpack[IngestOptions]
) -> Iterator[IngestOutcome]:
    """ingest_batches, file by file: each outcome is yielded once its batch is committed, so
    what a caller reports is durable."""
    for batch in ingest_batches(paths, catalog=catalog, analyzer=analyzer, **options):
        yield from batch


@dataclass(frozen=True)
class _Context:
    """The per-call settings every step below needs."""

    catalog: Catalog
    analyzer: Analyzer
    force: bool
    policy: PolicyInputs
    still: Still | None  # require_stable: the compare-and-set under the row lock


def ingest_batches(
    paths: Iterable[Path],
    *,
    catalog: Catalog,
    analyzer: Analyzer,
    force: bool = False,
    require_stable: bool = False,
    settled: Mapping[str, FileFingerprint] | None = None,
    policy: PolicyInputs | None = None,
    roots: tuple[str, ...] | None = None,
) -> Iterator[list[IngestOutcome]]:
    """Record many files, one list of outcomes per committed transaction: a caller
    interrupted while handling a list still knows every file that is durable (`prov scan`
    after Ctrl-C, issue 8).

    `force` re-reads files the fast path would spare. Every new version is logged and
    classified under the genAI policy in the same transaction (issue 4). `policy` is loaded
    once per command by the caller; None means the shipped policy and no production config.

    `require_stable` (a watcher's mode) records nothing for a file that, once its row is
    locked, is gone or no longer what was read (action SKIPPED): the event that moved or
    rewrote it brings it back, and a watcher can never commit an older reading over a newer
    one that another watcher recorded meanwhile (issue 3, "no lost updates"). `settled` (by
    path key) adds the fingerprint the watcher saw each file settle with: the file must still
    be exactly that, which also catches a rewrite begun after settling but before the read.

    `roots` (provenance.targets.real_roots of the delivery's folders) records a symlink
    leading out of them `unsupported`, unread (issue 10); None trusts every path.
    """
    still = _still(settled or {}) if require_stable else None
    ctx = _Context(catalog, analyzer, force, policy or default_inputs(), still)
    chunk: list[_Resolved] = []
    taken: set[str] = set()
    for given in paths:
        target = resolve_target(given, roots)
        if target.kind == DECLARATION:
            # Re-classifies in transactions of its own: what came before must be committed.
            yield from _chunk(chunk, ctx)
            chunk, taken = [], set()
            yield [_declaration(_Resolved(target), ctx)]
            continue
        resolved = _Resolved(target)
        if taken & resolved.keys:  # a path twice: the first is committed before the second
            yield from _chunk(chunk, ctx)
            chunk, taken = [], set()
        chunk.append(resolved)
        taken |= resolved.keys
        if len(chunk) >= BATCH_FILES:
            yield from _chunk(chunk, ctx)
            chunk, taken = [], set()
    yield from _chunk(chunk, ctx)


def _still(settled: Mapping[str, FileFingerprint]) -> Still:
    def still(pending: Pending) -> bool:
        return still_as_read(pending.report, settled.get(pending.key))

    return still


class _Resolved:
    """A target with its catalog keys (the file's, and its sidecar's), computed once."""

    __slots__ = ("key", "keys", "sidecar_key", "target")

    def __init__(self, target: Target) -> None:
        self.target = target
        self.key = path_key(target.path)
        self.sidecar_key = path_key(target.sidecar) if target.sidecar is not None else None
        self.keys = {self.key} | ({self.sidecar_key} if self.sidecar_key else set())


def _chunk(chunk: list[_Resolved], ctx: _Context) -> Iterator[list[IngestOutcome]]:
    """Fast path for the whole chunk, then read the rest and write them, committing at least
    every BATCH_SECONDS of reading. Yields the outcomes of each commit together."""
    if not chunk:
        return
    unchanged = {} if ctx.force else _unchanged(chunk, ctx)
    slots: list[IngestOutcome | None] = []
    pending: list[tuple[int, Pending]] = []
    started, emitted = time.monotonic(), 0
    for resolved in chunk:
        slots.append(unchanged.get(resolved.key))
        if slots[-1] is None:
            pending.append((len(slots) - 1, _analyse(resolved, ctx)))
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


def _unchanged(chunk: list[_Resolved], ctx: _Context) -> dict[str, IngestOutcome]:
    """The files of a chunk that are as the catalog recorded them, with their records (the
    fast path: nothing read), in two queries."""
    with database_errors(ctx.catalog), ctx.catalog.session() as session:
        hits = _as_recorded(session, chunk)
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


def _as_recorded(session: Session, chunk: list[_Resolved]) -> list[tuple[PathEntry, Version]]:
    """The one unchanged check: path rows (with their current versions) whose file is as
    recorded, same size, mtime, inode and sidecar, and still of the same sort (declaration
    file or not)."""
    stats = {r.key: r.target.fingerprint for r in chunk if r.target.fingerprint is not None}
    query = current_versions().where(PathEntry.path.in_(list(stats)))
    found = {entry.path: (entry, version) for entry, version in session.execute(query)}
    return [
        found[r.key]
        for r in chunk
        if r.key in found
        and is_unchanged(found[r.key][0], stats[r.key], r.target.sidecar_fp)
        and (found[r.key][0].kind == DECLARATION) == (r.target.kind == DECLARATION)
    ]


def _analyse(resolved: _Resolved, ctx: _Context) -> Pending:
    target = resolved.target
    report = target.analyse(ctx.analyzer)
    return Pending(report, target.kind, target.sidecar_fp, resolved.sidecar_key)


def _settle(
    pending: list[tuple[int, Pending]], slots: list[IngestOutcome | None], ctx: _Context
) -> None:
    """Write the pending files (the one writer) and fill in their outcomes."""
    if not pending:
        return
    outcomes = write(ctx.catalog, [p for _i, p in pending], ctx.policy, ctx.still)
    for (index, _p), outcome in zip(pending, outcomes, strict=True):
        slots[index] = outcome


def _declaration(resolved: _Resolved, ctx: _Context) -> IngestOutcome:
    """A declaration file is not media: it is recorded with its fingerprint, and when it is
    new or changed the catalogued assets it covers are re-classified (issue 7). A malformed
    one is an error."""
    with database_errors(ctx.catalog):
        if not ctx.force:
            with ctx.catalog.session() as session:
                for entry, version in _as_recorded(session, [resolved]):
                    return _declaration_outcome(unchanged_declaration(entry, version))
        path = resolved.target.path
        done = ingest_declaration(path, catalog=ctx.catalog, policy=ctx.policy)
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
    with database_errors(catalog):
        gone = declarations_gone(roots, catalog=catalog, policy=policy or default_inputs())
    return [_declaration_outcome(done) for done in gone]
