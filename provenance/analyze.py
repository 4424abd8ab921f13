"""analyze_file: one file on disk -> AssetReport (hash, media type, credentials, AI evidence).

Does I/O (reads the file, its sidecar and, only when asked to, a remote manifest it points
at) but never touches the catalog. Never raises for a bad file: every problem becomes a
status and a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance import c2pa_io
from provenance.ai_detect import (
    GeneratorRegistry,
    detect_ai,
    load_generator_registry,
    merge_assessments,
)
from provenance.c2pa_io import RawCredentials, ReaderSettings, ReadOutcome
from provenance.credentials import remote_only, summarize_manifest_store
from provenance.media import HEAD_BYTES, probe_media
from provenance.model import (
    NO_CREDENTIALS,
    AiAssessment,
    AssetReport,
    CredentialLocation,
    CredentialSummary,
    FileFingerprint,
    FileStatus,
    Involvement,
    MediaInfo,
    ToolName,
    UnsignedMetadata,
)
from provenance.remote import FetchError, FetchLimits, fetch_manifest
from provenance.tool_names import MAX_TOOL_NAMES, tool_names
from provenance.unsigned_meta import read_unsigned_metadata

CHUNK_BYTES = 1024 * 1024
SIDECAR_MEDIA_TYPE = "application/c2pa"

_STATUS_BY_OUTCOME = {
    ReadOutcome.READ: FileStatus.OK,
    ReadOutcome.REMOTE: FileStatus.OK,
    ReadOutcome.NONE: FileStatus.NO_CREDENTIALS,
    ReadOutcome.UNSUPPORTED: FileStatus.UNSUPPORTED,
    ReadOutcome.UNREADABLE: FileStatus.UNREADABLE,
    ReadOutcome.ERROR: FileStatus.ERROR,
}


@dataclass
class Analyzer:
    """What a batch shares: one c2pa context (trust settings), the generator registry, and
    the limits of a remote-manifest fetch (made only when settings.fetch_remote_manifests)."""

    settings: ReaderSettings = field(default_factory=ReaderSettings)
    registry: GeneratorRegistry = field(default_factory=load_generator_registry)
    context: Any = None
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)

    def __post_init__(self) -> None:
        if self.context is None:
            self.context = c2pa_io.make_context(self.settings)


def fingerprint(path: Path) -> FileFingerprint:
    """size, mtime_ns, inode of the file (following symlinks). Raises OSError."""
    info = path.stat()
    return FileFingerprint(info.st_size, info.st_mtime_ns, info.st_ino)


def hash_file(path: Path) -> tuple[str, bytes]:
    """Streaming SHA-256 (never the whole file in memory) and the first bytes for sniffing."""
    digest = hashlib.sha256()
    head = b""
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if not head:
                head = chunk[:HEAD_BYTES]
            digest.update(chunk)
    return digest.hexdigest(), head


def analyze_file(path: Path, *, analyzer: Analyzer, sidecar: Path | None = None) -> AssetReport:
    """Everything the catalog records about one asset, with its sidecar if it has one.
    Embedded credentials and a sidecar are both read; neither hides the other (issue 7)."""
    opened = _fingerprint_and_hash(path)
    if isinstance(opened, AssetReport):
        return opened
    before, sha256, head = opened
    media = probe_media(path, head)
    readings = _read_credentials(path, media, analyzer, sidecar)
    unsigned = _unsigned(path, media)
    ai = _assess(readings, unsigned, analyzer.registry)
    status, reason = _status(readings)
    if _changed_since(path, before):
        status, reason = FileStatus.UNREADABLE, _CHANGED_REASON
    extra = tuple(r.summary for r in readings[1:] if r.summary.present)
    return AssetReport(
        str(path),
        status,
        reason,
        before,
        sha256,
        media,
        readings[0].summary,
        ai,
        tool_names=_tool_names(readings, unsigned),
        extra_credentials=extra,
    )


def analyze_orphan_sidecar(path: Path, *, analyzer: Analyzer) -> AssetReport:
    """A `.c2pa` with no asset beside it: read the bare manifest store so nothing is lost."""
    opened = _fingerprint_and_hash(path)
    if isinstance(opened, AssetReport):
        return opened
    before, sha256, _head = opened
    raw = c2pa_io.read_sidecar(path, context=analyzer.context)
    credentials, status, reason = _summarize(raw, CredentialLocation.SIDECAR, str(path))
    reason = "orphan sidecar: no asset with the same name beside it" + (
        f"; {reason}" if reason else ""
    )
    store, state = credentials.manifest_store, credentials.validation_state
    ai = detect_ai(store, state, UnsignedMetadata(), analyzer.registry)
    names = tool_names(store, state, UnsignedMetadata())
    media = MediaInfo(SIDECAR_MEDIA_TYPE)
    return AssetReport(str(path), status, reason, before, sha256, media, credentials, ai, names)


def _fingerprint_and_hash(path: Path) -> tuple[FileFingerprint, str, bytes] | AssetReport:
    """(fingerprint, sha256, head), or the failed report saying why the file can't be read."""
    try:
        before = _regular_file_fingerprint(path)
        sha256, head = hash_file(path)
    except _NotAnalysable as problem:
        return _failed(path, problem.status, problem.reason, problem.fingerprint)
    except OSError as exc:
        return _failed(path, FileStatus.UNREADABLE, _os_reason(exc))
    return before, sha256, head


class _NotAnalysable(Exception):
    def __init__(
        self, status: FileStatus, reason: str, fingerprint: FileFingerprint | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.fingerprint = fingerprint


def _regular_file_fingerprint(path: Path) -> FileFingerprint:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _NotAnalysable(FileStatus.UNSUPPORTED, "not a regular file (device, pipe or socket)")
    if info.st_size == 0:
        # With its fingerprint: an empty file is all there is to know about it (its content
        # is fixed by its size), so it is recorded as it is, re-scans skip it and the gate
        # sees it unchanged and says why it fails (issue 8), not "changed since".
        raise _NotAnalysable(
            FileStatus.UNREADABLE,
            EMPTY_FILE_REASON,
            FileFingerprint(info.st_size, info.st_mtime_ns, info.st_ino),
        )
    if not os.access(path, os.R_OK):
        raise _NotAnalysable(FileStatus.UNREADABLE, "permission denied: make the file readable")
    return FileFingerprint(info.st_size, info.st_mtime_ns, info.st_ino)


EMPTY_FILE_REASON = "empty file (0 bytes): the copy may have failed; deliver again"
_CHANGED_REASON = "the file changed while it was being read (still copying?); scan it again"


def _changed_since(path: Path, before: FileFingerprint) -> bool:
    try:
        return fingerprint(path) != before
    except OSError:
        return True


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "the file vanished during the scan (moved or deleted)"
    if isinstance(exc, PermissionError):
        return "permission denied: make the file readable"
    if exc.errno is not None and exc.errno == 40:  # ELOOP
        return "symlink loop: the link points back at itself"
    return f"cannot read the file: {exc.strerror or exc}"


def refused(path: Path, status: FileStatus, reason: str) -> AssetReport:
    """The report of a file recorded without being read (e.g. a symlink out of the delivery)."""
    return _failed(path, status, reason)


def _failed(
    path: Path, status: FileStatus, reason: str, fp: FileFingerprint | None = None
) -> AssetReport:
    return AssetReport(
        str(path),
        status,
        reason,
        fp,
        None,
        None,
        NO_CREDENTIALS,
        AiAssessment(Involvement.UNKNOWN),
    )


@dataclass(frozen=True)
class _Reading:
    """One reading of a file's credentials (embedded, fetched remote, or sidecar)."""

    summary: CredentialSummary
    status: FileStatus
    reason: str | None
    source: str  # for reasons: "embedded credentials", "sidecar NAME"

    @property
    def has_store(self) -> bool:
        return self.summary.manifest_store is not None


def _read_credentials(
    path: Path, media: MediaInfo, analyzer: Analyzer, sidecar: Path | None
) -> list[_Reading]:
    """Every reading, the main one first: embedded credentials when they hold a manifest
    store (they are bound to the file), else the sidecar's. Reading only the sidecar when
    there is one let a foreign `.c2pa` copied beside a genAI file hide its credentials."""
    embedded = _embedded_reading(path, media, analyzer)
    if sidecar is None:
        return [embedded]
    beside = _sidecar_reading(path, media, analyzer, sidecar)
    return [embedded, beside] if embedded.has_store else [beside, embedded]


def _embedded_reading(path: Path, media: MediaInfo, analyzer: Analyzer) -> _Reading:
    raw = c2pa_io.read_credentials(path, media.media_type, context=analyzer.context)
    if raw.outcome is ReadOutcome.REMOTE and analyzer.settings.fetch_remote_manifests:
        return _remote_reading(path, media, analyzer, raw.remote_url)
    return _reading(raw, CredentialLocation.EMBEDDED, None, "embedded credentials")


def _remote_reading(path: Path, media: MediaInfo, analyzer: Analyzer, url: str | None) -> _Reading:
    """Fetch the manifest the file points at (bounded) and validate it as the file's own.
    A failed fetch keeps the remote-only reading, with the URL and why in the reason."""
    source = "remote credentials"
    if not url:
        reason = "credentials are stored remotely but the reader gave no URL: not fetched"
        return _Reading(remote_only(None), FileStatus.OK, reason, source)
    try:
        manifest = fetch_manifest(url, analyzer.fetch_limits)
    except FetchError as exc:
        reason = f"credentials are stored remotely at {url}; fetching them failed: {exc}"
        return _Reading(remote_only(url), FileStatus.OK, reason, source)
    raw = c2pa_io.read_credentials(
        path, media.media_type, context=analyzer.context, sidecar_bytes=manifest
    )
    if raw.outcome is not ReadOutcome.READ:
        reason = f"the manifest fetched from {url} could not be read: {raw.reason}"
        return _Reading(remote_only(url), FileStatus.ERROR, reason, source)
    fetched = replace(raw, remote_url=url, embedded=False)
    return _reading(fetched, CredentialLocation.REMOTE, None, source)


def _sidecar_reading(path: Path, media: MediaInfo, analyzer: Analyzer, sidecar: Path) -> _Reading:
    source = f"sidecar {sidecar.name}"
    try:
        manifest = c2pa_io.load_sidecar_bytes(sidecar)
    except (OSError, ValueError) as exc:
        reason = f"{source} unreadable: {getattr(exc, 'strerror', None) or exc}"
        return _Reading(NO_CREDENTIALS, FileStatus.ERROR, reason, source)
    raw = c2pa_io.read_credentials(
        path, media.media_type, context=analyzer.context, sidecar_bytes=manifest
    )
    return _reading(raw, CredentialLocation.SIDECAR, str(sidecar), source)


def _reading(
    raw: RawCredentials, location: CredentialLocation, sidecar: str | None, source: str
) -> _Reading:
    return _Reading(*_summarize(raw, location, sidecar), source)


def _status(readings: list[_Reading]) -> tuple[FileStatus, str | None]:
    """The main reading's status, unless another reading failed (fails closed: a broken
    sidecar, or broken embedded credentials, is an error even beside a good reading)."""
    main = readings[0]
    failed = next((r for r in readings[1:] if r.status.is_failure), None)
    if failed is None or main.status.is_failure:
        return main.status, main.reason
    reason = failed.reason or "unreadable"
    if not reason.startswith(failed.source):
        reason = f"{failed.source}: {reason}"
    return failed.status, reason


def _assess(
    readings: list[_Reading], unsigned: UnsignedMetadata, registry: GeneratorRegistry
) -> AiAssessment:
    """detect_ai on each reading with a manifest store (unsigned metadata counted once),
    merged: evidence from any reading counts."""
    main, *others = readings
    found = [_detect(main.summary, unsigned, registry)]
    found += [_detect(r.summary, UnsignedMetadata(), registry) for r in others if r.has_store]
    return merge_assessments(found)


def _tool_names(readings: list[_Reading], unsigned: UnsignedMetadata) -> tuple[ToolName, ...]:
    """Software named by every reading (unsigned metadata counted once, with the main one)."""
    main, *others = readings
    found = list(tool_names(main.summary.manifest_store, main.summary.validation_state, unsigned))
    for other in others:
        summary = other.summary
        found += tool_names(summary.manifest_store, summary.validation_state, UnsignedMetadata())
    return tuple(dict.fromkeys(found))[:MAX_TOOL_NAMES]


def _detect(
    summary: CredentialSummary, unsigned: UnsignedMetadata, registry: GeneratorRegistry
) -> AiAssessment:
    return detect_ai(summary.manifest_store, summary.validation_state, unsigned, registry)


def _summarize(
    raw: RawCredentials, location: CredentialLocation, sidecar: str | None
) -> tuple[CredentialSummary, FileStatus, str | None]:
    status = _STATUS_BY_OUTCOME[raw.outcome]
    if raw.outcome is ReadOutcome.REMOTE:
        return remote_only(raw.remote_url), status, raw.reason
    if raw.outcome is not ReadOutcome.READ or raw.store is None:
        reason = None if raw.outcome is ReadOutcome.NONE else raw.reason
        return NO_CREDENTIALS, status, reason
    if location is CredentialLocation.EMBEDDED and not raw.embedded:
        location = CredentialLocation.REMOTE
    summary = summarize_manifest_store(
        raw.store,
        raw.validation_state,
        location=location,
        remote_url=raw.remote_url,
        sidecar_path=sidecar,
    )
    return summary, status, None


def _unsigned(path: Path, media: MediaInfo) -> UnsignedMetadata:
    return read_unsigned_metadata(path, media.media_type)
