"""Media type sniffing from magic bytes, image dimensions and cheap video duration.

Does I/O: reads a file's first bytes (and, for ISO-BMFF, walks top-level box headers).
The extension is only a hint, used where magic bytes are ambiguous (e.g. SVG, DPX variants).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from provenance.model import MediaInfo

HEAD_BYTES = 4096
OCTET_STREAM = "application/octet-stream"

# ISO-BMFF `ftyp` major brands -> MIME type. c2pa-rs needs the right one to pick its parser.
_FTYP_BRANDS: dict[str, str] = {
    "qt  ": "video/quicktime",
    "heic": "image/heic",
    "heix": "image/heic",
    "mif1": "image/heif",
    "msf1": "image/heif",
    "heif": "image/heif",
    "avif": "image/avif",
    "avis": "image/avif",
    "M4A ": "audio/mp4",
    "M4V ": "video/x-m4v",
    "crx ": "image/x-canon-cr3",
}

_EXTENSION_HINTS: dict[str, str] = {
    ".svg": "image/svg+xml",
    ".c2pa": "application/c2pa",
    ".m4s": "video/mp4",
    ".mov": "video/quicktime",
    ".dng": "image/x-adobe-dng",
    ".mp3": "audio/mpeg",
}


_RIFF_KINDS: dict[bytes, str] = {
    b"WEBP": "image/webp",
    b"WAVE": "audio/wav",
    b"AVI ": "video/x-msvideo",
}


def _riff(head: bytes) -> str | None:
    return _RIFF_KINDS.get(head[8:12])


def _ftyp(head: bytes) -> str | None:
    brand = head[8:12].decode("latin-1")
    return _FTYP_BRANDS.get(brand, "video/mp4")


def _tiff(head: bytes) -> str:
    return "image/tiff"


# (offset, magic, MIME or function of the head). First match wins; order matters.
_MAGIC: list[tuple[int, bytes, str | Callable[[bytes], str | None]]] = [
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"RIFF", _riff),
    (4, b"ftyp", _ftyp),
    (0, b"II*\x00", _tiff),
    (0, b"MM\x00*", _tiff),
    (0, b"%PDF-", "application/pdf"),
    (0, b"v/1\x01", "image/x-exr"),
    (0, b"SDPX", "image/x-dpx"),
    (0, b"XPDS", "image/x-dpx"),
    (0, b"\x06\x0e\x2b\x34\x02\x05\x01\x01\x0d\x01\x02", "application/mxf"),
    (0, b"8BPS", "image/vnd.adobe.photoshop"),
    (0, b"\xff\x0a", "image/jxl"),
    (0, b"\x00\x00\x00\x0cJXL \r\n\x87\n", "image/jxl"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"OTTO", "font/otf"),
    (0, b"\x00\x01\x00\x00", "font/ttf"),
    (4, b"jumb", "application/c2pa"),
    (4, b"moov", "video/quicktime"),
    (4, b"mdat", "video/quicktime"),
    (4, b"wide", "video/quicktime"),
    (4, b"free", "video/quicktime"),
]


# Every media type sniff_media_type can return: what `prov ls --media-type` accepts (issue 8).
KNOWN_MEDIA_TYPES: frozenset[str] = frozenset(
    {result for _offset, _magic, result in _MAGIC if isinstance(result, str)}
    | set(_FTYP_BRANDS.values())
    | set(_EXTENSION_HINTS.values())
    | set(_RIFF_KINDS.values())
    | {"image/tiff", "video/mp4", "image/x-adobe-dng", "audio/mp4", "image/svg+xml"}
    | {"audio/mpeg", OCTET_STREAM}
)


def sniff_media_type(head: bytes, suffix: str = "") -> str:
    """MIME type from the first bytes of a file; the suffix only breaks ties."""
    for offset, magic, result in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            mime = result(head) if callable(result) else result
            if mime:
                return _refine_with_suffix(mime, suffix.lower())
    return _sniff_text(head, suffix.lower())


def _refine_with_suffix(mime: str, suffix: str) -> str:
    # DNG and MP3 frames share magic with TIFF and MPEG audio; the extension decides.
    if mime == "image/tiff" and suffix == ".dng":
        return "image/x-adobe-dng"
    if mime == "video/mp4" and suffix == ".m4a":
        return "audio/mp4"
    return mime


def _sniff_text(head: bytes, suffix: str) -> str:
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "image/svg+xml"
    if head[:2] == b"\xff\xfb" or head[:2] == b"\xff\xf3" or head[:2] == b"\xff\xf2":
        return "audio/mpeg"
    return _EXTENSION_HINTS.get(suffix, OCTET_STREAM)


def read_head(stream: BinaryIO) -> bytes:
    return stream.read(HEAD_BYTES)


def probe_media(path: Path, head: bytes) -> MediaInfo:
    """Media type plus dimensions/duration where cheap. Never raises on a bad file."""
    media_type = sniff_media_type(head, path.suffix)
    width, height = _image_size(path, media_type)
    duration = _bmff_duration(path) if media_type.startswith("video/") else None
    return MediaInfo(media_type, width, height, duration)


def _image_size(path: Path, media_type: str) -> tuple[int | None, int | None]:
    if not media_type.startswith("image/") or media_type == "image/svg+xml":
        return None, None
    try:
        from PIL import Image  # lazily: Pillow only parses the header on open()

        with Image.open(path) as image:
            return int(image.width), int(image.height)
    except Exception:  # noqa: BLE001 - any decoder failure just means "no dimensions"
        return _exr_or_dpx_size(path, media_type)


def _exr_or_dpx_size(path: Path, media_type: str) -> tuple[int | None, int | None]:
    if media_type != "image/x-dpx":
        return None, None
    try:
        with path.open("rb") as stream:
            head = stream.read(1024)
        fmt = ">I" if head[:4] == b"SDPX" else "<I"
        # SMPTE 268M: image element pixels-per-line at 772, lines-per-element at 776.
        (width,) = struct.unpack_from(fmt, head, 772)
        (height,) = struct.unpack_from(fmt, head, 776)
        return int(width), int(height)
    except (OSError, struct.error):
        return None, None


def _bmff_duration(path: Path) -> float | None:
    """Duration from the `mvhd` box: walk top-level boxes by header only (never the mdat)."""
    try:
        with path.open("rb") as stream:
            moov = _find_box(stream, b"moov", path.stat().st_size)
            if moov is None:
                return None
            mvhd = _find_box(stream, b"mvhd", moov)
            return _parse_mvhd(stream.read(32)) if mvhd is not None else None
    except (OSError, struct.error, ValueError):
        return None


def _find_box(stream: BinaryIO, kind: bytes, end: int, max_boxes: int = 10_000) -> int | None:
    """Seek to the payload of the first box of `kind` before `end`; return the box end."""
    for _ in range(max_boxes):
        start = stream.tell()
        header = stream.read(8)
        if len(header) < 8 or start >= end:
            return None
        size, box = struct.unpack(">I4s", header)
        if size == 1:
            (size,) = struct.unpack(">Q", stream.read(8))
        elif size == 0:
            size = end - start
        if size < 8:
            return None
        if box == kind:
            return start + size
        stream.seek(start + size)
    return None


def _parse_mvhd(payload: bytes) -> float | None:
    version = payload[0]
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", payload, 20)
    else:
        timescale, duration = struct.unpack_from(">II", payload, 12)
    return round(duration / timescale, 3) if timescale else None
