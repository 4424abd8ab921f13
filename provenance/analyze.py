"""analyze_file: one file on disk -> AssetReport (hash, media type, credentials, AI evidence).

Does I/O (reads the file, its sidecar) but never touches the catalog. Never raises for a bad
file: every problem becomes a status and a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance import c2pa_io
from provenance.ai_detect import GeneratorRegistry, detect_ai, load_generator_registry
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
    UnsignedMetadata,
)
from provenance.tool_names import tool_names
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
    """What a batch shares: one c2pa context (trust settings) and the generator registry."""

    settings: ReaderSettings = field(default_factory=ReaderSettings)
    registry: GeneratorRegistry = field(default_factory=load_generator_registry)
    context: Any = None

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
    """Everything the catalog records about one asset, with its sidecar if it has one."""
    opened = _fingerprint_and_hash(path)
    if isinstance(opened, AssetReport):
        return opened
    before, sha256, head = opened
    media = probe_media(path, head)
    credentials, status, reason = _read_credentials(path, media, analyzer, sidecar)
    unsigned = _unsigned(path, media)
    store, state = credentials.manifest_store, credentials.validation_state
    ai = detect_ai(store, state, unsigned, analyzer.registry)
    if _changed_since(path, before):
        status, reason = FileStatus.UNREADABLE, _CHANGED_REASON
    names = tool_names(store, state, unsigned)
    return AssetReport(str(path), status, reason, before, sha256, media, credentials, ai, names)


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
        return _failed(path, problem.status, problem.reason)
    except OSError as exc:
        return _failed(path, FileStatus.UNREADABLE, _os_reason(exc))
    return before, sha256, head


class _NotAnalysable(Exception):
    def __init__(self, status: FileStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _regular_file_fingerprint(path: Path) -> FileFingerprint:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _NotAnalysable(FileStatus.UNSUPPORTED, "not a regular file (device, pipe or socket)")
    if info.st_size == 0:
        raise _NotAnalysable(
            FileStatus.UNREADABLE, "empty file (0 bytes): the copy may have failed; deliver again"
        )
    if not os.access(path, os.R_OK):
        raise _NotAnalysable(FileStatus.UNREADABLE, "permission denied: make the file readable")
    return FileFingerprint(info.st_size, info.st_mtime_ns, info.st_ino)


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


def _failed(path: Path, status: FileStatus, reason: str) -> AssetReport:
    return AssetReport(
        str(path),
        status,
        reason,
        None,
        None,
        None,
        NO_CREDENTIALS,
        AiAssessment(Involvement.UNKNOWN),
    )


def _read_credentials(
    path: Path, media: MediaInfo, analyzer: Analyzer, sidecar: Path | None
) -> tuple[CredentialSummary, FileStatus, str | None]:
    if sidecar is None:
        raw = c2pa_io.read_credentials(path, media.media_type, context=analyzer.context)
        return _summarize(raw, CredentialLocation.EMBEDDED, None)
    try:
        manifest = c2pa_io.load_sidecar_bytes(sidecar)
    except (OSError, ValueError) as exc:
        reason = f"sidecar {sidecar.name} unreadable: {getattr(exc, 'strerror', None) or exc}"
        return NO_CREDENTIALS, FileStatus.ERROR, reason
    raw = c2pa_io.read_credentials(
        path, media.media_type, context=analyzer.context, sidecar_bytes=manifest
    )
    return _summarize(raw, CredentialLocation.SIDECAR, str(sidecar))


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
