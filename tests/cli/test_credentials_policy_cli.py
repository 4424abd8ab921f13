"""Issue 7 end to end through the command line: real files whose credentials fail, are broken
or only referenced remotely, in folders configured by prov.toml; studio tools recognised from
valid credentials; the presented_as_real question. Exit codes, records, the gate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from provenance.c2pa_io import action
from provenance.credentials import explain_code
from tests.conftest import DevPki, SignJpeg
from tests.integration.test_scenarios import Project, make_project, rule_ids

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_assets"
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = CORPUS / "c2pa-rs" / "sdk" / "tests" / "fixtures"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")

ACME_AGENT = "Acme GenStudio 1.0"
ACME_TOOLS = r"""
[[tools]]
name = "Acme GenStudio"
patterns = ['\bacme genstudio\b']
enterprise_agreement = true
trains_on_inputs = false
"""


@pytest.fixture
def project(tmp_path: Path, db_url: str) -> Project:
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")


def tampered(path: Path) -> Path:
    """Flip bytes in the middle of a JPEG's scan data (never making an 0xFF marker), as
    scripts/make_sample_assets.py does: the credentials then read Invalid."""
    data = bytearray(path.read_bytes())
    sos = data.rindex(b"\xff\xda")  # scan data cannot hold this marker; the manifest can
    middle = sos + (len(data) - sos) // 2
    for offset in range(middle, middle + 8):
        if data[offset] < 0xFE and data[offset - 1] != 0xFF:
            data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def risk(project: Project, path: Path) -> dict[str, Any]:
    record: dict[str, Any] = project.show(path)["risk"]
    return record


def fired(project: Project, path: Path, rule_id: str) -> dict[str, Any]:
    return next(r for r in risk(project, path)["rules"] if r["id"] == rule_id)


# --- PV-INVALID, PV-INVALID-FINAL --------------------------------------------------------------


def test_a_tampered_camera_plate_escalates_and_fails_an_escalate_gate(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    plate = project.place(tampered(sign_jpeg("plate.jpg")), "wip/plates/plate.jpg")
    project.prov("scan", str(project.root))
    record = project.show(plate)
    assert record["credentials"]["validation_state"] == "Invalid"
    assert record["ai"]["involvement"] == "none"  # no genAI: it used to be risk "none"
    assert (record["risk"]["outcome"], rule_ids(record)) == ("escalate", {"PV-INVALID"})
    reason = fired(project, plate, "PV-INVALID")["reason"]
    assert explain_code("assertion.dataHash.mismatch") in reason
    project.prov("check", "--fail-on", "approval-required", str(project.root), code=0)
    failed = project.json("check", "--fail-on", "escalate", str(project.root), code=3)
    assert [(r["path"], r["rules"]) for r in failed] == [(str(plate), ["PV-INVALID"])]


def test_a_tampered_camera_plate_in_a_final_folder_requires_approval(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    plate = project.place(tampered(sign_jpeg("plate.jpg")), "final/plates/plate.jpg")
    project.prov("scan", str(project.root))
    assert risk(project, plate)["outcome"] == "approval-required"
    assert rule_ids(project.show(plate)) == {"PV-INVALID", "PV-INVALID-FINAL"}
    project.prov("check", str(project.root), code=3)
    project.prov("approve", str(plate), "--by", "M. Ortiz", "--ref", "LEGAL-7")
    project.prov("check", "--fail-on", "escalate", str(project.root), code=0)


def test_the_sample_tampered_copy_in_a_final_folder(project: Project) -> None:
    source = SAMPLES / "tampered/building_collapse_element_tampered.jpg"
    copy = project.root / "final/vfx/collapse.jpg"
    copy.parent.mkdir(parents=True)
    shutil.copy(source, copy)
    project.prov("scan", str(project.root))
    ids = rule_ids(project.show(copy))
    assert {"PV-INVALID", "PV-INVALID-FINAL", "PV-GENAI", "AA-FINAL"} <= ids
    evidence = fired(project, copy, "PV-INVALID")["evidence"]
    assert "embedded credentials: validation state Invalid" in evidence
    project.prov("check", "--fail-on", "escalate", str(project.root), code=3)


@needs_corpus
def test_a_pre_release_manifest_is_broken_credentials_not_none(project: Project) -> None:
    copy = project.root / "wip/prerelease.jpg"
    copy.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "prerelease.jpg", copy)
    project.prov("scan", str(project.root), code=1)  # an `error` file, listed on stderr
    record = project.show(copy)
    assert record["status"] == "error"
    assert (record["risk"]["outcome"], rule_ids(record)) == ("escalate", {"PV-INVALID"})
    assert "pre-release" in fired(project, copy, "PV-INVALID")["reason"]
    project.prov("check", "--fail-on", "escalate", str(project.root), code=3)


@needs_corpus
def test_a_remote_manifest_is_unverified_and_the_reason_says_where_it_lives(
    project: Project,
) -> None:
    copy = project.root / "final/cloud.jpg"
    copy.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "cloud.jpg", copy)
    project.prov("scan", str(project.root))
    record = project.show(copy)
    assert record["credentials"]["location"] == "remote"
    assert (record["risk"]["outcome"], rule_ids(record)) == ("escalate", {"PV-REMOTE"})
    url = record["credentials"]["remote_url"]
    assert url.startswith("https://cai-manifests.adobe.com/")
    assert url in fired(project, copy, "PV-REMOTE")["reason"]
    project.prov("check", "--fail-on", "escalate", str(project.root), code=3)


# --- studio tools from valid credentials -------------------------------------------------------


def _acme_project(tmp_path: Path, db_url: str, dev_pki: DevPki) -> Project:
    (tmp_path / "acme-tools.toml").write_text(ACME_TOOLS, encoding="utf-8")
    (tmp_path / "studio-ca.pem").write_bytes(dev_pki.ca_pem)
    extra = '[tools]\nfile = "acme-tools.toml"\n\n[trust]\nanchors = "studio-ca.pem"\n'
    return make_project(tmp_path, db_url, title="The Eternaut", kind="scripted", extra=extra)


def test_a_studio_tool_named_by_trusted_credentials_answers_gp2_and_gp3(
    tmp_path: Path, db_url: str, dev_pki: DevPki, sign_jpeg: SignJpeg
) -> None:
    project = _acme_project(tmp_path, db_url, dev_pki)
    made = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia",
                   software_agent=ACME_AGENT)]  # fmt: skip
    still = project.place(sign_jpeg("acme.jpg", actions=made), "wip/acme.jpg")
    project.prov("scan", str(project.root))
    record = project.show(still)
    assert record["credentials"]["validation_state"] == "Trusted"
    assert record["ai"]["involvement"] == "generated"
    assert {"GP-2", "GP-3"}.isdisjoint(rule_ids(record))


def test_without_the_registry_entry_no_tool_is_recognised(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    made = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia",
                   software_agent=ACME_AGENT)]  # fmt: skip
    still = project.place(sign_jpeg("acme.jpg", actions=made), "wip/acme.jpg")
    project.prov("scan", str(project.root))
    assert "no tool is named" in fired(project, still, "GP-2")["reason"]


def test_the_same_name_only_in_unsigned_xmp_is_unsure(
    tmp_path: Path, db_url: str, dev_pki: DevPki
) -> None:
    project = _acme_project(tmp_path, db_url, dev_pki)
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'xmp:CreatorTool="{ACME_AGENT}" Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/'
        'newscodes/digitalsourcetype/trainedAlgorithmicMedia"/></rdf:RDF></x:xmpmeta>'
    ).encode()
    still = project.root / "wip/unsigned.jpg"
    still.parent.mkdir(parents=True)
    Image.new("RGB", (16, 16), "green").save(still, "JPEG", xmp=xmp)
    project.prov("scan", str(project.root))
    for rule_id in ("GP-2", "GP-3"):
        rule = fired(project, still, rule_id)
        assert rule["answer"] == "unsure"
        assert "Acme GenStudio is named only by metadata that is unsigned" in rule["reason"]
        assert any("xmp.CreatorTool = Acme GenStudio 1.0 (unsigned)" in e for e in rule["evidence"])


# --- presented_as_real -------------------------------------------------------------------------


GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]


def test_declaring_presented_as_real_in_a_scripted_production(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    still = project.place(sign_jpeg("news.jpg", actions=GENERATED), "wip/sc3/news.jpg")
    project.prov("scan", str(project.root))
    assert "AA-MISLEADING" not in rule_ids(project.show(still))
    project.prov("declare", str(still), "--presented-as-real", "unsure", "--by", "VFX")
    rule = fired(project, still, "AA-MISLEADING")
    assert (rule["outcome"], rule["answer"]) == ("escalate", "unsure")
    project.prov("declare", str(still), "--presented-as-real", "yes", "--by", "VFX")
    assert fired(project, still, "AA-MISLEADING")["outcome"] == "approval-required"
    assert risk(project, still)["outcome"] == "approval-required"
    result = project.prov("declare", str(still), "--presented-as-real", "maybe", code=2)
    assert "maybe" in result.stderr


def test_presented_as_real_in_a_vendor_declaration_file(
    project: Project, sign_jpeg: SignJpeg
) -> None:
    still = project.place(sign_jpeg("crowd.jpg", actions=GENERATED), "wip/sc4/crowd.jpg")
    still.with_name("crowd.jpg.genai.toml").write_text('presented_as_real = "yes"\n')
    project.prov("scan", str(project.root))
    assert fired(project, still, "AA-MISLEADING")["outcome"] == "approval-required"
    still.with_name("crowd.jpg.genai.toml").write_text('presented_as_real = "perhaps"\n')
    result = project.prov("classify", str(still), code=1)
    assert "presented_as_real" in result.stdout + result.stderr


def test_an_orphan_sidecar_says_why_its_credentials_fail(project: Project) -> None:
    # Issue 8: an orphan sidecar is not an asset and has no risk outcome of its own (issue 7
    # gave it PV-INVALID); its record still says why its credentials cannot be checked, and
    # the gate fails on it whatever the level (tests/cli/test_records_cli.py).
    orphan = project.root / "wip/lost_frame.c2pa"
    orphan.parent.mkdir(parents=True)
    shutil.copy(SAMPLES / "orphans/lost_frame.c2pa", orphan)
    project.prov("scan", str(project.root))
    record = project.show(orphan)
    assert record["reason"].startswith("orphan sidecar: no asset with the same name beside it")
    assert "assertion.dataHash.mismatch" in record["credentials"]["failure_codes"]
    assert record["risk"]["outcome"] is None and record["risk"]["rules"] == []
