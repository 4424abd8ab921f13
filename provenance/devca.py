"""A throw-away two-level PKI (root CA -> end-entity signer) for tests and sample assets.

Uses `cryptography` only. The signer certificate follows the C2PA certificate profile
(DOMAIN.md section 4; c2pa-rs `check_certificate_profile`) so that c2pa-rs signs with it and
reports `Trusted` once the root is given as a trust anchor. `write_dev_pki` does file I/O.
Never use these keys for real deliveries: anyone holding the repository holds the key.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# id-kp-documentSigning (RFC 9336). c2pa-python 0.38.1 (c2pa-rs 0.91.3) accepts only
# emailProtection among these by default: a certificate whose sole EKU is documentSigning or
# the C2PA claim-signing OID 1.3.6.1.4.1.62558.2.1 fails with `signingCredential.invalid`
# unless `trust.trust_config` lists it. So we carry emailProtection (accepted today) and
# documentSigning (where the C2PA profile is heading); one allowed EKU is enough.
DOCUMENT_SIGNING_OID = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

# Backdate notBefore: c2pa-rs checks validity against "now" when there is no timestamp, and a
# verifier whose clock runs slightly behind ours must not see a not-yet-valid certificate.
_CLOCK_SKEW = dt.timedelta(hours=1)

DEFAULT_ORGANIZATION = "prov development (NOT FOR PRODUCTION)"


@dataclass(frozen=True)
class CertAndKey:
    """One certificate and its private key, both PEM. The key never appears in repr."""

    cert_pem: bytes
    private_key_pem: bytes = field(repr=False)


@dataclass(frozen=True)
class SignerPems:
    """What a C2PA signer needs; same fields as `c2pa_io.SigningKey` (build one from it)."""

    cert_chain_pem: bytes  # end-entity certificate first, then the CA
    private_key_pem: bytes = field(repr=False)
    alg: str = "es256"


@dataclass(frozen=True)
class DevPkiPaths:
    ca_cert: Path
    signer_chain: Path
    signer_key: Path


def make_dev_ca(common_name: str = "prov dev root CA", *, valid_days: int = 3650) -> CertAndKey:
    """A self-signed ECDSA P-256 root CA (the trust anchor; roots are self-signed by nature)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, DEFAULT_ORGANIZATION)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        _base_builder(name, name, key.public_key(), valid_days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    cert = builder.sign(key, hashes.SHA256())
    return CertAndKey(_cert_pem(cert), _key_pem(key))


def make_signing_cert(
    ca: CertAndKey,
    common_name: str = "prov dev signer",
    organization: str = DEFAULT_ORGANIZATION,
    *,
    valid_days: int = 825,
) -> SignerPems:
    """An end-entity ES256 signing certificate issued by `ca`, meeting the C2PA profile:
    X.509 v3, not a CA, not self-signed, KeyUsage digitalSignature (critical), EKU
    emailProtection + documentSigning, AKI and SKI present. Chain = signer cert + CA cert."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem, password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the dev CA key must be an ECDSA key")
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _base_builder(
        _name(common_name, organization), ca_cert.subject, key.public_key(), valid_days
    )
    for extension, critical in _end_entity_extensions(key, ca_cert):
        builder = builder.add_extension(extension, critical=critical)
    cert = builder.sign(ca_key, hashes.SHA256())
    return SignerPems(_cert_pem(cert) + ca.cert_pem, _key_pem(key))


def write_dev_pki(folder: Path) -> DevPkiPaths:
    """Make a fresh CA and signer and write `dev-ca.pem`, `signer-chain.pem` and
    `signer.key` (mode 0600) into `folder`. The CA's own key is discarded: nothing else
    is ever issued from a dev CA, so there is no reason to keep it on disk."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_dev_ca()
    signer = make_signing_cert(ca)
    paths = DevPkiPaths(folder / "dev-ca.pem", folder / "signer-chain.pem", folder / "signer.key")
    paths.ca_cert.write_bytes(ca.cert_pem)
    paths.signer_chain.write_bytes(signer.cert_chain_pem)
    _write_private(paths.signer_key, signer.private_key_pem)
    return paths


def _end_entity_extensions(
    key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> list[tuple[x509.ExtensionType, bool]]:
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    ekus = [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_OID]
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(ca=False), True),
        # Never anyExtendedKeyUsage: c2pa-rs rejects it outright.
        (x509.ExtendedKeyUsage(ekus), False),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False),
    ]


def _base_builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, valid_days: int
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    # cryptography always writes v3 certificates, which the C2PA profile requires.
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=valid_days))
    )


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates and CRLs only; the signer signs claims only (keyCertSign on a
    non-CA with digitalSignature is rejected by c2pa-rs, so keep each minimal)."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # PKCS#8 is the form c2pa-rs's signer loads for ES256 keys.
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    # Create with 0600 from the start so the key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply when the file already existed
