"""Regenerate `sample_assets/`: small media files covering the cases `prov` must report.

Uses only the project's own code (devca, c2pa_io, sidecar) plus Pillow; no network. File
names are fixed; keys, UUIDs and pixels change on every run. Each file is read back at the
end and the run fails if its validation state is not the one README.md promises.

    .venv/bin/python scripts/make_sample_assets.py [--out sample_assets]
"""

from __future__ import annotations

import argparse
import io
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from provenance.c2pa_io import (
    IngredientSpec,
    ReaderSettings,
    SigningKey,
    action,
    make_context,
    manifest_definition,
    read_credentials,
    read_sidecar,
    sign_embedded,
    sign_sidecar,
)
from provenance.devca import write_dev_pki
from provenance.sidecar import sidecar_path_for

CLAIM_GENERATOR = "prov-sample-assets/0.1"
SUBFOLDERS = (".pki", "camera", "genai", "comp", "tampered", "frames", "video", "orphans")


# The README table is the promise; _check() parses its `state` column and verifies it.
# State is without trust anchors; each Valid file reads Trusted with .pki/dev-ca.pem.
TABLE = """\
| file | what it is | genAI involvement `prov` should report | state | failure codes |
|---|---|---|---|---|
| `camera/plate_A001_C003.jpg` | unsigned camera still, EXIF Make/Model only | unknown \
(no credentials) | - | - |
| `camera/plate_A001_C004_signed.jpg` | camera plate: `c2pa.created` + digitalCapture | \
none | Valid | signingCredential.untrusted |
| `genai/building_collapse_element.jpg` | generated still: `c2pa.created` + \
trainedAlgorithmicMedia, softwareAgent Adobe Firefly | generated | Valid | \
signingCredential.untrusted |
| `genai/openai_style_concept.png` | OpenAI pattern: the active manifest has only \
`c2pa.opened`; its parentOf ingredient's manifest has `c2pa.created` + \
trainedAlgorithmicMedia (GPT-4o) | generated (via the parent ingredient) | Valid | \
signingCredential.untrusted |
| `comp/AGM_104_065_010_comp_NFX_v001.jpg` | VFX comp: `c2pa.opened` (parentOf the signed \
plate) + `c2pa.placed` (componentOf the generated element) + `c2pa.edited` with \
compositeWithTrainedAlgorithmicMedia; 3 manifests in the store | edited (its componentOf \
ingredient is generated) | Valid | signingCredential.untrusted |
| `tampered/building_collapse_element_tampered.jpg` | the generated still with scan-data \
bytes flipped after signing | generated, evidence signed-but-invalid | Invalid | \
signingCredential.untrusted, assertion.dataHash.mismatch |
| `frames/ATBP_0A1_010_FG01_v001.01000.exr` | minimal half-float RGB scanline OpenEXR; \
credentials in the sidecar `ATBP_0A1_010_FG01_v001.01000.c2pa` (whole-file hash; read \
with `Reader("image/x-exr", stream, manifest_data=sidecar)`) | none (digitalCapture), \
location sidecar | Valid | signingCredential.untrusted |
| `video/turntable.mp4` | 1 s Motion-JPEG MP4 (hand-built boxes), embedded manifest \
with a BMFF hash: `c2pa.created` + digitalCapture | none | Valid | \
signingCredential.untrusted |
| `orphans/lost_frame.c2pa` | sidecar whose asset `lost_frame.exr` is absent; claims \
`c2pa.created` + trainedAlgorithmicMedia (Google Imagen) | report an orphan sidecar \
(with no asset the hash cannot match) | Invalid | signingCredential.untrusted, \
assertion.dataHash.mismatch |
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent.parent / "sample_assets"
    parser.add_argument("--out", type=Path, default=default_out)
    out = parser.parse_args(argv).out
    _clean(out)
    key, ca_pem = _make_pki(out / ".pki")
    with tempfile.TemporaryDirectory() as scratch:
        Samples(out, Path(scratch), key).make_all()
    (out / "README.md").write_text(_readme())
    return _check(out, ca_pem)


def _clean(out: Path) -> None:
    # Only what this script owns: anything else someone put in sample_assets/ stays.
    for name in SUBFOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)
        (out / name).mkdir(parents=True)


def _make_pki(folder: Path) -> tuple[SigningKey, bytes]:
    paths = write_dev_pki(folder)
    (folder / "README.md").write_text(
        "DEVELOPMENT keys for the sample assets only, made by scripts/make_sample_assets.py.\n"
        "The private key is public by being in this repository: never trust it, never sign "
        "real deliveries with it.\n"
    )
    key = SigningKey(paths.signer_chain.read_bytes(), paths.signer_key.read_bytes())
    return key, paths.ca_cert.read_bytes()


class Samples:
    """Writes each sample; `scratch` holds unsigned intermediates that are not shipped."""

    def __init__(self, out: Path, scratch: Path, key: SigningKey) -> None:
        self.out, self.scratch, self.key = out, scratch, key

    def make_all(self) -> None:
        self.camera_plates()
        self.generated_still()
        self.openai_style()
        self.comp()
        self.tampered()
        self.exr_frame()
        self.video()
        self.orphan()

    def camera_plates(self) -> None:
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "ARRI", "ALEXA 35"  # Make, Model
        exif[0x0131] = "prov sample generator"  # Software
        _plate((40, 90, 160)).save(self.out / "camera/plate_A001_C003.jpg", exif=exif)
        source = self._jpeg("plate_C004.jpg", _plate((60, 110, 150)))
        created = action(
            "c2pa.created",
            digital_source_type="digitalCapture",
            software_agent={"name": "ARRI ALEXA 35", "version": "SUP 1.2"},
        )
        self._sign(source, "camera/plate_A001_C004_signed.jpg", [created])

    def generated_still(self) -> None:
        source = self._jpeg("element.jpg", _collapse_element())
        created = action(
            "c2pa.created",
            digital_source_type="trainedAlgorithmicMedia",
            software_agent={"name": "Adobe Firefly", "version": "Image 3"},
        )
        self._sign(source, "genai/building_collapse_element.jpg", [created])

    def openai_style(self) -> None:
        # OpenAI signs twice: the generation, then an "opened" manifest over it.
        generated = self.scratch / "concept_generated.png"
        _concept_art().save(self.scratch / "concept.png")
        created = action(
            "c2pa.created",
            digital_source_type="trainedAlgorithmicMedia",
            software_agent={"name": "GPT-4o", "version": "1.0"},
        )
        sign_embedded(
            self.scratch / "concept.png",
            generated,
            self._manifest("concept.png", [created]),
            self.key,
            media_type="image/png",
        )
        parent = IngredientSpec(generated, "image/png", "parentOf", "image.png", label="parent")
        opened = action("c2pa.opened", software_agent="ChatGPT", ingredients=[parent])
        self._sign(generated, "genai/openai_style_concept.png", [opened], [parent], "image/png")

    def comp(self) -> None:
        plate = self.out / "camera/plate_A001_C004_signed.jpg"
        element = self.out / "genai/building_collapse_element.jpg"
        merged = Image.open(plate).convert("RGB")
        merged.paste(Image.open(element).resize((96, 72)), (180, 40))
        source = self._jpeg("comp.jpg", merged)
        parent = IngredientSpec(plate, "image/jpeg", "parentOf", plate.name, label="plate")
        part = IngredientSpec(element, "image/jpeg", "componentOf", element.name, label="element")
        actions = [
            action("c2pa.opened", ingredients=[parent]),
            action("c2pa.placed", ingredients=[part]),
            action(
                "c2pa.edited",
                digital_source_type="compositeWithTrainedAlgorithmicMedia",
                software_agent={"name": "Nuke", "version": "15.1"},
                description="building collapse element composited over the plate",
            ),
        ]
        self._sign(source, "comp/AGM_104_065_010_comp_NFX_v001.jpg", actions, [parent, part])

    def tampered(self) -> None:
        data = bytearray((self.out / "genai/building_collapse_element.jpg").read_bytes())
        start, end = _scan_data_span(bytes(data))
        for offset in range(start + (end - start) // 2, start + (end - start) // 2 + 8):
            if data[offset] < 0xFE:  # never create an 0xFF marker byte
                data[offset] ^= 0x01
        (self.out / "tampered/building_collapse_element_tampered.jpg").write_bytes(bytes(data))

    def exr_frame(self) -> None:
        frame = self.out / "frames/ATBP_0A1_010_FG01_v001.01000.exr"
        frame.write_bytes(minimal_exr(16, 8))
        created = action("c2pa.created", digital_source_type="digitalCapture")
        store = sign_sidecar(
            frame, self._manifest(frame.name, [created]), self.key, media_type="image/x-exr"
        )
        sidecar_path_for(frame).write_bytes(store)

    def video(self) -> None:
        source = self.scratch / "turntable.mp4"
        source.write_bytes(minimal_mp4(_turntable_frames()))
        created = action("c2pa.created", digital_source_type="digitalCapture")
        self._sign(source, "video/turntable.mp4", [created], media_type="video/mp4")

    def orphan(self) -> None:
        frame = self.scratch / "lost_frame.exr"  # signed, then never shipped
        frame.write_bytes(minimal_exr(8, 4))
        created = action(
            "c2pa.created",
            digital_source_type="trainedAlgorithmicMedia",
            software_agent="Google Imagen",
        )
        store = sign_sidecar(
            frame, self._manifest(frame.name, [created]), self.key, media_type="image/x-exr"
        )
        (self.out / "orphans/lost_frame.c2pa").write_bytes(store)

    def _jpeg(self, name: str, image: Image.Image) -> Path:
        path = self.scratch / name
        image.save(path, "JPEG", quality=80)
        return path

    def _manifest(self, title: str, actions: list[dict[str, object]]) -> dict[str, object]:
        return manifest_definition(title, actions=actions, claim_generator=CLAIM_GENERATOR)

    def _sign(
        self,
        source: Path,
        rel: str,
        actions: list[dict[str, object]],
        ingredients: list[IngredientSpec] | None = None,
        media_type: str = "image/jpeg",
    ) -> None:
        dest = self.out / rel
        sign_embedded(
            source,
            dest,
            self._manifest(dest.name, actions),
            self.key,
            media_type=media_type,
            ingredients=ingredients or (),
        )


# --- pixels ------------------------------------------------------------------------------


def _plate(sky: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (320, 180), sky)
    draw = ImageDraw.Draw(image)
    for i, height in enumerate((90, 130, 70, 110, 150, 85)):
        draw.rectangle((i * 54, 180 - height, i * 54 + 44, 180), fill=(70 + i * 12, 70, 80))
    return image


def _collapse_element() -> Image.Image:
    image = Image.new("RGB", (192, 144), (30, 30, 36))
    draw = ImageDraw.Draw(image)
    draw.polygon([(40, 144), (70, 30), (120, 50), (150, 144)], fill=(120, 110, 100))
    for i in range(14):
        draw.ellipse(
            (10 + i * 12, 20 + (i * 37) % 90, 22 + i * 12, 32 + (i * 37) % 90), fill=(200, 190, 170)
        )
    return image


def _concept_art() -> Image.Image:
    image = Image.new("RGB", (96, 64), (250, 220, 180))
    ImageDraw.Draw(image).ellipse((24, 8, 72, 56), fill=(200, 60, 40))
    return image


def _turntable_frames(count: int = 4) -> list[bytes]:
    frames = []
    for i in range(count):
        image = Image.new("RGB", (64, 48), (20, 20, 24))
        width = 24 - abs(2 - i) * 8  # a box seen from four angles
        ImageDraw.Draw(image).rectangle(
            (32 - width // 2, 12, 32 + width // 2, 40), fill=(180, 140, 60)
        )
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=60)
        frames.append(buffer.getvalue())
    return frames


def _scan_data_span(jpeg: bytes) -> tuple[int, int]:
    """(first, last) byte offsets of the entropy-coded data after the first SOS marker:
    flipping bytes there breaks the data hash without touching the JUMBF (APP11)."""
    pos = 2  # after SOI
    while jpeg[pos] == 0xFF:
        marker = jpeg[pos + 1]
        length = struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        if marker == 0xDA:
            return pos + 2 + length, jpeg.rindex(b"\xff\xd9")
        pos += 2 + length
    raise ValueError("no SOS marker found")


# --- containers written by hand (no encoder is available to the product) ------------------


def minimal_exr(width: int, height: int) -> bytes:
    """A valid single-part scanline OpenEXR: HALF B,G,R channels, no compression."""
    channels = b"".join(c + b"\0" + struct.pack("<iB3xii", 1, 0, 1, 1) for c in (b"B", b"G", b"R"))
    window = struct.pack("<4i", 0, 0, width - 1, height - 1)
    attributes = [
        _exr_attr("channels", "chlist", channels + b"\0"),
        _exr_attr("compression", "compression", b"\0"),  # NONE: one scanline per chunk
        _exr_attr("dataWindow", "box2i", window),
        _exr_attr("displayWindow", "box2i", window),
        _exr_attr("lineOrder", "lineOrder", b"\0"),  # INCREASING_Y
        _exr_attr("pixelAspectRatio", "float", struct.pack("<f", 1.0)),
        _exr_attr("screenWindowCenter", "v2f", struct.pack("<2f", 0.0, 0.0)),
        _exr_attr("screenWindowWidth", "float", struct.pack("<f", 1.0)),
    ]
    header = b"".join(attributes) + b"\0"
    start = b"\x76\x2f\x31\x01" + struct.pack("<i", 2) + header  # magic, version 2
    chunks = [_exr_scanline(y, width, height) for y in range(height)]
    offsets, position = [], len(start) + 8 * height
    for chunk in chunks:
        offsets.append(position)
        position += len(chunk)
    return start + struct.pack(f"<{height}Q", *offsets) + b"".join(chunks)


def _exr_attr(name: str, kind: str, value: bytes) -> bytes:
    return name.encode() + b"\0" + kind.encode() + b"\0" + struct.pack("<i", len(value)) + value


def _exr_scanline(y: int, width: int, height: int) -> bytes:
    # Channels in name order (B, G, R), each a run of `width` halfs: a scene-linear ramp.
    ramp = [0.18 * (x + y) / (width + height) * 4 for x in range(width)]
    pixels = b"".join(struct.pack(f"<{width}e", *(v * k for v in ramp)) for k in (0.6, 0.9, 1.2))
    return struct.pack("<ii", y, len(pixels)) + pixels


def minimal_mp4(frames: list[bytes], width: int = 64, height: int = 48, fps: int = 4) -> bytes:
    """ftyp + moov (one Motion-JPEG video track) + mdat, one chunk holding every frame."""
    timescale, count = 600, len(frames)
    duration = timescale * count // fps
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2mp41")
    stbl_tail = _stbl_tables(frames, timescale // fps)

    def moov(mdat_offset: int) -> bytes:
        stco = _full(b"stco", 0, struct.pack(">II", 1, mdat_offset))
        stbl = _box(b"stbl", _jpeg_sample_description(width, height), stbl_tail, stco)
        return _movie_box(stbl, timescale, duration, width, height)

    first_frame = len(ftyp) + len(moov(0)) + 8  # stco is fixed-size, so lengths agree
    return ftyp + moov(first_frame) + _box(b"mdat", *frames)


_MATRIX = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, flags: int, *payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", flags), *payload)  # version 0


def _movie_box(stbl: bytes, timescale: int, duration: int, width: int, height: int) -> bytes:
    # Field layouts from ISO/IEC 14496-12, version 0 boxes; "x" pads reserved bytes.
    mvhd = struct.pack(">IIIIiH10x36s24xI", 0, 0, timescale, duration, 0x10000, 0x100, _MATRIX, 2)
    tkhd = struct.pack(">III4xI8xhhhH36sII", 0, 0, 1, duration, 0, 0, 0, 0, _MATRIX,
                       width << 16, height << 16)  # fmt: skip
    mdhd = struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0)  # language "und"
    hdlr = struct.pack(">I4s12x", 0, b"vide") + b"VideoHandler\0"
    dinf = _box(b"dinf", _full(b"dref", 0, struct.pack(">I", 1), _full(b"url ", 1)))
    minf = _box(b"minf", _full(b"vmhd", 1, bytes(8)), dinf, stbl)
    mdia = _box(b"mdia", _full(b"mdhd", 0, mdhd), _full(b"hdlr", 0, hdlr), minf)
    trak = _box(b"trak", _full(b"tkhd", 3, tkhd), mdia)  # flags 3: enabled, in movie
    return _box(b"moov", _full(b"mvhd", 0, mvhd), trak)


def _jpeg_sample_description(width: int, height: int) -> bytes:
    # VisualSampleEntry "jpeg" (Motion JPEG): 72 dpi, one frame per sample, 24-bit colour.
    name = b"\x0cPhoto - JPEG"
    entry = struct.pack(">6xH16xHHIIIH32shh", 1, width, height, 0x480000, 0x480000, 0, 1,
                        name, 24, -1)  # fmt: skip
    return _full(b"stsd", 0, struct.pack(">I", 1), _box(b"jpeg", entry))


def _stbl_tables(frames: list[bytes], frame_duration: int) -> bytes:
    count = len(frames)
    stts = _full(b"stts", 0, struct.pack(">III", 1, count, frame_duration))
    stsc = _full(b"stsc", 0, struct.pack(">IIII", 1, 1, count, 1))
    sizes = struct.pack(f">{count}I", *(len(f) for f in frames))
    stsz = _full(b"stsz", 0, struct.pack(">II", 0, count), sizes)
    return stts + stsc + stsz


# --- README and self-check -----------------------------------------------------------------


def _readme() -> str:
    return f"""# Sample assets

Regenerate with `.venv/bin/python scripts/make_sample_assets.py`. Names are fixed; keys,
manifest UUIDs and pixels change on every run. Everything is signed by the DEV signer in
`.pki/` (`signer-chain.pem`, `signer.key`), never by the vendors named in the manifests.
The folder is hidden so that `prov scan` (which skips dotfiles, as `prov watch` does) does not
catalog the dev keys as deliveries.

States are without trust anchors. Pass `.pki/dev-ca.pem` as trust anchors
(`prov --trust-anchors sample_assets/.pki/dev-ca.pem scan sample_assets/`) and every `Valid`
file reads `Trusted`.

{TABLE}
Sidecar rule (`provenance/sidecar.py`, as c2patool): `<asset name minus last extension>.c2pa`
in the same folder.
"""


def _promised_states() -> dict[str, str | None]:
    rows = [line.split(" | ") for line in TABLE.splitlines()[2:]]
    return {row[0].strip("| `"): None if row[3] == "-" else row[3] for row in rows}


def _check(out: Path, ca_pem: bytes) -> int:
    readers: dict[str, Callable[[Path], str | None]] = {
        "untrusted": _state_reader(ReaderSettings()),
        "anchored": _state_reader(ReaderSettings(trust_anchors_pem=ca_pem.decode())),
    }
    problems = []
    for rel, wanted in _promised_states().items():
        plain, anchored = (read(out / rel) for read in readers.values())
        wanted_anchored = "Trusted" if wanted == "Valid" else wanted
        if (plain, anchored) != (wanted, wanted_anchored):
            problems.append(f"{rel}: {plain}/{anchored}, wanted {wanted}/{wanted_anchored}")
        print(f"{plain or '-':8} {anchored or '-':8} {rel}")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{size} bytes in {out}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _state_reader(settings: ReaderSettings) -> Callable[[Path], str | None]:
    context = make_context(settings)

    def state(path: Path) -> str | None:
        if path.suffix == ".c2pa":
            return read_sidecar(path, context=context).validation_state
        sidecar = sidecar_path_for(path)
        side = sidecar.read_bytes() if sidecar.exists() else None
        media_type = "image/x-exr" if path.suffix == ".exr" else None
        raw = read_credentials(path, media_type, context=context, sidecar_bytes=side)
        return raw.validation_state

    return state


if __name__ == "__main__":
    sys.exit(main())
