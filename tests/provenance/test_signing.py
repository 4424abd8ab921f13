"""Writing Content Credentials with real c2pa-python: embedded, sidecar, ingredients,
tampering, and errors. Everything signs and reads back in tmp_path, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from provenance.c2pa_io import (
    IngredientSpec,
    ReaderSettings,
    ReadOutcome,
    SigningError,
    SigningKey,
    action,
    make_context,
    manifest_definition,
    read_credentials,
    sign_embedded,
    sign_sidecar,
)
from provenance.devca import make_dev_ca, make_signing_cert
from provenance.sidecar import asset_candidates_for, sidecar_path_for

GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
EXR_MAGIC = bytes.fromhex("762f3101")


@pytest.fixture(scope="module")
def context() -> Any:
    return make_context(ReaderSettings())


def read(path: Path, context: Any, media_type: str = "image/jpeg", **kw: Any) -> Any:
    raw = read_credentials(path, media_type, context=context, **kw)
    assert raw.outcome == ReadOutcome.READ, raw.reason
    return raw


def failure_codes(raw: Any) -> list[str]:
    failures = raw.store["validation_results"]["activeManifest"].get("failure", [])
    return [item["code"] for item in failures]


def active(raw: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = raw.store["manifests"][raw.store["active_manifest"]]
    return manifest


def actions_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    (assertion,) = [a for a in manifest["assertions"] if a["label"] == "c2pa.actions.v2"]
    result: list[dict[str, Any]] = assertion["data"]["actions"]
    return result


# --- building the manifest JSON (no SDK) ---------------------------------------------


def test_manifest_definition_shape() -> None:
    created = action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")
    manifest = manifest_definition("x.jpg", actions=[created], claim_generator="prov/0.1")
    assert manifest["claim_generator_info"] == [{"name": "prov", "version": "0.1"}]
    assert manifest["title"] == "x.jpg"
    assert manifest["assertions"][0]["label"] == "c2pa.actions.v2"
    assert manifest["assertions"][0]["data"]["actions"] == [created]


def test_action_expands_bare_terms_and_cites_ingredients(tmp_path: Path) -> None:
    spec = IngredientSpec(tmp_path / "p.jpg", "image/jpeg", "parentOf", "p.jpg", label="plate")
    entry = action("c2pa.opened", software_agent="Adobe Firefly", ingredients=[spec])
    assert entry["softwareAgent"] == {"name": "Adobe Firefly"}
    assert entry["parameters"] == {"ingredientIds": ["plate"]}
    full = action("c2pa.created", digital_source_type=GENERATED)
    assert full["digitalSourceType"] == GENERATED
    bare = action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")
    assert bare["digitalSourceType"] == GENERATED


def test_repr_of_signing_key_hides_the_private_key(dev_pki: Any) -> None:
    text = repr(dev_pki.key)
    assert "PRIVATE" not in text
    assert dev_pki.key.private_key_pem.decode() not in text
    assert "es256" in text


# --- embedded ----------------------------------------------------------------------------


def test_embedded_round_trip_keeps_actions(sign_jpeg: Any, context: Any) -> None:
    created = action(
        "c2pa.created",
        digital_source_type="trainedAlgorithmicMedia",
        software_agent={"name": "Adobe Firefly", "version": "3.0"},
    )
    raw = read(sign_jpeg("gen.jpg", actions=[created]), context)
    assert raw.validation_state == "Valid"
    assert failure_codes(raw) == ["signingCredential.untrusted"]
    assert raw.embedded
    (entry,) = actions_of(active(raw))
    assert entry["digitalSourceType"] == GENERATED
    assert entry["softwareAgent"] == {"name": "Adobe Firefly", "version": "3.0"}


def test_tampered_pixels_read_invalid_with_data_hash_mismatch(sign_jpeg: Any, context: Any) -> None:
    path = sign_jpeg()
    data = bytearray(path.read_bytes())
    # The manifest sits in APP11 segments at the front; the bytes just before the final
    # EOI marker (FF D9) are entropy-coded scan data.
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    raw = read(path, context)
    assert raw.validation_state == "Invalid"
    assert "assertion.dataHash.mismatch" in failure_codes(raw)


def test_sign_in_place(sign_jpeg: Any, dev_pki: Any, context: Any, tmp_path: Path) -> None:
    path = sign_jpeg("camera.jpg")
    parent = IngredientSpec(path, "image/jpeg", "parentOf", "camera.jpg")
    edited = manifest_definition(
        "camera.jpg",
        actions=[action("c2pa.opened", ingredients=[parent]), action("c2pa.color_adjustments")],
    )
    sign_embedded(path, path, edited, dev_pki.key, media_type="image/jpeg", ingredients=[parent])
    raw = read(path, context)
    assert raw.validation_state == "Valid"
    assert len(raw.store["manifests"]) == 2
    # Written beside the file and renamed: no temporary file is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["camera.jpg", "unsigned_camera.jpg"]


def test_signed_ingredient_manifest_is_carried_into_the_store(
    sign_jpeg: Any, dev_pki: Any, context: Any, tmp_path: Path
) -> None:
    generated = sign_jpeg(
        "element.jpg",
        actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")],
    )
    plate = sign_jpeg("plate.jpg", color=(10, 200, 30))
    parent = IngredientSpec(plate, "image/jpeg", "parentOf", "plate.jpg", label="plate")
    element = IngredientSpec(generated, "image/jpeg", "componentOf", "element.jpg")
    comp = manifest_definition(
        "comp.jpg",
        actions=[
            action("c2pa.opened", ingredients=[parent]),
            action("c2pa.placed", ingredients=[element]),
            action("c2pa.edited", digital_source_type="compositeWithTrainedAlgorithmicMedia"),
        ],
    )
    dest = tmp_path / "comp.jpg"
    sign_embedded(
        plate, dest, comp, dev_pki.key, media_type="image/jpeg", ingredients=[parent, element]
    )
    raw = read(dest, context)
    assert raw.validation_state == "Valid"
    assert len(raw.store["manifests"]) == 3  # comp + plate + generated element
    relationships = {i["title"]: i["relationship"] for i in active(raw)["ingredients"]}
    assert relationships == {"plate.jpg": "parentOf", "element.jpg": "componentOf"}
    sources = [
        a.get("digitalSourceType") for m in raw.store["manifests"].values() for a in actions_of(m)
    ]
    assert GENERATED in sources  # the genAI origin survives inside the ingredient's manifest


def test_opened_without_citing_its_parent_is_refused(
    sign_jpeg: Any, dev_pki: Any, tmp_path: Path
) -> None:
    plate = sign_jpeg("plate.jpg")
    parent = IngredientSpec(plate, "image/jpeg", "parentOf", "plate.jpg")
    manifest = manifest_definition("x.jpg", actions=[{"action": "c2pa.opened"}])
    with pytest.raises(SigningError, match="ingredient"):
        sign_embedded(
            plate,
            tmp_path / "x.jpg",
            manifest,
            dev_pki.key,
            media_type="image/jpeg",
            ingredients=[parent],
        )
    assert not (tmp_path / "x.jpg").exists()


# --- errors ------------------------------------------------------------------------------


def plain_jpeg(path: Path) -> Path:
    Image.new("RGB", (16, 16), (1, 2, 3)).save(path, "JPEG")
    return path


def simple_manifest() -> dict[str, Any]:
    return manifest_definition(
        "x.jpg", actions=[action("c2pa.created", digital_source_type="digitalCapture")]
    )


def test_garbage_private_key_raises_signing_error_naming_the_file(
    dev_pki: Any, tmp_path: Path
) -> None:
    source = plain_jpeg(tmp_path / "in.jpg")
    key = SigningKey(dev_pki.key.cert_chain_pem, b"-----BEGIN PRIVATE KEY-----\nnope\n")
    with pytest.raises(SigningError, match="in.jpg"):
        sign_embedded(source, tmp_path / "out.jpg", simple_manifest(), key, media_type="image/jpeg")
    assert not (tmp_path / "out.jpg").exists()


def test_key_not_matching_the_certificate_raises_signing_error(
    dev_pki: Any, tmp_path: Path
) -> None:
    other = make_signing_cert(make_dev_ca())
    key = SigningKey(dev_pki.key.cert_chain_pem, other.private_key_pem)
    source = plain_jpeg(tmp_path / "in.jpg")
    with pytest.raises(SigningError, match="in.jpg"):
        sign_embedded(source, tmp_path / "out.jpg", simple_manifest(), key, media_type="image/jpeg")
    assert [p.name for p in tmp_path.iterdir()] == ["in.jpg"]  # no partial output left


def test_missing_source_raises_signing_error(dev_pki: Any, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="absent.jpg"):
        sign_embedded(
            tmp_path / "absent.jpg",
            tmp_path / "out.jpg",
            simple_manifest(),
            dev_pki.key,
            media_type="image/jpeg",
        )


def test_missing_ingredient_raises_signing_error_naming_it(dev_pki: Any, tmp_path: Path) -> None:
    source = plain_jpeg(tmp_path / "in.jpg")
    ghost = IngredientSpec(tmp_path / "ghost.jpg", "image/jpeg", "componentOf", "ghost.jpg")
    with pytest.raises(SigningError, match="ghost.jpg"):
        sign_sidecar(
            source, simple_manifest(), dev_pki.key, media_type="image/jpeg", ingredients=[ghost]
        )


# --- sidecars ------------------------------------------------------------------------------


def fake_exr(path: Path, payload: bytes = b"\x00" * 64) -> Path:
    # c2pa-rs does not parse OpenEXR: it hashes the whole file, so the magic is enough here.
    path.write_bytes(EXR_MAGIC + b"\x02\x00\x00\x00" + payload)
    return path


def test_sidecar_round_trip_validates_against_the_asset(
    dev_pki: Any, context: Any, tmp_path: Path
) -> None:
    frame = fake_exr(tmp_path / "ATBP_0A1_010_FG01_v001.01000.exr")
    before = frame.read_bytes()
    manifest = manifest_definition(
        frame.name, actions=[action("c2pa.created", digital_source_type="digitalCapture")]
    )
    store = sign_sidecar(frame, manifest, dev_pki.key, media_type="image/x-exr")
    assert frame.read_bytes() == before  # the asset itself is never modified
    sidecar = sidecar_path_for(frame)
    sidecar.write_bytes(store)
    assert sidecar.name == "ATBP_0A1_010_FG01_v001.01000.c2pa"
    assert asset_candidates_for(sidecar) == [frame]
    raw = read(frame, context, "image/x-exr", sidecar_bytes=sidecar.read_bytes())
    assert raw.validation_state == "Valid"
    assert failure_codes(raw) == ["signingCredential.untrusted"]


def test_modified_asset_invalidates_its_sidecar(dev_pki: Any, context: Any, tmp_path: Path) -> None:
    frame = fake_exr(tmp_path / "f.0001.exr")
    store = sign_sidecar(frame, simple_manifest(), dev_pki.key, media_type="image/x-exr")
    fake_exr(frame, b"\x01" * 64)
    raw = read(frame, context, "image/x-exr", sidecar_bytes=store)
    assert raw.validation_state == "Invalid"
    assert "assertion.dataHash.mismatch" in failure_codes(raw)


def test_sidecar_naming_follows_c2patool(tmp_path: Path) -> None:
    assert sidecar_path_for(Path("/d/shot.0001.exr")) == Path("/d/shot.0001.c2pa")
    assert sidecar_path_for(Path("/d/clip.mxf")) == Path("/d/clip.c2pa")
    with pytest.raises(ValueError):
        sidecar_path_for(Path("/d/x.c2pa"))


def test_asset_candidates_are_same_stem_siblings(tmp_path: Path) -> None:
    names = ["shot.exr", "shot.dpx", "shot", "shot.0001.exr", "shots.exr", "shot.c2pa"]
    siblings = [tmp_path / n for n in names]
    found = asset_candidates_for(tmp_path / "shot.c2pa", siblings)
    assert [p.name for p in found] == ["shot", "shot.dpx", "shot.exr"]
    assert asset_candidates_for(tmp_path / "lost.c2pa") == []  # an orphan
