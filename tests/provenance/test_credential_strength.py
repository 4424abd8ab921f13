"""Issue 7: evidence is signed-and-valid only when the credentials holding it verify.

Recorded-shape manifest stores fed to the pure detect_ai: a Valid state beside a failure of
the active manifest, a legacy `validation_status` naming a failed ingredient manifest, and
manifests reached only through a failed one. AI evidence in such credentials still counts.
"""

from __future__ import annotations

from typing import Any

import pytest

from provenance.ai_detect import detect_ai
from provenance.credentials import is_failure_code, store_strength
from provenance.model import Involvement, Strength, UnsignedMetadata

TAM = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
A, B, C = "urn:c2pa:active", "urn:c2pa:parent", "urn:c2pa:grandparent"


def _manifest(label: str, dst: str, *parents: str) -> dict[str, Any]:
    action = {"action": "c2pa.created" if not parents else "c2pa.opened", "digitalSourceType": dst}
    return {
        "label": label,
        "claim_generator": f"tool of {label}",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [action]}}],
        # no ingredient `label`: the URI-matching of ingredientDeltas cannot find them
        "ingredients": [{"relationship": "parentOf", "active_manifest": p} for p in parents],
    }


def _failure(code: str, label: str) -> dict[str, str]:
    return {"code": code, "url": f"self#jumbf=/c2pa/{label}/c2pa.signature"}


UNTRUSTED = "signingCredential.untrusted"


def _strengths(store: dict[str, Any], state: str = "Valid") -> dict[str, Strength]:
    result = detect_ai(store, state, UnsignedMetadata())
    return {e.location.split(" / ")[0]: e.strength for e in result.evidence}


def test_a_valid_state_beside_a_hash_mismatch_is_not_signed_and_valid() -> None:
    store = {
        "active_manifest": A,
        "manifests": {A: _manifest(A, TAM)},
        "validation_results": {
            "activeManifest": {
                "failure": [_failure(UNTRUSTED, A), _failure("assertion.dataHash.mismatch", A)]
            }
        },
    }
    result = detect_ai(store, "Valid", UnsignedMetadata())
    assert {e.strength for e in result.evidence} == {Strength.SIGNED_INVALID}
    assert result.involvement is Involvement.GENERATED  # still counts as genAI


def test_an_untrusted_signer_alone_stays_signed_and_valid() -> None:
    store = {
        "active_manifest": A,
        "manifests": {A: _manifest(A, TAM)},
        "validation_results": {"activeManifest": {"failure": [_failure(UNTRUSTED, A)]}},
    }
    assert set(_strengths(store).values()) == {Strength.SIGNED_VALID}
    assert store_strength(store, "Trusted") is Strength.SIGNED_VALID


def test_a_legacy_status_naming_a_failed_ingredient_weakens_only_that_manifest() -> None:
    store = {
        "active_manifest": A,
        "manifests": {A: _manifest(A, CAPTURE, B), B: _manifest(B, TAM)},
        "validation_status": [_failure(UNTRUSTED, A), _failure("claimSignature.mismatch", B)],
    }
    assert _strengths(store) == {A: Strength.SIGNED_VALID, B: Strength.SIGNED_INVALID}
    assert detect_ai(store, "Valid", UnsignedMetadata()).involvement is Involvement.GENERATED


def test_manifests_reached_only_through_a_failed_one_are_weak_too() -> None:
    delta = {
        "ingredientAssertionURI": f"self#jumbf=/c2pa/{A}/c2pa.assertions/c2pa.ingredient.v3",
        "validationDeltas": {"failure": [_failure("claimSignature.mismatch", B)]},
    }
    store = {
        "active_manifest": A,
        "manifests": {
            A: _manifest(A, CAPTURE, B),
            B: _manifest(B, CAPTURE, C),
            C: _manifest(C, TAM),
        },
        "validation_results": {
            "activeManifest": {"failure": [_failure(UNTRUSTED, A)]},
            "ingredientDeltas": [delta],
        },
    }
    assert _strengths(store) == {
        A: Strength.SIGNED_VALID,
        B: Strength.SIGNED_INVALID,
        C: Strength.SIGNED_INVALID,  # its link to the asset is asserted by B's broken claim
    }


def test_an_ingredient_failure_naming_no_manifest_weakens_every_ingredient() -> None:
    delta = {"validationDeltas": {"failure": [{"code": "claimSignature.mismatch"}]}}
    store = {
        "active_manifest": A,
        "manifests": {A: _manifest(A, CAPTURE, B), B: _manifest(B, TAM)},
        "validation_results": {"activeManifest": {"failure": []}, "ingredientDeltas": [delta]},
    }
    assert _strengths(store) == {A: Strength.SIGNED_VALID, B: Strength.SIGNED_INVALID}


@pytest.mark.parametrize(
    ("code", "fails"),
    [
        ("signingCredential.untrusted", False),
        ("ingredient:signingCredential.untrusted", False),
        ("signingCredential.ocsp.skipped", False),
        ("cawg.x509.credential.untrusted", False),
        ("assertion.dataHash.match", False),
        ("assertion.dataHash.mismatch", True),
        ("ingredient:claimSignature.mismatch", True),
        ("signingCredential.expired", True),
        ("cawg.identity.hard_binding_missing", True),
    ],
)
def test_which_codes_mean_a_failed_verification(code: str, fails: bool) -> None:
    assert is_failure_code(code) is fails
