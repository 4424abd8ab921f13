"""The dev CA issues signer certificates that meet the C2PA profile (DOMAIN.md section 4)
and that c2pa-rs accepts: Valid + untrusted without anchors, Trusted with the dev root."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from provenance.c2pa_io import ReaderSettings, make_context, read_credentials
from provenance.devca import (
    DOCUMENT_SIGNING_OID,
    make_dev_ca,
    make_signing_cert,
    write_dev_pki,
)

ANY_EKU = x509.ObjectIdentifier("2.5.29.37.0")


@pytest.fixture(scope="module")
def chain() -> tuple[x509.Certificate, x509.Certificate]:
    ca = make_dev_ca()
    signer = make_signing_cert(ca, "unit signer", "Unit Org")
    leaf, root = x509.load_pem_x509_certificates(signer.cert_chain_pem)
    return leaf, root


def ext(cert: x509.Certificate, kind: type[Any]) -> x509.Extension[Any]:
    return cert.extensions.get_extension_for_class(kind)


def test_chain_is_signer_then_ca(chain: tuple[x509.Certificate, x509.Certificate]) -> None:
    leaf, root = chain
    assert leaf.issuer == root.subject
    assert leaf.subject != leaf.issuer  # not self-signed: c2pa-rs refuses those
    leaf.verify_directly_issued_by(root)


def test_signer_is_v3_end_entity_with_p256(
    chain: tuple[x509.Certificate, x509.Certificate],
) -> None:
    leaf, _ = chain
    assert leaf.version == x509.Version.v3
    assert ext(leaf, x509.BasicConstraints).value.ca is False
    key = leaf.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert isinstance(key.curve, ec.SECP256R1)


def test_signer_key_usage_is_critical_digital_signature_only(
    chain: tuple[x509.Certificate, x509.Certificate],
) -> None:
    usage = ext(chain[0], x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert not usage.value.key_cert_sign


def test_signer_eku_is_allowed_and_never_any(
    chain: tuple[x509.Certificate, x509.Certificate],
) -> None:
    ekus = set(ext(chain[0], x509.ExtendedKeyUsage).value)
    assert {ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_OID} <= ekus
    assert ANY_EKU not in ekus


def test_signer_has_aki_matching_ca_ski_and_own_ski(
    chain: tuple[x509.Certificate, x509.Certificate],
) -> None:
    leaf, root = chain
    aki = ext(leaf, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ext(root, x509.SubjectKeyIdentifier).value.digest
    assert ext(leaf, x509.SubjectKeyIdentifier).value.digest


def test_ca_is_a_ca(chain: tuple[x509.Certificate, x509.Certificate]) -> None:
    _, root = chain
    assert ext(root, x509.BasicConstraints).value.ca is True
    assert ext(root, x509.KeyUsage).value.key_cert_sign


def test_subject_names(chain: tuple[x509.Certificate, x509.Certificate]) -> None:
    leaf, _ = chain
    assert leaf.subject.rfc4514_string() == "O=Unit Org,CN=unit signer"


def test_private_keys_stay_out_of_repr() -> None:
    ca = make_dev_ca()
    signer = make_signing_cert(ca)
    assert b"PRIVATE KEY" in ca.private_key_pem
    assert "PRIVATE" not in repr(ca)
    assert "PRIVATE" not in repr(signer)


def test_write_dev_pki_writes_files_and_protects_the_key(tmp_path: Path) -> None:
    paths = write_dev_pki(tmp_path / "pki")
    assert len(x509.load_pem_x509_certificates(paths.signer_chain.read_bytes())) == 2
    assert x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    assert stat.S_IMODE(paths.signer_key.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in paths.signer_key.read_bytes()


def codes(raw: Any) -> list[str]:
    failures = raw.store["validation_results"]["activeManifest"].get("failure", [])
    return [item["code"] for item in failures]


def test_c2pa_reports_valid_but_untrusted_without_anchors(sign_jpeg: Any) -> None:
    raw = read_credentials(sign_jpeg(), "image/jpeg", context=make_context(ReaderSettings()))
    assert raw.validation_state == "Valid"
    assert codes(raw) == ["signingCredential.untrusted"]


def test_c2pa_reports_trusted_with_the_dev_root_as_anchor(sign_jpeg: Any, dev_pki: Any) -> None:
    settings = ReaderSettings(trust_anchors_pem=dev_pki.ca_pem.decode())
    raw = read_credentials(sign_jpeg(), "image/jpeg", context=make_context(settings))
    assert raw.validation_state == "Trusted"
    assert codes(raw) == []


def test_another_root_does_not_make_it_trusted(sign_jpeg: Any) -> None:
    stranger = make_dev_ca("some other root").cert_pem.decode()
    raw = read_credentials(
        sign_jpeg(), "image/jpeg", context=make_context(ReaderSettings(trust_anchors_pem=stranger))
    )
    assert raw.validation_state == "Valid"
    assert "signingCredential.untrusted" in codes(raw)
