"""Provenance hints outside C2PA: XMP digital source types, genAI PNG text chunks and the
software names XMP (xmp:CreatorTool, Iptc4xmpExt:AISystemUsed) and PNG (`Software`) give.

Does I/O: reads a bounded prefix of the file and walks PNG chunk headers (seeking past image
data and past text chunks over the limits); Pillow decodes each text chunk read. Not
Image.open(...).text: that reads every chunk before the image data whole (private chunks too),
decodes the pixels to reach text after them, and fails the whole file once the text passes
64 MiB. Never raises: an unreadable or corrupt file yields an empty UnsignedMetadata.
Midjourney writes Iptc4xmpExt:DigitalSourceType; Stable Diffusion front-ends write a PNG
`parameters` chunk and ComfyUI `prompt` / `workflow` JSON (DOMAIN.md section 5).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from provenance.model import UnsignedMetadata

# XMP packets sit near the start of real files; scanning further would read whole videos.
XMP_SCAN_BYTES = 1024 * 1024
MAX_PNG_CHUNKS = 10_000
MAX_TEXT_CHUNK_BYTES = 4 * 1024 * 1024  # one text chunk; larger ones are skipped unread
MAX_TEXT_BYTES_TOTAL = 16 * 1024 * 1024  # all text chunks of one file together
MAX_INFLATED_BYTES = 1024 * 1024  # zTXt/iTXt: a zip bomb stops here
MAX_TEXT_CHARS = 2000
MAX_SOURCE_TYPES = 16
MAX_SOFTWARE_NAMES = 16  # per property
MAX_SOFTWARE_CHARS = 200

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORDS = frozenset({"parameters", "prompt", "workflow"})
_PNG_SOFTWARE = "software"  # the PNG spec's keyword for the creating software
_XMP_KEYWORD = "XML:com.adobe.xmp"
_TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt"})

# Iptc4xmpExt:DigitalSourceType as an attribute, an rdf:resource element or a text element.
# Any namespace prefix is accepted: XMP lets a writer pick its own.
_DST_RE = re.compile(
    rb"""[A-Za-z][\w.-]*:DigitalSourceType\s*=\s*["']([^"'<>]{1,512})["']"""
    rb"""|<[A-Za-z][\w.-]*:DigitalSourceType\b[^>]*?rdf:resource\s*=\s*["']([^"'<>]{1,512})["']"""
    rb"""|<[A-Za-z][\w.-]*:DigitalSourceType\s*>\s*([^<]{1,512}?)\s*<"""
)


def _simple_property(name: str) -> re.Pattern[bytes]:
    """An XMP text property `prefix:name` as an attribute or a text element (any prefix)."""
    local = re.escape(name).encode()
    return re.compile(
        rb"""[A-Za-z][\w.-]*:""" + local + rb"""\s*=\s*["']([^"'<>]{1,512})["']"""
        rb"""|<[A-Za-z][\w.-]*:""" + local + rb"""\s*>\s*([^<]{1,512}?)\s*<"""
    )


# (source, XMP property): software names, read as tool names (capped at unsigned strength).
_SOFTWARE_PROPERTIES = (
    ("xmp.CreatorTool", "CreatorTool", _simple_property("CreatorTool")),
    ("xmp.AISystemUsed", "AISystemUsed", _simple_property("AISystemUsed")),
)


def read_unsigned_metadata(path: Path, media_type: str) -> UnsignedMetadata:
    """XMP source types from the first MiB and, for PNG, the genAI text chunks.

    `media_type` (the sniffed MIME type) does not decide anything today: the PNG signature
    does, because a type guessed from an extension can be wrong. It is part of the signature
    so format-specific readers can be added without touching callers."""
    try:
        with path.open("rb") as stream:
            head = stream.read(XMP_SCAN_BYTES)
            chunks = _png_text_chunks(stream) if head.startswith(PNG_SIGNATURE) else []
    except (OSError, ValueError):
        return UnsignedMetadata()
    xmp_texts = [head] + [text.encode() for keyword, text in chunks if keyword == _XMP_KEYWORD]
    return UnsignedMetadata(
        xmp_digital_source_types=xmp_source_types(xmp_texts),
        png_text=tuple(
            (keyword.lower(), text[:MAX_TEXT_CHARS])
            for keyword, text in chunks
            if keyword.lower() in PNG_KEYWORDS
        ),
        software=software_names(xmp_texts, chunks),
    )


def xmp_source_types(blobs: list[bytes]) -> tuple[str, ...]:
    """Distinct DigitalSourceType values found in XMP text, in order of appearance."""
    return _xmp_values(blobs, b"DigitalSourceType", _DST_RE, MAX_SOURCE_TYPES)


def software_names(
    blobs: list[bytes], chunks: list[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """(source, name) of the software XMP and PNG text chunks name, bounded (issue 7)."""
    found: list[tuple[str, str]] = []
    for source, marker, pattern in _SOFTWARE_PROPERTIES:
        values = _xmp_values(blobs, marker.encode(), pattern, MAX_SOFTWARE_NAMES)
        found += [(source, value[:MAX_SOFTWARE_CHARS]) for value in values]
    png = [text.strip() for keyword, text in chunks if keyword.lower() == _PNG_SOFTWARE]
    found += [("png.Software", name[:MAX_SOFTWARE_CHARS]) for name in png[:MAX_SOFTWARE_NAMES]]
    return tuple(dict.fromkeys((source, name) for source, name in found if name))


def _xmp_values(
    blobs: list[bytes], marker: bytes, pattern: re.Pattern[bytes], limit: int
) -> tuple[str, ...]:
    """Distinct values of one XMP property, in order of appearance, at most `limit`."""
    found: dict[str, None] = {}
    for window in (w for blob in blobs for w in _windows(blob, marker)):
        for match in pattern.finditer(window):
            raw = next(group for group in match.groups() if group is not None)
            value = html.unescape(raw.decode("utf-8", "replace")).strip()
            if value:
                found[value] = None
            if len(found) >= limit:
                return tuple(found)
    return tuple(found)


def _windows(blob: bytes, marker: bytes) -> Iterator[bytes]:
    """Short slices around each occurrence of the marker. Running the regex over a whole MiB
    of image data costs ~15 ms a file; C-speed `find` first makes that nearly free."""
    start = blob.find(marker)
    while start != -1:
        yield blob[max(0, start - 128) : start + 1200]
        start = blob.find(marker, start + 1200 - 128)


def _png_text_chunks(stream: BinaryIO) -> list[tuple[str, str]]:
    """(keyword, text) of the text chunks we care about, read with bounded effort: the walk
    picks which chunks to read (and how much); Pillow decodes each one."""
    chunks, budget = [], MAX_TEXT_BYTES_TOTAL
    for kind, length in _chunk_headers(stream):
        if kind not in _TEXT_CHUNKS or length > MAX_TEXT_CHUNK_BYTES or length > budget:
            stream.seek(length + 4, 1)  # data and CRC
            continue
        budget -= length
        body = stream.read(length)
        stream.seek(4, 1)
        parsed = _decode_text_chunk(kind, body)
        if parsed and _wanted(parsed[0]):
            chunks.append(parsed)
    return chunks


def _wanted(keyword: str) -> bool:
    folded = keyword.lower()
    return folded in PNG_KEYWORDS or folded == _PNG_SOFTWARE or keyword == _XMP_KEYWORD


def _chunk_headers(stream: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """(type, length) of each chunk until IEND, EOF, a bad header or the chunk limit."""
    stream.seek(len(PNG_SIGNATURE))
    for _ in range(MAX_PNG_CHUNKS):
        header = stream.read(8)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header)
        if kind == b"IEND" or length > 0x7FFFFFFF or not kind.isalpha():
            return
        yield kind, length


def _decode_text_chunk(kind: bytes, body: bytes) -> tuple[str, str] | None:
    """One tEXt, zTXt or iTXt chunk through Pillow's PNG reader (keyword, compression, text
    encodings: Pillow's job). Pillow refuses text that inflates past 1 MiB; the start of it
    still says what the file is, so _too_large keeps that much (fail closed)."""
    from PIL import PngImagePlugin  # lazily: only PNG files pay for the import

    png = PngImagePlugin.PngStream(io.BytesIO(body))
    try:
        png.call(kind, 0, len(body))
    except ValueError:  # "Decompressed data too large" (UnicodeDecodeError is one too)
        return _too_large(kind, body)
    except (SyntaxError, EOFError, OSError):
        return None  # an unknown compression method, a cut chunk
    keyword, text = next(iter(png.im_text.items()), ("", ""))
    # Pillow keeps a keyword whose text did not inflate, with no text: nothing to read there.
    return (keyword, str(text)) if keyword and text else None


def _too_large(kind: bytes, body: bytes) -> tuple[str, str] | None:
    """The keyword and the first MAX_INFLATED_BYTES of a compressed text (a zip bomb stops
    there), for the chunks Pillow refuses as too large."""
    keyword, _, rest = body.partition(b"\0")
    # iTXt: flags, language and translated keyword come first; zTXt: the compression method.
    rest = rest[2:].split(b"\0", 2)[-1] if kind == b"iTXt" else rest[1:]
    try:
        text = zlib.decompressobj().decompress(rest, MAX_INFLATED_BYTES)
    except zlib.error:
        return None
    encoding = "utf-8" if kind == b"iTXt" else "latin-1"
    return (keyword.decode("latin-1"), text.decode(encoding, "replace")) if keyword else None
