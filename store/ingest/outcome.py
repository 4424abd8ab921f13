"""What ingesting a file came to (IngestOutcome), the run's counts (RunSummary), and the one
translation of a lost database connection (CatalogUnavailable). No I/O."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from provenance.model import FileStatus
from store.catalog.db import Catalog, CatalogError, redact
from store.catalog.paths import RecordAction
from store.ingest.walk import UnreadableFolder
from store.read.queries import ORPHAN_SIDECAR


class IngestAction(StrEnum):
    NEW = "new"  # first time this path is seen
    CHANGED = "changed"  # new version (content or its credentials changed)
    SAME = "same"  # re-read (fingerprint changed) but content and reading identical
    UNCHANGED = "unchanged"  # fast path: size, mtime and inode unchanged, not re-read
    SKIPPED = "skipped"  # require_stable only: gone or rewritten while read; nothing recorded
    DECLARATION = "declaration"  # a genAI declaration file: the assets it covers re-classified


ACTIONS = {
    RecordAction.NEW: IngestAction.NEW,
    RecordAction.CHANGED: IngestAction.CHANGED,
    RecordAction.SAME: IngestAction.SAME,
}

SKIPPED_REASON = (
    "not recorded: the file moved or changed while it was read; its next event records it"
)


class CatalogUnavailable(CatalogError):
    """The database went away mid-run (server restart, disk full, lock timeout)."""


@dataclass(frozen=True)
class IngestOutcome:
    path: str
    action: IngestAction
    status: FileStatus
    reason: str | None
    record: dict[str, Any] = field(default_factory=dict)


@contextmanager
def database_errors(catalog: Catalog) -> Iterator[None]:
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
