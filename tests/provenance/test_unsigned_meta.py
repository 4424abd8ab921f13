"""read_unsigned_metadata on real files built with Pillow: PNG text chunks, XMP, corrupt input."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from provenance import unsigned_meta
from provenance.ai_detect import detect_ai
from provenance.model import Involvement, Strength, UnsignedMetadata
from provenance.unsigned_meta import read_unsigned_metadata

TAM = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
A1111 = "a castle at dusk\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, Seed: 42"
COMFY_PROMPT = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 42}}})
COMFY_WORKFLOW = json.dumps({"nodes": [{"id": 3, "type": "KSampler"}], "links": []})


def xmp_packet(body: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def write_png(path: Path, info: PngInfo | None = None) -> Path:
    Image.new("RGB", (16, 16), "blue").save(path, "PNG", pnginfo=info)
    return path


def write_jpeg(path: Path, xmp: bytes) -> Path:
    Image.new("RGB", (16, 16), "green").save(path, "JPEG", xmp=xmp)
    return path


def png_with_chunks(*chunks: tuple[bytes, bytes]) -> bytes:
    """A minimal PNG (signature, IHDR, the given chunks, IEND) with real CRCs."""
    out = io.BytesIO()
    out.write(unsigned_meta.PNG_SIGNATURE)
    for kind, body in ((b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)), *chunks):
        out.write(struct.pack(">I", len(body)) + kind + body)
        out.write(struct.pack(">I", zlib.crc32(kind + body)))
    out.write(struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))
    return out.getvalue()


# ---- PNG text chunks ------------------------------------------------------------------------


def test_a1111_parameters_text_chunk(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("parameters", A1111)
    meta = read_unsigned_metadata(write_png(tmp_path / "sd.png", info), "image/png")
    assert meta.png_text == (("parameters", A1111),)
    assert meta.xmp_digital_source_types == ()


@pytest.mark.parametrize("compressed", [False, True], ids=["iTXt", "iTXt-compressed"])
def test_comfyui_prompt_and_workflow_itxt(tmp_path: Path, compressed: bool) -> None:
    info = PngInfo()
    info.add_itxt("prompt", COMFY_PROMPT, zip=compressed)
    info.add_itxt("workflow", COMFY_WORKFLOW, zip=compressed)
    meta = read_unsigned_metadata(write_png(tmp_path / "comfy.png", info), "image/png")
    assert meta.png_text == (("prompt", COMFY_PROMPT), ("workflow", COMFY_WORKFLOW))


def test_ztxt_is_inflated(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("parameters", A1111, zip=True)  # Pillow writes zTXt for zip=True
    path = write_png(tmp_path / "z.png", info)
    assert b"zTXt" in path.read_bytes()
    assert read_unsigned_metadata(path, "image/png").png_text == (("parameters", A1111),)


def test_other_keywords_are_ignored_and_long_text_truncated(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("Comment", "holiday photo")
    info.add_text("Software", "GIMP 2.10")
    info.add_text("parameters", "x" * 10_000)
    meta = read_unsigned_metadata(write_png(tmp_path / "long.png", info), "image/png")
    assert meta.png_text == (("parameters", "x" * unsigned_meta.MAX_TEXT_CHARS),)


def test_xmp_in_compressed_png_itxt(tmp_path: Path) -> None:
    info = PngInfo()
    packet = xmp_packet(f' Iptc4xmpExt:DigitalSourceType="{TAM}">').decode()
    info.add_itxt("XML:com.adobe.xmp", packet, zip=True)  # invisible to a plain byte scan
    meta = read_unsigned_metadata(write_png(tmp_path / "mj.png", info), "image/png")
    assert meta.xmp_digital_source_types == (TAM,)
    assert meta.png_text == ()


def test_zip_bomb_is_bounded(tmp_path: Path) -> None:
    bomb = zlib.compress(b"A" * (64 * 1024 * 1024), 9)  # 64 MiB inflated, ~64 KiB stored
    body = b"parameters\0\0" + bomb
    path = tmp_path / "bomb.png"
    path.write_bytes(png_with_chunks((b"zTXt", body)))
    meta = read_unsigned_metadata(path, "image/png")
    assert meta.png_text == (("parameters", "A" * unsigned_meta.MAX_TEXT_CHARS),)


def test_chunk_walk_stops_at_the_chunk_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(unsigned_meta, "MAX_PNG_CHUNKS", 5)
    filler = [(b"teXt", b"")] * 10  # ancillary chunks before the one we want
    path = tmp_path / "many.png"
    path.write_bytes(png_with_chunks(*filler, (b"tEXt", b"parameters\0late")))
    assert read_unsigned_metadata(path, "image/png").png_text == ()


def test_text_after_iend_is_not_read(tmp_path: Path) -> None:
    data = png_with_chunks() + struct.pack(">I", 15) + b"tEXtparameters\0late" + b"\0" * 4
    path = tmp_path / "trailer.png"
    path.write_bytes(data)
    assert read_unsigned_metadata(path, "image/png").png_text == ()


# ---- XMP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        f' Iptc4xmpExt:DigitalSourceType="{TAM}">',
        f"><Iptc4xmpExt:DigitalSourceType>{TAM}</Iptc4xmpExt:DigitalSourceType>",
        f'><Iptc4xmpExt:DigitalSourceType rdf:resource="{TAM}"/>',
        f" Iptc4xmpExt:DigitalSourceType='{TAM}'>",
    ],
    ids=["attribute", "element", "rdf-resource", "single-quoted"],
)
def test_xmp_digital_source_type_in_jpeg(tmp_path: Path, body: str) -> None:
    path = write_jpeg(tmp_path / "midjourney.jpg", xmp_packet(body))
    assert read_unsigned_metadata(path, "image/jpeg").xmp_digital_source_types == (TAM,)


def test_xmp_values_are_unescaped_and_deduplicated(tmp_path: Path) -> None:
    body = (
        ' Iptc4xmpExt:DigitalSourceType="http://example.com/a?x=1&amp;y=2">'
        f"<Iptc4xmpExt:DigitalSourceType>{TAM}</Iptc4xmpExt:DigitalSourceType>"
        f"<Iptc4xmpExt:DigitalSourceType>{TAM}</Iptc4xmpExt:DigitalSourceType>"
    )
    path = write_jpeg(tmp_path / "two.jpg", xmp_packet(body))
    meta = read_unsigned_metadata(path, "image/jpeg")
    assert meta.xmp_digital_source_types == ("http://example.com/a?x=1&y=2", TAM)


def test_xmp_beyond_the_scan_window_is_not_read(tmp_path: Path) -> None:
    # Streaming: only the first MiB is scanned, so a late packet in a big file is missed.
    path = tmp_path / "late.bin"
    padding = b"\0" * (unsigned_meta.XMP_SCAN_BYTES + 10)
    path.write_bytes(padding + xmp_packet(f' Iptc4xmpExt:DigitalSourceType="{TAM}">'))
    assert read_unsigned_metadata(path, "application/octet-stream") == UnsignedMetadata()


def test_legacy_digital_source_file_type_is_not_a_source_type(tmp_path: Path) -> None:
    body = f' Iptc4xmpExt:DigitalSourceFileType="{TAM}">'
    path = write_jpeg(tmp_path / "legacy.jpg", xmp_packet(body))
    assert read_unsigned_metadata(path, "image/jpeg").xmp_digital_source_types == ()


# ---- corrupt and unreadable files -----------------------------------------------------------


def test_plain_image_has_nothing(tmp_path: Path) -> None:
    assert read_unsigned_metadata(write_png(tmp_path / "p.png"), "image/png") == UnsignedMetadata()


@pytest.mark.parametrize("cut", [9, 20, 40, -30, -5])
def test_truncated_png_never_raises(tmp_path: Path, cut: int) -> None:
    info = PngInfo()
    info.add_text("parameters", A1111)
    data = write_png(tmp_path / "full.png", info).read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[:cut])
    assert isinstance(read_unsigned_metadata(path, "image/png"), UnsignedMetadata)


def test_absurd_chunk_length_stops_the_walk(tmp_path: Path) -> None:
    data = unsigned_meta.PNG_SIGNATURE + b"\xff\xff\xff\xfftEXt" + b"parameters\0x"
    path = tmp_path / "huge.png"
    path.write_bytes(data)
    assert read_unsigned_metadata(path, "image/png") == UnsignedMetadata()


def test_bad_compressed_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "badz.png"
    path.write_bytes(png_with_chunks((b"zTXt", b"parameters\0\0not zlib at all")))
    assert read_unsigned_metadata(path, "image/png") == UnsignedMetadata()


@pytest.mark.parametrize("name", ["missing.png", "."], ids=["missing", "directory"])
def test_unopenable_path_returns_empty(tmp_path: Path, name: str) -> None:
    assert read_unsigned_metadata(tmp_path / name, "image/png") == UnsignedMetadata()


def test_empty_file_returns_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert read_unsigned_metadata(path, "image/png") == UnsignedMetadata()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.binary(max_size=600))
def test_arbitrary_bytes_after_a_png_signature_never_raise(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "fuzz.png"
    path.write_bytes(unsigned_meta.PNG_SIGNATURE + tail)
    assert isinstance(read_unsigned_metadata(path, "image/png"), UnsignedMetadata)


# ---- end to end with detect_ai --------------------------------------------------------------


def test_midjourney_style_jpeg_is_generated_unsigned(tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "mj.jpg", xmp_packet(f' Iptc4xmpExt:DigitalSourceType="{TAM}">'))
    result = detect_ai(None, None, read_unsigned_metadata(path, "image/jpeg"))
    assert result.involvement is Involvement.GENERATED
    assert [(e.source, e.location, e.strength) for e in result.evidence] == [
        ("xmp.DigitalSourceType", "xmp", Strength.UNSIGNED)
    ]


def test_comfyui_png_is_generated_unsigned(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_itxt("prompt", COMFY_PROMPT)
    result = detect_ai(None, None, read_unsigned_metadata(write_png(tmp_path / "c.png", info), ""))
    assert result.involvement is Involvement.GENERATED
    assert {(e.source, e.location) for e in result.evidence} == {("png.comfyui", "png:prompt")}


# ---- software names (issue 7): xmp:CreatorTool, Iptc4xmpExt:AISystemUsed, PNG Software -------


def test_xmp_creator_tool_and_ai_system_used_are_read(tmp_path: Path) -> None:
    body = (
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Acme GenStudio 1.0">'
        "<Iptc4xmpExt:AISystemUsed>Acme &amp; Co Diffusion</Iptc4xmpExt:AISystemUsed>"
    )
    meta = read_unsigned_metadata(write_jpeg(tmp_path / "x.jpg", xmp_packet(body)), "image/jpeg")
    assert meta.software == (
        ("xmp.CreatorTool", "Acme GenStudio 1.0"),
        ("xmp.AISystemUsed", "Acme & Co Diffusion"),
    )


def test_png_software_chunk_and_xmp_in_itxt_are_read(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("Software", "GIMP 2.10")
    packet = xmp_packet("><xmp:CreatorTool>Midjourney</xmp:CreatorTool>").decode()
    info.add_itxt("XML:com.adobe.xmp", packet, zip=True)
    meta = read_unsigned_metadata(write_png(tmp_path / "s.png", info), "image/png")
    assert meta.software == (("xmp.CreatorTool", "Midjourney"), ("png.Software", "GIMP 2.10"))
    assert meta.png_text == ()  # a Software chunk is no genAI hint by itself


def test_software_names_are_bounded(tmp_path: Path) -> None:
    info = PngInfo()
    info.add_text("Software", "S" * 10_000)
    meta = read_unsigned_metadata(write_png(tmp_path / "long.png", info), "image/png")
    assert meta.software == (("png.Software", "S" * unsigned_meta.MAX_SOFTWARE_CHARS),)
    many = "".join(f"<xmp:CreatorTool>tool {i}</xmp:CreatorTool>" for i in range(100))
    path = write_jpeg(tmp_path / "many.jpg", xmp_packet(">" + many))
    found = read_unsigned_metadata(path, "image/jpeg").software
    assert len(found) == unsigned_meta.MAX_SOFTWARE_NAMES


def test_creator_tool_beyond_the_scan_window_is_not_read(tmp_path: Path) -> None:
    packet = xmp_packet(' xmp:CreatorTool="Late Tool">')
    path = tmp_path / "late.jpg"
    path.write_bytes(b"\xff\xd8" + b"\0" * unsigned_meta.XMP_SCAN_BYTES + packet)
    assert read_unsigned_metadata(path, "image/jpeg").software == ()


# ---- Pillow decodes, the chunk walk bounds (issue 9) -----------------------------------------


def test_compressed_itxt_bomb_keeps_its_start(tmp_path: Path) -> None:
    # Pillow refuses text inflating past 1 MiB; the start of it is still evidence.
    bomb = zlib.compress(json.dumps({"w": "A" * (8 * 1024 * 1024)}).encode(), 9)
    body = b"workflow\0\x01\x00en\0\0" + bomb
    path = tmp_path / "bomb-itxt.png"
    path.write_bytes(png_with_chunks((b"iTXt", body)))
    ((keyword, text),) = read_unsigned_metadata(path, "image/png").png_text
    assert keyword == "workflow" and text.startswith('{"w": "AAAA')
    assert len(text) == unsigned_meta.MAX_TEXT_CHARS


def test_text_after_undecodable_image_data_is_read_without_decoding_it(tmp_path: Path) -> None:
    # Image.open(...).text would decode the pixels first (and fail on these); the walk seeks
    # past image data and a large private chunk instead of reading them.
    private = (b"prIv", b"\0" * (unsigned_meta.MAX_TEXT_CHUNK_BYTES + 1))
    idat = (b"IDAT", b"not zlib image data")
    path = tmp_path / "late.png"
    path.write_bytes(png_with_chunks(private, idat, (b"tEXt", b"parameters\0" + A1111.encode())))
    assert read_unsigned_metadata(path, "image/png").png_text == (("parameters", A1111),)
