"""A credential reading in the JSON record's shape (README "JSON record"): the one place that
shape is built, for the version's main reading and for the readings kept in
Version.extra_credentials. Apart from records.py so the catalog's path functions
(store/catalog/paths.py) can use it without importing the policy state (which imports the
audit log, which imports the path functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from provenance.model import CredentialSummary
from store.catalog.models import Version


def credentials_record(version: Version) -> dict[str, Any]:
    """The version's main reading, plus `additional`: its other readings (issue 7), each of
    the same shape (without `additional`)."""
    return {
        **_reading_record(
            present=version.cred_present,
            location=version.cred_location,
            validation_state=version.validation_state,
            failure_codes=version.failure_codes or [],
            informational_codes=version.informational_codes or [],
            signer_issuer=version.signer_issuer,
            signer_common_name=version.signer_common_name,
            signing_time=version.signing_time,
            claim_generator=version.claim_generator,
            active_manifest=version.active_manifest,
            manifest_count=version.manifest_count,
            ingredient_count=version.ingredient_count,
            remote_url=version.remote_url,
            sidecar=version.sidecar_path,
        ),
        "additional": [dict(item) for item in version.extra_credentials or []],
    }


def summary_record(summary: CredentialSummary) -> dict[str, Any]:
    """A reading not stored in columns (Version.extra_credentials), in the record's shape."""
    return _reading_record(
        present=summary.present,
        location=str(summary.location) if summary.location else None,
        validation_state=str(summary.validation_state) if summary.validation_state else None,
        failure_codes=summary.failure_codes,
        informational_codes=summary.informational_codes,
        signer_issuer=summary.signer.issuer,
        signer_common_name=summary.signer.common_name,
        signing_time=summary.signing_time,
        claim_generator=summary.claim_generator,
        active_manifest=summary.active_manifest,
        manifest_count=summary.manifest_count,
        ingredient_count=summary.ingredient_count,
        remote_url=summary.remote_url,
        sidecar=summary.sidecar_path,
    )


def _reading_record(
    *,
    present: bool,
    location: str | None,
    validation_state: str | None,
    failure_codes: Sequence[str],
    informational_codes: Sequence[str],
    signer_issuer: str | None,
    signer_common_name: str | None,
    signing_time: datetime | None,
    claim_generator: str | None,
    active_manifest: str | None,
    manifest_count: int,
    ingredient_count: int,
    remote_url: str | None,
    sidecar: str | None,
) -> dict[str, Any]:
    """The one shape of a credential reading in a record (README "JSON record")."""
    return {
        "present": present,
        "location": location,
        "validation_state": validation_state,
        "failure_codes": list(failure_codes),
        "informational_codes": list(informational_codes),
        "signer": {"issuer": signer_issuer, "common_name": signer_common_name},
        "signing_time": _iso(signing_time),
        "claim_generator": claim_generator,
        "active_manifest": active_manifest,
        "manifest_count": manifest_count,
        "ingredient_count": ingredient_count,
        "remote_url": remote_url,
        "sidecar": sidecar,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
