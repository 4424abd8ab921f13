"""The only module that imports c2pa-python (its API moves fast): reading and writing credentials.

Does I/O: reads asset files and sidecars, signs files. Returns plain values (RawCredentials);
everything that interprets or builds the manifest JSON lives in pure modules (credentials.py,
ai_detect.py, manifest/).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

import c2pa

# The Builder JSON (what a manifest says) is built in manifest.definition, beside the
# accessors that read it back; re-exported here for the signing callers.
from provenance.manifest.definition import IPTC_SOURCE_TYPE_BASE as IPTC_SOURCE_TYPE_BASE
from provenance.manifest.definition import action as action
from provenance.manifest.definition import manifest_definition as manifest_definition

# A hostile sidecar must not make us allocate gigabytes; real manifest stores are kilobytes
# to a few megabytes (thumbnails included).
MAX_SIDECAR_BYTES = 64 * 1024 * 1024

# Extended key usages accepted for C2PA signing certificates (C2PA spec 14.5.1).
C2PA_SIGNING_EKUS = (
    "\n".join(
        [
            "1.3.6.1.5.5.7.3.4",  # emailProtection (the SDK default)
            "1.3.6.1.5.5.7.3.36",  # documentSigning
            "1.3.6.1.5.5.7.3.8",  # timeStamping
            "1.3.6.1.5.5.7.3.9",  # OCSPSigning
            "1.3.6.1.4.1.311.76.59.1.9",  # Microsoft C2PA signing
            "1.3.6.1.4.1.62558.2.1",  # C2PA claim signing
        ]
    )
    + "\n"
)

_REMOTE_URL_RE = re.compile(r"remote manifests? from url (\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class ReaderSettings:
    """How credentials are read. Offline by default (DOMAIN.md section 4)."""

    trust_anchors_pem: str | None = None  # PEM bundle of CA certificates the studio trusts
    # Fetch remote-only manifests ourselves, bounded (provenance/remote.py, issue 7); the SDK's
    # own fetch is never turned on (no size cap, no timeout of ours).
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
            "remote_manifest_fetch": False,  # see ReaderSettings.fetch_remote_manifests
            "ocsp_fetch": settings.ocsp_fetch,
        }
    }
    # trust_config replaces c2pa-rs's default EKU list (emailProtection only), which would
    # make signers with documentSigning or the C2PA claim-signing EKU read Invalid.
    trust: dict[str, str] = {"trust_config": C2PA_SIGNING_EKUS}
    if settings.trust_anchors_pem:
        trust["trust_anchors"] = settings.trust_anchors_pem
    config["trust"] = trust
    return c2pa.Context.from_dict(config)


def read_credentials(
    path: Path,
    media_type: str | None,
    *,
    context: Any,
    sidecar_bytes: bytes | None = None,
) -> RawCredentials:
    """Read the manifest store of one asset, embedded or from `sidecar_bytes` (a sidecar's, or
    a fetched remote manifest's: either is validated as the manifest of this asset). Never
    raises for a bad file: every failure becomes a RawCredentials with an outcome and a reason."""
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


# --- Writing credentials ---------------------------------------------------------------
# Signing is offline by design: no timestamp authority URL is ever passed (DOMAIN.md
# section 4). The trade-off: once the signer certificate expires, readers report
# `signingCredential.expired` because no timestamp proves the signature predates expiry.

Relationship = Literal["parentOf", "componentOf", "inputTo"]


class SigningError(Exception):
    """Signing failed. The message names the file and carries the SDK's reason."""


@dataclass(frozen=True)
class SigningKey:
    """Who signs: a PEM certificate chain (end-entity first, then its CA) and a PEM key."""

    cert_chain_pem: bytes
    private_key_pem: bytes = field(repr=False)  # must never reach logs or tracebacks
    alg: str = "es256"


@dataclass(frozen=True)
class IngredientSpec:
    """A file to record as an ingredient. If it carries its own signed manifest, that
    manifest is copied into the new store: how genAI material is traced into a final cut."""

    path: Path
    media_type: str
    relationship: Relationship
    title: str
    label: str | None = None  # id that actions cite in `parameters.ingredientIds`

    @property
    def ingredient_id(self) -> str:
        return self.label or self.title


def sign_embedded(
    source: Path,
    dest: Path,
    manifest: dict[str, Any],
    key: SigningKey,
    *,
    media_type: str,
    ingredients: Sequence[IngredientSpec] = (),
) -> None:
    """Write `dest`: `source` with a signed manifest store embedded. `dest` appears whole
    or not at all (written beside it, then renamed), so a watcher never ingests half a
    file, and `dest` may be `source` itself."""
    try:
        with ExitStack() as stack:
            builder = _prepared_builder(stack, manifest, ingredients)
            signer = _signer(stack, key)
            src = stack.enter_context(source.open("rb"))
            with _atomic_output(dest) as out:
                builder.sign(signer, media_type, src, out)
    except (c2pa.C2paError, OSError) as exc:
        raise SigningError(f"cannot sign {source}: {exc}") from exc


def sign_sidecar(
    source: Path,
    manifest: dict[str, Any],
    key: SigningKey,
    *,
    media_type: str,
    ingredients: Sequence[IngredientSpec] = (),
) -> bytes:
    """Sign `source` without touching it and return the manifest-store bytes, for formats
    that cannot embed (OpenEXR, DPX, MXF). The caller writes them to
    `sidecar.sidecar_path_for(source)`. The store hashes the whole asset file."""
    try:
        with ExitStack() as stack:
            builder = _prepared_builder(stack, manifest, ingredients)
            builder.set_no_embed()
            signer = _signer(stack, key)
            src = stack.enter_context(source.open("rb"))
            store = builder.sign(signer, media_type, src, _DiscardingSink())
    except (c2pa.C2paError, OSError) as exc:
        raise SigningError(f"cannot sign {source}: {exc}") from exc
    if not store:
        raise SigningError(f"cannot sign {source}: the SDK returned no manifest bytes")
    return bytes(store)


def sign_remote(
    source: Path,
    dest: Path,
    manifest: dict[str, Any],
    key: SigningKey,
    *,
    media_type: str,
    url: str,
) -> bytes:
    """Write `dest`: `source` carrying only a reference to its manifest at `url` (XMP
    `dcterms:provenance`), and return the manifest-store bytes to publish there. How cloud
    services deliver credentials; readers must fetch them to validate."""
    try:
        with ExitStack() as stack:
            builder = _prepared_builder(stack, manifest, ())
            builder.set_no_embed()
            builder.set_remote_url(url)
            signer = _signer(stack, key)
            src = stack.enter_context(source.open("rb"))
            with _atomic_output(dest) as out:
                store = builder.sign(signer, media_type, src, out)
    except (c2pa.C2paError, OSError) as exc:
        raise SigningError(f"cannot sign {source}: {exc}") from exc
    return bytes(store)


def _prepared_builder(
    stack: ExitStack, manifest: dict[str, Any], ingredients: Sequence[IngredientSpec]
) -> Any:
    # An offline context: adding a signed ingredient validates its manifest, and that
    # must never fetch remote manifests or OCSP responses.
    context = stack.enter_context(make_context(ReaderSettings()))
    builder = stack.enter_context(c2pa.Builder(manifest, context=context))
    for spec in ingredients:
        _add_ingredient(builder, spec)
    return builder


def _add_ingredient(builder: Any, spec: IngredientSpec) -> None:
    ingredient = {
        "title": spec.title,
        "relationship": spec.relationship,
        "label": spec.ingredient_id,  # what action() puts in parameters.ingredientIds
    }
    try:
        with spec.path.open("rb") as stream:
            builder.add_ingredient(ingredient, spec.media_type, stream)
    except (c2pa.C2paError, OSError) as exc:
        raise SigningError(f"cannot add ingredient {spec.path}: {exc}") from exc


def _signer(stack: ExitStack, key: SigningKey) -> Any:
    # None as the TSA URL: sign offline (see the section comment above).
    info = c2pa.C2paSignerInfo(key.alg, key.cert_chain_pem, key.private_key_pem, None)
    return stack.enter_context(c2pa.Signer.from_info(info))


@contextmanager
def _atomic_output(dest: Path) -> Iterator[IO[bytes]]:
    """A hidden temporary file beside `dest`, renamed onto `dest` only on success."""
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.partial")
    try:
        # Not mkstemp: its 0600 mode would make signed deliverables unreadable to the
        # team; "x" creates with the usual umask-derived mode and never clobbers a file.
        with tmp.open("x+b") as out:  # +: the SDK reads back what it writes
            if dest.exists():
                shutil.copymode(dest, tmp)  # re-signing in place keeps the file's mode
            yield out
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)  # no-op after a successful rename


class _DiscardingSink:
    """A destination stream that keeps nothing. With set_no_embed() the SDK still copies
    the whole asset into the destination; for large EXR/DPX frames and MXF files we want
    neither that copy in memory nor on disk, only the manifest bytes sign() returns."""

    def __init__(self) -> None:
        self._pos = 0
        self._size = 0

    def write(self, data: bytes) -> int:
        self._pos += len(data)
        self._size = max(self._size, self._pos)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        # Never called by 0.38.1. Should a later SDK read the copy back, it gets an empty
        # stream and signing fails loudly (SigningError), never silently wrong.
        return b""

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass
