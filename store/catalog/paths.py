"""Paths in the catalog: path keys, lookups, what a reading is compared
with (same reading, same content, the fast path) and the Version columns of a report. Each
takes the session first and never commits: the caller owns the unit of work. Catalog rows
for files are written by the one writer, store/ingest/writer.py.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from provenance.analyze import fingerprint
from provenance.model import AssetReport, FileFingerprint
from provenance.sidecar import find_sidecar
from provenance.targets import SidecarFingerprint, sidecar_fingerprint
from store.audit import chain as audit_chain
from store.audit import rows as audit_rows
from store.audit.chain import EventKind
from store.catalog.models import PathEntry, Version, utcnow
from store.read.credentials import summary_record


class RecordAction(StrEnum):
    NEW = "new"  # first time this path is recorded
    CHANGED = "changed"  # a new version at a known path
    SAME = "same"  # re-read, same content and same reading: fingerprint refreshed only


def path_key(path: str | os.PathLike[str]) -> str:
    """How a path is stored: absolute, and always valid UTF-8. Neither SQLite nor PostgreSQL
    store non-UTF-8 bytes, so a byte that is not UTF-8 is written `\\xNN` and a literal
    backslash `\\\\`: one key per path (a file literally named `caf\\xe9.jpg` and one whose
    name has the byte 0xE9 stay two paths). `path_of_key` is the inverse."""
    name = os.fsdecode(os.path.abspath(path))
    if "\\" not in name and not _has_surrogates(name):
        return name  # the common case: valid UTF-8 without a backslash is its own key
    return "".join(_key_char(char) for char in name)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def _key_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if "\udc80" <= char <= "\udcff":  # os.fsdecode's surrogateescape of a raw byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char


_KEY_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def path_of_key(key: str) -> Path:
    """The filesystem path a key stands for (the inverse of `path_key`), for whatever goes
    back to the disk from a stored path: declarations, existence checks, staleness."""

    def unescape(match: re.Match[str]) -> str:
        code = match.group(1)
        return "\\" if code == "\\" else chr(0xDC00 + int(code[1:], 16))

    return Path(_KEY_ESCAPE.sub(unescape, key))


def storable_text(text: str) -> str:
    """A message (an error naming a file, say) made storable: raw bytes that a non-UTF-8
    file name brought in are written `\\xNN` (for people to read, not to be parsed back)."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def get_path(session: Session, key: str) -> PathEntry | None:
    return session.scalars(select(PathEntry).where(PathEntry.path == key)).one_or_none()


def is_unchanged(
    entry: PathEntry | None, fp: FileFingerprint, sidecar: SidecarFingerprint | None
) -> bool:
    """The fast path of a re-scan: same size, mtime and inode (and same sidecar) = not re-read."""
    if entry is None or entry.current_version_id is None or entry.missing_since is not None:
        return False
    same_file = (entry.size, entry.mtime_ns, entry.inode) == (fp.size, fp.mtime_ns, fp.inode)
    sidecar_now = (sidecar.size, sidecar.mtime_ns) if sidecar else (None, None)
    return same_file and (entry.sidecar_size, entry.sidecar_mtime_ns) == sidecar_now


def disk_change(entry: PathEntry) -> str | None:
    """How the file at a catalogued path differs from what the catalog recorded, in plain
    words; None when it is as recorded (same size, mtime, inode and sidecar). Reads the
    disk (stat only): a decision warns when it names content the disk no longer holds."""
    if entry.missing_since is not None:
        moved = f", moved to {entry.moved_to}" if entry.moved_to else ""
        return f"the file has been missing from disk since {entry.missing_since:%Y-%m-%d}{moved}"
    path = path_of_key(entry.path)
    try:
        fp = fingerprint(path)
    except OSError:
        return "the file is no longer on disk (run `prov scan` to record that)"
    if not is_unchanged(entry, fp, sidecar_fingerprint(find_sidecar(path))):
        return "the file changed on disk since it was catalogued (run `prov scan` again)"
    return None


def same_reading(current: Version, report: AssetReport) -> bool:
    """Whether `report` reads as `current` did (then no new version is recorded)."""
    return (
        current.sha256 == report.sha256
        and current.status == report.status
        and current.validation_state == _state(report)
        and current.failure_codes == list(report.credentials.failure_codes)
        and current.involvement == report.ai.involvement
        and current.sidecar_path == report.credentials.sidecar_path
        and current.reason == report.reason
        and current.tool_names == tool_name_records(report)
        and list(current.extra_credentials or []) == extra_records(report)
    )


def same_content(current: Version | None, report: AssetReport) -> bool:
    """Whether `report` read the same bytes as `current` (issue 8): the same SHA-256 and the
    same sidecar manifests beside it. Then a new row is a new reading of the same content
    version, which keeps its decisions; unknown bytes (no SHA-256) are never the same."""
    if current is None or current.sha256 is None or current.sha256 != report.sha256:
        return False
    return _sidecars_of_version(current) == _sidecars_of_report(report)


def content_seq_after(current: Version | None, report: AssetReport) -> int:
    """versions.content_seq of the row recording `report` after `current` (the path's
    newest row): the same content version for the same content, else the next one."""
    if current is None:
        return 1
    if same_content(current, report):
        return current.content_version
    return current.content_version + 1


def _sidecars_of_version(version: Version) -> list[tuple[Any, Any]]:
    main = [(version.sidecar_path, version.active_manifest)] if version.sidecar_path else []
    extra = [
        (item.get("sidecar"), item.get("active_manifest"))
        for item in version.extra_credentials or []
        if isinstance(item, dict) and item.get("sidecar")
    ]
    return main + extra


def _sidecars_of_report(report: AssetReport) -> list[tuple[Any, Any]]:
    readings = (report.credentials, *report.extra_credentials)
    return [(c.sidecar_path, c.active_manifest) for c in readings if c.sidecar_path]


def extra_records(report: AssetReport) -> list[dict[str, Any]]:
    """The report's other credential readings, as Version.extra_credentials stores them."""
    return [summary_record(summary) for summary in report.extra_credentials]


def _state(report: AssetReport) -> str | None:
    state = report.credentials.validation_state
    return str(state) if state else None


def version_columns(report: AssetReport) -> dict[str, object]:
    """Column values of a Version row for a report (everything but ids and seq)."""
    creds, media, fp = report.credentials, report.media, report.fingerprint
    return {
        "sha256": report.sha256,
        "recorded_at": utcnow(),
        "status": str(report.status),
        "reason": report.reason,
        "size": fp.size if fp else None,
        "mtime_ns": fp.mtime_ns if fp else None,
        "media_type": media.media_type if media else None,
        "width": media.width if media else None,
        "height": media.height if media else None,
        "duration_seconds": media.duration_seconds if media else None,
        "cred_present": creds.present,
        "cred_location": str(creds.location) if creds.location else None,
        "validation_state": _state(report),
        "failure_codes": list(creds.failure_codes),
        "informational_codes": list(creds.informational_codes),
        "active_manifest": creds.active_manifest,
        "claim_generator": creds.claim_generator,
        "signer_issuer": creds.signer.issuer,
        "signer_common_name": creds.signer.common_name,
        "signing_time": creds.signing_time,
        "manifest_count": creds.manifest_count,
        "ingredient_count": creds.ingredient_count,
        "remote_url": creds.remote_url,
        "sidecar_path": creds.sidecar_path,
        "manifest_store": creds.manifest_store,
        "involvement": str(report.ai.involvement),
        "ai_evidence": [e.to_dict() for e in report.ai.evidence],
        "tool_names": tool_name_records(report),
        "extra_credentials": extra_records(report),
    }


def tool_name_records(report: AssetReport) -> list[dict[str, str]]:
    """Version.tool_names: the software the credentials and metadata name (issue 7)."""
    return [name.to_dict() for name in report.tool_names]


def mark_missing(session: Session, key: str, when: datetime | None = None) -> bool:
    """A deleted file: the path stays with its history, marked missing since `when`, and the
    audit log says so (a missing file leaves the gate, issue 7)."""
    audit_chain.lock_chain(session)  # chain lock before the row's (every writer's order)
    entry = get_path(session, key)
    if entry is None or entry.missing_since is not None:
        return False
    entry.missing_since = when or utcnow()
    audit_rows.record_path(session, entry, EventKind.MISSING)
    return True


def current_versions() -> Select[PathEntry, Version]:
    """Every recorded path with its current version (the base query of `prov ls`)."""
    return select(PathEntry, Version).join(Version, PathEntry.current_version_id == Version.id)


def versions_of(session: Session, entry: PathEntry) -> list[Version]:
    query = select(Version).where(Version.path_id == entry.id).order_by(Version.seq)
    return list(session.scalars(query))


def find_by_sha_prefix(session: Session, prefix: str) -> list[PathEntry]:
    query = (
        select(PathEntry)
        .join(Version, PathEntry.current_version_id == Version.id)
        .where(Version.sha256.startswith(prefix.lower()))
        .order_by(PathEntry.path)
    )
    return list(session.scalars(query))
