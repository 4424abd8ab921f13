"""A sidecar never hides embedded credentials (issue 7): both are read with real c2pa-python,
the embedded reading stays the main one, the other is kept, and genAI evidence from either
counts. Files: the sample genAI still and the EXR frame's sidecar (sample_assets/), plus
files signed here with the dev CA."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provenance.analyze import Analyzer, analyze_file
from provenance.c2pa_io import action, manifest_definition, sign_sidecar
from provenance.model import CredentialLocation, FileStatus, Involvement, Strength
from tests.conftest import DevPki, SignJpeg

SAMPLES = Path(__file__).resolve().parents[2] / "sample_assets"
GENAI_JPEG = SAMPLES / "genai" / "building_collapse_element.jpg"
EXR = SAMPLES / "frames" / "ATBP_0A1_010_FG01_v001.01000.exr"
EXR_SIDECAR = SAMPLES / "frames" / "ATBP_0A1_010_FG01_v001.01000.c2pa"
GENERATED_URI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def genai_with_foreign_sidecar(tmp_path: Path) -> tuple[Path, Path]:
    """The issue's case: a foreign `.c2pa` (the EXR frame's) copied beside a genAI JPEG."""
    jpeg = Path(shutil.copy(GENAI_JPEG, tmp_path / "element.jpg"))
    sidecar = Path(shutil.copy(EXR_SIDECAR, tmp_path / "element.c2pa"))
    return jpeg, sidecar


def test_foreign_sidecar_does_not_hide_embedded_genai_credentials(
    analyzer: Analyzer, genai_with_foreign_sidecar: tuple[Path, Path]
) -> None:
    jpeg, sidecar = genai_with_foreign_sidecar
    report = analyze_file(jpeg, analyzer=analyzer, sidecar=sidecar)
    assert report.status is FileStatus.OK
    main = report.credentials
    assert main.location is CredentialLocation.EMBEDDED
    assert str(main.validation_state) == "Valid"
    assert report.ai.involvement is Involvement.GENERATED
    embedded_label = main.active_manifest
    assert any(
        e.value == GENERATED_URI
        and e.strength is Strength.SIGNED_VALID
        and embedded_label is not None
        and e.location.startswith(embedded_label)
        for e in report.ai.evidence
    )
    (extra,) = report.extra_credentials
    assert extra.location is CredentialLocation.SIDECAR
    assert extra.sidecar_path == str(sidecar)
    assert str(extra.validation_state) == "Invalid"
    assert "assertion.dataHash.mismatch" in extra.failure_codes


def test_without_a_sidecar_there_is_one_reading(analyzer: Analyzer, tmp_path: Path) -> None:
    jpeg = Path(shutil.copy(GENAI_JPEG, tmp_path / "element.jpg"))
    report = analyze_file(jpeg, analyzer=analyzer)
    assert report.extra_credentials == ()
    assert report.ai.involvement is Involvement.GENERATED


def test_frame_with_its_own_sidecar_reads_as_before(analyzer: Analyzer) -> None:
    """An EXR cannot embed: the (unsupported) embedded attempt adds nothing, and fails nothing."""
    report = analyze_file(EXR, analyzer=analyzer, sidecar=EXR_SIDECAR)
    assert report.status is FileStatus.OK and report.reason is None
    assert report.credentials.location is CredentialLocation.SIDECAR
    assert str(report.credentials.validation_state) == "Valid"
    assert report.extra_credentials == ()
    assert report.ai.involvement is Involvement.NONE


def test_genai_evidence_in_the_sidecar_counts_beside_embedded_credentials(
    analyzer: Analyzer, sign_jpeg: SignJpeg, dev_pki: DevPki
) -> None:
    """Embedded: a camera capture (none). Sidecar: generated. (c2pa-rs reads a sidecar signed
    over an already-signed JPEG as Invalid; a genAI claim still counts, at that strength.)"""
    plate = sign_jpeg("plate.jpg")
    generated = manifest_definition(
        "plate", actions=[action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
    )
    sidecar = plate.with_suffix(".c2pa")
    sidecar.write_bytes(sign_sidecar(plate, generated, dev_pki.key, media_type="image/jpeg"))
    report = analyze_file(plate, analyzer=analyzer, sidecar=sidecar)
    assert report.credentials.location is CredentialLocation.EMBEDDED
    (extra,) = report.extra_credentials
    assert extra.location is CredentialLocation.SIDECAR
    assert report.ai.involvement is Involvement.GENERATED
    implied = {(e.value, e.implies) for e in report.ai.evidence}
    assert (GENERATED_URI, Involvement.GENERATED) in implied
    assert any(e.implies is Involvement.NONE for e in report.ai.evidence)  # the embedded one


def test_a_broken_sidecar_beside_embedded_credentials_is_an_error(
    analyzer: Analyzer, genai_with_foreign_sidecar: tuple[Path, Path]
) -> None:
    jpeg, sidecar = genai_with_foreign_sidecar
    sidecar.write_bytes(b"not a manifest store at all")
    report = analyze_file(jpeg, analyzer=analyzer, sidecar=sidecar)
    assert report.status is FileStatus.ERROR
    assert (report.reason or "").startswith(f"sidecar {sidecar.name}")
    assert report.credentials.location is CredentialLocation.EMBEDDED  # still read, still shown
    assert report.ai.involvement is Involvement.GENERATED
    assert report.extra_credentials == ()


def test_a_sidecar_that_cannot_be_read_beside_embedded_credentials_is_an_error(
    analyzer: Analyzer, genai_with_foreign_sidecar: tuple[Path, Path]
) -> None:
    jpeg, sidecar = genai_with_foreign_sidecar
    sidecar.unlink()
    sidecar.mkdir()  # a folder where the sidecar should be: reading it fails (even as root)
    report = analyze_file(jpeg, analyzer=analyzer, sidecar=sidecar)
    assert report.status is FileStatus.ERROR
    assert f"sidecar {sidecar.name} unreadable" in (report.reason or "")
    assert report.ai.involvement is Involvement.GENERATED
