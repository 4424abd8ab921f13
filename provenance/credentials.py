"""Summarise a manifest store (c2pa-python's Reader.json()) into a CredentialSummary. Pure.

What a manifest says (its claim generator, ingredients, actions) is read through
manifest.assertions, the accessors detection and `prov show` use; this module adds the
validation codes, the signer and how far the store can be relied on.

Every field of a real-world manifest may be missing or of the wrong type: hostile input
never raises here, it just yields fewer facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from provenance.manifest.assertions import active_manifest, claim_generator, ingredients_of
from provenance.model import (
    CredentialLocation,
    CredentialSummary,
    Signer,
    Strength,
    ValidationState,
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def validation_codes(store: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(failure codes, informational codes); ingredient failures are prefixed `ingredient:`."""
    results = _dict(store.get("validation_results"))
    if not results:
        return _legacy_status_codes(store), ()
    active = _dict(results.get("activeManifest"))
    failures = _codes(active.get("failure"))
    informational = _codes(active.get("informational"))
    for delta in _list(results.get("ingredientDeltas")):
        deltas = _dict(_dict(delta).get("validationDeltas"))
        failures += tuple(f"ingredient:{code}" for code in _codes(deltas.get("failure")))
    return _unique(failures), _unique(informational)


# Codes that do not make a credential fail. Since late 2025 an untrusted signer is reported as a
# failure next to a Valid state (DOMAIN.md section 4); the others are informational in
# c2pa-rs >= 0.40 but appear in older `validation_status` lists.
NOT_FAILURES = frozenset(
    {
        "signingCredential.untrusted",
        "signingCredential.ocsp.skipped",
        "cawg.x509.credential.untrusted",  # the CAWG identity's signer: untrusted, not broken
        "ingredient.unknownProvenance",
        "timeStamp.mismatch",
        "timeStamp.untrusted",
    }
)
# Older writers mix success codes into `validation_status` lists.
_SUCCESS_SUFFIXES = (".match", ".validated", ".trusted", ".insideValidity", ".notRevoked")


def is_failure_code(code: str) -> bool:
    """Whether a validation code means the credential (or, `ingredient:`-prefixed, one of its
    ingredients' credentials) does not verify: anything but an untrusted signer, an offline
    revocation check and the like."""
    base = code.removeprefix("ingredient:")
    return base not in NOT_FAILURES and not base.endswith(_SUCCESS_SUFFIXES)


def real_failures(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The codes of `codes` that mean a failed verification (is_failure_code)."""
    return tuple(code for code in codes if isinstance(code, str) and is_failure_code(code))


def store_strength(store: object, validation_state: str | None) -> Strength:
    """How far claims in a manifest store can be relied on as a whole: signed-and-valid only
    when the reader said Valid or Trusted *and* the active manifest reports no failure
    (issue 7: a Valid state beside, say, assertion.dataHash.mismatch does not verify)."""
    store_dict = _dict(store)
    state = validation_state if isinstance(validation_state, str) else None
    state = state or _str(store_dict.get("validation_state"))
    # No state at all: nobody vouched for the signature, so it is not "valid".
    if state is None or state.lower() not in ("valid", "trusted"):
        return Strength.SIGNED_INVALID
    return (
        Strength.SIGNED_INVALID
        if real_failures(_own_failures(store_dict))
        else Strength.SIGNED_VALID
    )


def _own_failures(store: dict[str, Any]) -> tuple[str, ...]:
    """Failure codes of the active manifest itself. A legacy flat `validation_status` list
    mixes in the ingredients' codes: those whose URL names another manifest are left to the
    manifest graph, which weakens only that manifest (ManifestGraph.weak_nodes)."""
    results = _dict(store.get("validation_results"))
    if results:
        return _codes(_dict(results.get("activeManifest")).get("failure"))
    active = _str(store.get("active_manifest"))
    own = []
    for entry in _list(store.get("validation_status")):
        code, url = _str(_dict(entry).get("code")), _str(_dict(entry).get("url")) or ""
        names_other = "/c2pa/" in url and (active is None or f"/c2pa/{active}" not in url)
        if code and not names_other:
            own.append(code)
    return tuple(own)


def _legacy_status_codes(store: dict[str, Any]) -> tuple[str, ...]:
    return _unique(_codes(store.get("validation_status")))


def _codes(entries: Any) -> tuple[str, ...]:
    return tuple(
        code for entry in _list(entries) if (code := _str(_dict(entry).get("code"))) is not None
    )


def _unique(codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def parse_state(value: str | None) -> ValidationState | None:
    try:
        return ValidationState(value) if value else None
    except ValueError:
        return None


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def summarize_manifest_store(
    store: dict[str, Any],
    validation_state: str | None,
    *,
    location: CredentialLocation,
    remote_url: str | None = None,
    sidecar_path: str | None = None,
) -> CredentialSummary:
    """The facts the catalog keeps about a manifest store (issue 2, 'Stored per version')."""
    manifest = active_manifest(store)
    signature = _dict(manifest.get("signature_info"))
    failures, informational = validation_codes(store)
    return CredentialSummary(
        present=True,
        location=location,
        validation_state=parse_state(validation_state or _str(store.get("validation_state"))),
        failure_codes=failures,
        informational_codes=informational,
        active_manifest=_str(store.get("active_manifest")),
        claim_generator=claim_generator(manifest),
        signer=Signer(_str(signature.get("issuer")), _str(signature.get("common_name"))),
        signing_time=parse_time(signature.get("time")),
        manifest_count=len(_dict(store.get("manifests"))),
        ingredient_count=len(ingredients_of(manifest)),
        remote_url=remote_url,
        sidecar_path=sidecar_path,
        manifest_store=store,
    )


def remote_only(url: str | None) -> CredentialSummary:
    return CredentialSummary(present=True, location=CredentialLocation.REMOTE, remote_url=url)


# Plain-words meaning of the validation codes users meet most (C2PA spec, section 15).
CODE_EXPLANATIONS: dict[str, str] = {
    "signingCredential.untrusted": "signed by a certificate that is not on the trust list",
    "signingCredential.expired": "the signing certificate had expired and no timestamp proves "
    "it was valid when used",
    "signingCredential.revoked": "the signing certificate was revoked",
    "signingCredential.invalid": "the signing certificate does not meet the C2PA profile",
    "signingCredential.ocsp.skipped": "certificate revocation was not checked (offline)",
    "signingCredential.ocsp.unknown": "certificate revocation status is unknown",
    "claimSignature.mismatch": "the signature does not match the claim: the manifest was altered",
    "claimSignature.missing": "the claim has no signature",
    "claimSignature.outsideValidity": "signed outside the certificate's validity period",
    "assertion.dataHash.mismatch": "the file's bytes changed after signing (tampered or "
    "re-encoded)",
    "assertion.bmffHash.mismatch": "the video/ISO-BMFF data changed after signing",
    "assertion.boxesHash.mismatch": "the file's boxes changed after signing",
    "assertion.hashedURI.mismatch": "an assertion was altered after signing",
    "assertion.missing": "an assertion the claim refers to is missing",
    "assertion.action.ingredientMismatch": "an action refers to an ingredient that does not match",
    "assertion.cbor.invalid": "an assertion is malformed CBOR",
    "assertion.json.invalid": "an assertion is malformed JSON",
    "manifest.inaccessible": "the manifest could not be read",
    "manifest.multipleParents": "the manifest claims more than one parent ingredient",
    "timeStamp.mismatch": "the timestamp does not match the signature",
    "timeStamp.untrusted": "the timestamp authority is not trusted",
    "timeStamp.outsideValidity": "the timestamp is outside its certificate's validity",
    "algorithm.unsupported": "the signature uses an unsupported algorithm",
    "general.error": "the validator hit an unexpected error",
}


def explain_code(code: str) -> str:
    """A sentence for a validation code; ingredient-level codes say so."""
    base = code.removeprefix("ingredient:")
    text = CODE_EXPLANATIONS.get(base)
    if text is None:
        family = base.split(".", 1)[0]
        text = f"validation problem in {family} (see the C2PA specification for {base})"
    return f"in an ingredient: {text}" if code.startswith("ingredient:") else text
