"""KNOWN_MEDIA_TYPES (what `prov ls --media-type` accepts, issue 8) holds every media type the
sniffer can return: a property over arbitrary heads, and heads that start with each magic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from provenance import media
from provenance.media import KNOWN_MEDIA_TYPES, sniff_media_type

SUFFIXES = st.sampled_from(["", ".jpg", ".dng", ".m4a", ".svg", ".c2pa", ".mov", ".mp3", ".m4s"])
MAGIC_HEADS = st.sampled_from(
    [b"\0" * offset + magic for offset, magic, _result in media._MAGIC]
    + [b"\0\0\0\x18ftyp" + brand.encode("latin-1") for brand in media._FTYP_BRANDS]
    + [b"RIFF\0\0\0\0" + kind for kind in media._RIFF_KINDS]
    + [b"<?xml version='1.0'?><svg>", b"\xff\xfb\x90"]
)


@given(head=st.binary(max_size=64), suffix=SUFFIXES)
def test_any_head_sniffs_to_a_known_type(head: bytes, suffix: str) -> None:
    assert sniff_media_type(head, suffix) in KNOWN_MEDIA_TYPES


@given(magic=MAGIC_HEADS, tail=st.binary(max_size=32), suffix=SUFFIXES)
def test_every_magic_sniffs_to_a_known_type(magic: bytes, tail: bytes, suffix: str) -> None:
    assert sniff_media_type(magic + tail, suffix) in KNOWN_MEDIA_TYPES


def test_known_types_are_media_types() -> None:
    assert {"image/jpeg", "image/x-exr", "video/mp4", "application/octet-stream"} <= (
        KNOWN_MEDIA_TYPES
    )
    assert all(t.count("/") == 1 and t == t.lower() for t in KNOWN_MEDIA_TYPES)
