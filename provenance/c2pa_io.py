"""The only module that imports c2pa-python (its API moves fast): reading and writing credentials.

Does I/O: reads asset files and sidecars. Returns plain values (RawCredentials); everything
that interprets the manifest JSON lives in pure modules (credentials.py, ai_detect.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import c2pa

# A hostile sidecar must not make us allocate gigabytes; real manifest stores are kilobytes
# to a few megabytes (thumbnails included).
MAX_SIDECAR_BYTES = 64 * 1024 * 1024

_REMOTE_URL_RE = re.compile(r"remote manifests? from url (\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class ReaderSettings:
    """How credentials are read. Offline by default (DOMAIN.md section 4)."""

    trust_anchors_pem: str | None = None  # PEM bundle of CA certificates the studio trusts
    fetch_remote_manifests: bool = False
    ocsp_fetch: bool = False


class ReadOutcome(StrEnum):
    READ = "read"  # a manifest store was read (validation state may still be Invalid)
    NONE = "none"  # no C2PA data in the asset
    REMOTE = "remote"  # the asset only points at a manifest by URL; not fetched
    UNSUPPORTED = "unsupported"  # the SDK does not handle this format
    UNREADABLE = "unreadable"  # I/O problem reading the file
    ERROR = "error"  # C2PA data present but broken, pre-release, or the reader failed


@dataclass(frozen=True)
class RawCredentials:
    outcome: ReadOutcome
    reason: str | None = None  # for a person: what happened, what to do
    store: dict[str, Any] | None = None  # manifest-store JSON (Reader.json())
    validation_state: str | None = None
    remote_url: str | None = None
    embedded: bool = True


def sdk_version() -> str:
    return str(c2pa.sdk_version())


def make_context(settings: ReaderSettings) -> Any:
    """Build one c2pa Context to reuse for a whole batch (creating one per file is wasteful)."""
    config: dict[str, Any] = {
        "verify": {
            "remote_manifest_fetch": settings.fetch_remote_manifests,
            "ocsp_fetch": settings.ocsp_fetch,
        }
    }
    if settings.trust_anchors_pem:
        config["trust"] = {"trust_anchors": settings.trust_anchors_pem}
    return c2pa.Context.from_dict(config)


def read_credentials(
    path: Path,
    media_type: str | None,
    *,
    context: Any,
    sidecar_bytes: bytes | None = None,
) -> RawCredentials:
    """Read the manifest store of one asset, embedded or from sidecar bytes. Never raises
    for a bad file: every failure becomes a RawCredentials with an outcome and a reason."""
    try:
        with path.open("rb") as stream:
            return _read_stream(stream, media_type, context, sidecar_bytes)
    except OSError as exc:
        return RawCredentials(ReadOutcome.UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def read_sidecar(path: Path, *, context: Any) -> RawCredentials:
    """Read a bare `.c2pa` manifest store on its own (orphan sidecars, `prov show`)."""
    try:
        with path.open("rb") as stream:
            return _read_stream(stream, "application/c2pa", context, None)
    except OSError as exc:
        return RawCredentials(ReadOutcome.UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def load_sidecar_bytes(path: Path) -> bytes:
    """Read a sidecar with a size cap; raises OSError or ValueError with a clear message."""
    size = path.stat().st_size
    if size > MAX_SIDECAR_BYTES:
        raise ValueError(f"sidecar is {size} bytes, over the {MAX_SIDECAR_BYTES} byte limit")
    return path.read_bytes()


def _read_stream(
    stream: Any, media_type: str | None, context: Any, sidecar_bytes: bytes | None
) -> RawCredentials:
    try:
        with c2pa.Reader(media_type, stream, sidecar_bytes, context=context) as reader:
            store = json.loads(reader.json())
            return RawCredentials(
                ReadOutcome.READ,
                store=store,
                validation_state=reader.get_validation_state(),
                remote_url=reader.get_remote_url(),
                embedded=bool(reader.is_embedded()),
            )
    except c2pa.C2paError.ManifestNotFound:
        return RawCredentials(ReadOutcome.NONE, "no Content Credentials in the file")
    except (c2pa.C2paError.RemoteManifest, c2pa.C2paError.Other, c2pa.C2paError) as exc:
        return _classify_error(exc)
    except (KeyError, ValueError, TypeError, UnicodeError) as exc:
        # Real files make the SDK wrapper raise plain KeyError (see corpus README).
        return RawCredentials(
            ReadOutcome.ERROR, f"credentials could not be parsed ({type(exc).__name__}: {exc})"
        )


def _classify_error(exc: Exception) -> RawCredentials:
    message = str(exc)
    lowered = message.lower()
    remote = _REMOTE_URL_RE.search(message)
    if remote or "remote" in type(exc).__name__.lower():
        url = remote.group(1) if remote else None
        return RawCredentials(
            ReadOutcome.REMOTE,
            "credentials are stored remotely and were not fetched (offline reading)",
            remote_url=url,
            embedded=False,
        )
    if isinstance(exc, c2pa.C2paError.NotSupported) or "type is unsupported" in lowered:
        return RawCredentials(
            ReadOutcome.UNSUPPORTED, "the C2PA reader does not support this file format"
        )
    if isinstance(exc, c2pa.C2paError.Io):
        return RawCredentials(ReadOutcome.UNREADABLE, f"I/O error while reading: {message}")
    if "prerelease" in lowered:
        return RawCredentials(
            ReadOutcome.ERROR,
            "pre-release (2021-22) C2PA manifest that current readers reject; "
            "ask the supplier for a re-signed file",
        )
    if "could not be parsed" in lowered:
        return RawCredentials(ReadOutcome.ERROR, f"the media file is malformed: {message}")
    return RawCredentials(ReadOutcome.ERROR, f"credentials present but unreadable: {message}")
