"""Provenance rules on credentials that cannot certify anything (issue 7). Pure.

PV-INVALID: credentials present but failing validation (state Invalid, or a failure code
that is more than an untrusted signer, in any reading, ingredients included), broken
(status `error`: pre-release or malformed manifests, an unreadable sidecar) or a file that
could not be read at all (status `unreadable`): fail closed. PV-INVALID-FINAL: the same in a
final-deliverable folder. PV-REMOTE: a manifest only referenced by URL and not fetched.
None of them needs genAI: a tampered camera plate must not pass a gate as "none".
"""

from __future__ import annotations

from provenance.credentials import explain_code
from provenance.model import FileStatus
from provenance.policy.facts import Facts, role_evidence
from provenance.policy.model import CredentialFacts, CredentialReading, FolderRole
from provenance.policy.registry import Finding, rule

CREDENTIAL_RULE_IDS = frozenset({"PV-INVALID", "PV-INVALID-FINAL", "PV-REMOTE"})


@rule("PV-INVALID", needs_genai=False)
def pv_invalid(f: Facts) -> Finding | None:
    return invalid_finding(f.credentials)


@rule("PV-INVALID-FINAL", needs_genai=False)
def pv_invalid_final(f: Facts) -> Finding | None:
    found = invalid_finding(f.credentials)
    if found is None or f.role is not FolderRole.FINAL:
        return None
    return Finding(
        f"in a final-deliverable folder, {found.reason}", (role_evidence(f), *found.evidence)
    )


@rule("PV-REMOTE", needs_genai=False)
def pv_remote(f: Facts) -> Finding | None:
    remote = f.credentials.remote if f.credentials else ()
    if not remote:
        return None
    urls = [r.remote_url or "an address the file does not give" for r in remote]
    return Finding(
        f"the manifest is only referenced remotely, at {', '.join(urls)}, and was not "
        "fetched: the credentials are unverified (not absent)",
        tuple(f"remote manifest: {url}" for url in urls),
    )


def invalid_finding(c: CredentialFacts | None) -> Finding | None:
    """PV-INVALID's finding: why the credentials cannot certify anything, the failure codes
    in words as evidence; None when they verify (or nothing is known about them)."""
    if c is None:
        return None
    reasons: list[str] = []
    evidence: list[str] = []
    if c.broken:
        reasons.append(_broken_reason(c))
        evidence.append(f"file status: {c.status}" + (f" ({c.reason})" if c.reason else ""))
    for reading in c.failing:
        reasons.append(f"the {reading.where} fail validation ({_in_words(reading)})")
        evidence += _code_lines(reading)
    if not reasons:
        return None
    if c.reason and not c.broken:  # e.g. "orphan sidecar: no asset with the same name beside it"
        evidence.append(f"reading: {c.reason}")
    return Finding("; ".join(reasons), tuple(evidence))


def _broken_reason(c: CredentialFacts) -> str:
    what = (
        "the file could not be read, so its credentials cannot be verified"
        if c.status is FileStatus.UNREADABLE
        else "the credentials are present but broken, so they cannot be verified"
    )
    return f"{what}: {c.reason}" if c.reason else what


def _in_words(reading: CredentialReading) -> str:
    words = [explain_code(code) for code in reading.failures]
    return "; ".join(words) or f"validation state {reading.validation_state}"


def _code_lines(reading: CredentialReading) -> list[str]:
    state = reading.validation_state or "not given"
    lines = [f"{reading.where}: validation state {state}"]
    lines += [f"{reading.where}: {code}: {explain_code(code)}" for code in reading.failure_codes]
    return lines
