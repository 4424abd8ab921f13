"""Shared fixtures: one dev PKI per test session (key generation is the slow part) and a
helper that writes a small signed JPEG."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from provenance.c2pa_io import (
    IngredientSpec,
    SigningKey,
    action,
    manifest_definition,
    sign_embedded,
)
from provenance.devca import make_dev_ca, make_signing_cert


@dataclass(frozen=True)
class DevPki:
    ca_pem: bytes  # the trust anchor
    key: SigningKey


@pytest.fixture(scope="session")
def dev_pki() -> DevPki:
    ca = make_dev_ca()
    signer = make_signing_cert(ca)
    return DevPki(ca.cert_pem, SigningKey(signer.cert_chain_pem, signer.private_key_pem))


def write_jpeg(path: Path, color: tuple[int, int, int] = (90, 120, 200)) -> Path:
    Image.new("RGB", (48, 32), color).save(path, "JPEG", quality=85)
    return path


SignJpeg = Callable[..., Path]


@pytest.fixture
def sign_jpeg(dev_pki: DevPki, tmp_path: Path) -> SignJpeg:
    """sign_jpeg(name, actions=..., ingredients=...) -> path of a signed JPEG in tmp_path.
    Defaults to a camera capture (`c2pa.created` + digitalCapture)."""

    def sign(
        name: str = "signed.jpg",
        *,
        actions: list[dict[str, Any]] | None = None,
        ingredients: Sequence[IngredientSpec] = (),
        color: tuple[int, int, int] = (90, 120, 200),
    ) -> Path:
        source = write_jpeg(tmp_path / f"unsigned_{name}", color)
        dest = tmp_path / name
        default = [action("c2pa.created", digital_source_type="digitalCapture")]
        manifest = manifest_definition(name, actions=actions or default)
        sign_embedded(
            source, dest, manifest, dev_pki.key, media_type="image/jpeg", ingredients=ingredients
        )
        return dest

    return sign


pytest_plugins = ["tests.fixtures_db"]
