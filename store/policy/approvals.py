"""Written decisions (approve / reject, issue 4) and reports (`prov reported`, issue 7) on
versions, and the risk and approval state of a version. The session is the caller's; nothing
here commits.

An approval covers exactly the version it names: a changed file is a new version and needs a
new one. Decisions are append-only; the standing one is the latest, and a decision on the
whole version (no rule id) supersedes every earlier decision on that version. Rule-scoped
approvals add up: the version is approved once every rule at its outcome has one.

A report says the version's intended use was shared with the studio contact, which the
guidance expects even when the risk is low: a `socialize` version is `to-report` until it has
one (or an approval). A report never approves anything and never supersedes a decision.

Readings (issue 8): re-reading unchanged bytes (`scan --force`, new trust anchors) records a
new row of the same content version (versions.content_seq). The decisions on the earlier
readings of that content carry over, each covering the rules it covered: a rule approval its
rule, a whole-version approval or a report every rule that fired for the reading it was made
on. A new reading that fires a rule none of them covered needs a decision on that rule only;
a rejection carries whatever the rules. Changed bytes are a new content version: nothing
carries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from provenance.errors import EXIT_USAGE, ProvError
from provenance.policy import Outcome, Policy
from store.audit.chain import EventKind, append_event
from store.audit.rows import row_ref
from store.catalog.models import ClassificationRow, DecisionRow, PathEntry, Version
from store.read.queries import ORPHAN_SIDECAR

APPROVE, REJECT, REPORT = "approve", "reject", "report"
NOT_CLASSIFIED = "not classified yet: run `prov classify`"


class DecisionError(ProvError, ValueError):
    """A decision that cannot be recorded; the message says why, the hint what to do (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Carried:
    """A decision on an earlier reading of the same content (issue 8) and the rule ids it
    covers: its rule, or (whole version, report) every rule that fired for that reading."""

    decision: DecisionRow
    covers: frozenset[str]


# A decision and what it covers; None: everything (a decision on this very reading).
_Scoped = tuple[DecisionRow, frozenset[str] | None]


@dataclass(frozen=True)
class PolicyState:
    """A version's current classification (None: never classified), its decisions, and
    those carried from earlier readings of the same content."""

    classification: ClassificationRow | None
    decisions: tuple[DecisionRow, ...] = ()
    carried: tuple[Carried, ...] = ()

    @property
    def outcome(self) -> Outcome | None:
        """None when the version has no usable classification: it fails every gate."""
        c = self.classification
        return Outcome(c.outcome) if c is not None and c.outcome else None

    def fired(self, threshold: Outcome = Outcome.ESCALATE) -> list[str]:
        """Ids of the fired rules at or above `threshold`."""
        rules = self.classification.rules if self.classification else []
        return [r["id"] for r in rules if Outcome(r["outcome"]) >= threshold]

    @property
    def awaits_decision(self) -> bool:
        return self.outcome is None or self.outcome >= Outcome.ESCALATE

    def risk(self) -> dict[str, Any]:
        """The `risk` key of the JSON record (README "JSON record")."""
        c = self.classification
        if c is None:
            return {**_NO_RISK, "error": NOT_CLASSIFIED}
        return {
            "outcome": c.outcome,
            "unverified": c.unverified,
            "involvement": c.involvement,
            "rules": list(c.rules),
            "policy": {"id": c.policy_id, "version": c.policy_version},
            "role": c.role,
            "classified_at": c.created_at.isoformat(),
            "error": c.error,
        }

    def approval(self) -> dict[str, Any]:
        """The `approval` key: state approved | rejected | pending | to-report | reported |
        not-needed, and who decided (or reported), on which document, when, for which rule
        (null: the whole version) and, for a report, to whom."""
        scoped = self._scoped()
        standing = _standing(item for item in scoped if item[0].decision != REPORT)
        rejected = [d for d, _covers in standing.values() if d.decision == REJECT]
        if rejected:
            return _decided("rejected", max(rejected, key=lambda d: d.id))
        # The rules that set the outcome need approvals: for an approval-required version,
        # its AA-* triggers (its escalations go with them).
        needed = set(self.fired(self.outcome)) if self.outcome else set()
        whole = standing.get(None)
        if whole is not None and _covers(whole, needed):
            return _decided("approved", whole[0])
        if needed and self._shared_or_decided and needed <= _covered(standing):
            used = [d for rule, (d, _c) in standing.items() if rule is None or rule in needed]
            latest = max(used, key=lambda d: d.id)
            return {**_decided("approved", latest), "rule": ",".join(sorted(needed))}
        if self.outcome == Outcome.SOCIALIZE:
            reports = [d for d, c in scoped if d.decision == REPORT and _covers((d, c), needed)]
            if reports:
                return _decided("reported", max(reports, key=lambda d: d.id))
            return _undecided("to-report")
        return _undecided("pending" if self.awaits_decision else "not-needed")

    @property
    def all_decisions(self) -> tuple[DecisionRow, ...]:
        """Every decision that counts for this version, its own and those carried from its
        earlier readings (issue 8), oldest first: what `prov show` lists."""
        carried = (c.decision for c in self.carried)
        return tuple(sorted((*carried, *self.decisions), key=lambda d: d.id))

    def _scoped(self) -> list[_Scoped]:
        own: list[_Scoped] = [(d, None) for d in self.decisions]
        return own + [(c.decision, c.covers) for c in self.carried]

    @property
    def _shared_or_decided(self) -> bool:
        """Outcomes that rule approvals clear: escalations, and socialize (an approval also
        records that the use was shared)."""
        return self.outcome is not None and self.outcome >= Outcome.SOCIALIZE

    def passes(self, threshold: Outcome) -> bool:
        """Whether the delivery gate at `threshold` lets this version through. Fails closed:
        an unclassified or rejected version never passes, whatever the threshold; one at or
        above it needs an approval, or, for socialize, a report (never for escalations)."""
        state = self.approval()["state"]
        if self.outcome is None or state == "rejected":
            return False
        return self.outcome < threshold or state in ("approved", "reported")


_NO_RISK: dict[str, Any] = {
    "outcome": None,
    "unverified": None,
    "involvement": None,
    "rules": [],
    "policy": None,
    "role": None,
    "classified_at": None,
}


def _standing(decisions: Iterable[_Scoped]) -> dict[str | None, _Scoped]:
    """The decision standing per scope (None = whole version), oldest to newest."""
    standing: dict[str | None, _Scoped] = {}
    for item in sorted(decisions, key=lambda item: item[0].id):
        if item[0].rule_id is None:
            standing.clear()  # a decision on the whole version supersedes the earlier ones
        standing[item[0].rule_id] = item
    return standing


def _covers(item: _Scoped, needed: set[str]) -> bool:
    """Whether a decision covers every rule in `needed` (its own reading's: always)."""
    return item[1] is None or needed <= item[1]


def _covered(standing: dict[str | None, _Scoped]) -> set[str]:
    """Every rule the standing approvals cover: rule approvals their rule, a whole-version
    approval carried from an earlier reading the rules that fired for that reading."""
    covered = {rule for rule in standing if rule is not None}
    whole = standing.get(None)
    if whole is not None and whole[1] is not None:
        covered |= whole[1]
    return covered


def _decided(state: str, decision: DecisionRow) -> dict[str, Any]:
    return {
        "state": state,
        "by": decision.decided_by,
        "ref": decision.reference,
        "at": decision.created_at.isoformat(),
        "rule": decision.rule_id,
        "note": decision.note,
        "to": decision.reported_to,
    }


def _undecided(state: str) -> dict[str, Any]:
    return {"state": state, **dict.fromkeys(("by", "ref", "at", "rule", "note", "to"))}


def decision_record(decision: DecisionRow) -> dict[str, Any]:
    return {**_decided(decision.decision, decision), "sha256": decision.sha256}


# --- loading ---------------------------------------------------------------------------------


def policy_states(session: Session, version_ids: Sequence[int]) -> dict[int, PolicyState]:
    """The state of each version, in three queries (four when decisions carry over)."""
    if not version_ids:
        return {}
    classifications = latest_classifications(session, version_ids)
    decisions: dict[int, list[DecisionRow]] = defaultdict(list)
    query = select(DecisionRow).where(DecisionRow.version_id.in_(version_ids))
    for decision in session.scalars(query.order_by(DecisionRow.id)):
        decisions[decision.version_id].append(decision)
    carried = carried_decisions(session, version_ids)
    return {
        i: PolicyState(classifications.get(i), tuple(decisions.get(i, ())), carried.get(i, ()))
        for i in version_ids
    }


def latest_classifications(
    session: Session, version_ids: Iterable[int]
) -> dict[int, ClassificationRow]:
    """The current classification of each version that has one."""
    latest = (
        select(func.max(ClassificationRow.id))
        .where(ClassificationRow.version_id.in_(list(version_ids)))
        .group_by(ClassificationRow.version_id)
    )
    rows = session.scalars(select(ClassificationRow).where(ClassificationRow.id.in_(latest)))
    return {row.version_id: row for row in rows}


def carried_decisions(
    session: Session, version_ids: Sequence[int]
) -> dict[int, tuple[Carried, ...]]:
    """Per version, the decisions on the earlier readings of its content (same path, same
    content version, same SHA-256, on the decision too), each with the rules it covers."""
    this, earlier = aliased(Version), aliased(Version)
    query = (
        select(this.id, DecisionRow)
        .join(
            earlier,
            and_(
                earlier.path_id == this.path_id,
                # rows before migration 0006 (NULL) are content versions of their own
                func.coalesce(earlier.content_seq, earlier.seq)
                == func.coalesce(this.content_seq, this.seq),
                earlier.seq < this.seq,
                earlier.sha256 == this.sha256,
            ),
        )
        .join(
            DecisionRow,
            and_(DecisionRow.version_id == earlier.id, DecisionRow.sha256 == this.sha256),
        )
        .where(this.id.in_(version_ids))
        .order_by(DecisionRow.id)
    )
    found = list(session.execute(query))
    if not found:
        return {}
    rules = _fired_by_version(session, {d.version_id for _i, d in found})
    carried: dict[int, list[Carried]] = defaultdict(list)
    for version_id, decision in found:
        covers = rules.get(decision.version_id, frozenset())
        if decision.rule_id is not None and decision.decision != REPORT:
            covers = frozenset({decision.rule_id})
        carried[version_id].append(Carried(decision, covers))
    return {i: tuple(items) for i, items in carried.items()}


def _fired_by_version(session: Session, version_ids: set[int]) -> dict[int, frozenset[str]]:
    """The ids of every rule that fired in each version's current classification."""
    rows = latest_classifications(session, version_ids)
    return {i: frozenset(r["id"] for r in row.rules or []) for i, row in rows.items()}


def state_of(session: Session, version_id: int) -> PolicyState:
    return policy_states(session, [version_id])[version_id]


def with_states(
    session: Session, rows: Iterable[tuple[PathEntry, Version]], batch: int = 500
) -> Iterator[tuple[PathEntry, Version, PolicyState]]:
    """Each (entry, version) with its state, loaded a batch at a time (listings stream)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch)):
        states = policy_states(session, [version.id for _entry, version in chunk])
        for entry, version in chunk:
            yield entry, version, states[version.id]


# --- recording -------------------------------------------------------------------------------


def record_decision(
    session: Session,
    entry: PathEntry,
    version: Version,
    *,
    decision: str,
    by: str,
    ref: str,
    policy: Policy,
    rule_id: str | None = None,
    note: str | None = None,
) -> DecisionRow:
    """Append an approval or rejection of `version` (the path's current one) and its event."""
    if not by.strip() or not ref.strip():
        raise DecisionError("a decision needs who made it (--by) and its document (--ref)")
    _not_orphan(entry)
    if rule_id is not None:
        _check_rule(rule_id, state_of(session, version.id), policy, entry.path)
    row = DecisionRow(
        version_id=version.id,
        sha256=version.sha256,
        decision=decision,
        decided_by=by.strip(),
        reference=ref.strip(),
        rule_id=rule_id,
        note=note,
    )
    kind = EventKind.APPROVE if decision == APPROVE else EventKind.REJECT
    return _append(session, entry, version, row, kind)


def record_report(
    session: Session,
    entry: PathEntry,
    version: Version,
    *,
    to: str,
    ref: str,
    by: str,
    note: str | None = None,
) -> DecisionRow:
    """Append a report that the intended use of `version` (the path's current one) was shared
    with `to`, and its event. It clears a socialize version; it approves nothing."""
    if not to.strip() or not ref.strip() or not by.strip():
        raise DecisionError(
            "a report needs to whom it went (--to), its reference (--ref) and who sent it (--by)"
        )
    _not_orphan(entry)
    row = DecisionRow(
        version_id=version.id,
        sha256=version.sha256,
        decision=REPORT,
        decided_by=by.strip(),
        reference=ref.strip(),
        reported_to=to.strip(),
        note=note,
    )
    return _append(session, entry, version, row, EventKind.REPORT)


def _append(
    session: Session, entry: PathEntry, version: Version, row: DecisionRow, kind: EventKind
) -> DecisionRow:
    """Add the decision row and the audit event that vouches for it (store.audit.rows.row_ref)."""
    session.add(row)
    session.flush()
    payload = {**decision_record(row), "version": version.seq, "row": row_ref(row)}
    payload.pop("at")  # the event's own created_at says when
    append_event(session, kind, target=entry.path, sha256=version.sha256, payload=payload)
    return row


def _not_orphan(entry: PathEntry) -> None:
    """An orphan sidecar has no risk of its own to decide on (issue 8): its asset is missing."""
    if entry.kind == ORPHAN_SIDECAR:
        raise DecisionError(
            f"{entry.path} is an orphan sidecar: not an asset, nothing to decide on",
            hint="deliver its asset beside it, under the same name, scan, and decide on that",
        )


def _check_rule(rule_id: str, state: PolicyState, policy: Policy, path: str) -> None:
    """A rule-scoped decision must name a rule of the policy that fired for this version."""
    if policy.rule(rule_id) is None:
        known = ", ".join(r.id for r in policy.rules)
        raise DecisionError(f"unknown rule id {rule_id!r}", hint=f"rule ids: {known}")
    fired = state.fired(Outcome.NONE)
    if rule_id not in fired:
        raise DecisionError(
            f"rule {rule_id} did not fire for the current version of {path}",
            hint=f"rules that fired: {', '.join(fired) or 'none'} (see `prov show`)",
        )
