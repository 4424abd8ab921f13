"""Issue 8: readings and content versions. A re-read of unchanged bytes is a new reading of
the same content version (versions.content_seq); decisions on earlier readings carry over,
each covering the rules it covered (store/policy/approvals.py), and the audit log covers the column."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from provenance.analyze import Analyzer
from provenance.c2pa_io import ReaderSettings, action
from provenance.policy import Outcome
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import ClassificationRow, DecisionRow, Version
from store.catalog.paths import get_path, path_key
from store.ingest import ingest_path
from store.policy.approvals import Carried, PolicyState, record_decision
from store.policy.classify import default_inputs
from tests.conftest import DevPki, SignJpeg

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _classified(outcome: Outcome, *rules: tuple[str, Outcome]) -> ClassificationRow:
    return ClassificationRow(
        id=1,
        outcome=str(outcome),
        rules=[{"id": rule, "outcome": str(level)} for rule, level in rules],
        created_at=NOW,
    )


def _decision(i: int, decision: str = "approve", rule: str | None = None) -> DecisionRow:
    return DecisionRow(
        id=i,
        decision=decision,
        decided_by="M. Ortiz",
        reference=f"LEGAL-{i}",
        rule_id=rule,
        created_at=NOW,
    )


ESCALATED = _classified(
    Outcome.ESCALATE, ("PV-GENAI", Outcome.SOCIALIZE), ("GP-4", Outcome.ESCALATE)
)
REQUIRED = _classified(
    Outcome.APPROVAL_REQUIRED,
    ("PV-GENAI", Outcome.SOCIALIZE),
    ("GP-4", Outcome.ESCALATE),
    ("AA-FINAL", Outcome.APPROVAL_REQUIRED),
)
EARLIER_RULES = frozenset({"PV-GENAI", "GP-4"})


def _state(classification: ClassificationRow, *carried: Carried, own: Any = ()) -> str:
    return str(PolicyState(classification, tuple(own), carried).approval()["state"])


def test_a_carried_whole_approval_covers_the_rules_of_its_reading() -> None:
    carried = Carried(_decision(1), EARLIER_RULES)
    assert _state(ESCALATED, carried) == "approved"
    assert _state(REQUIRED, carried) == "pending"  # AA-FINAL is new: not covered
    # an approval of that one rule completes it
    assert _state(REQUIRED, carried, own=[_decision(2, rule="AA-FINAL")]) == "approved"
    assert _state(ESCALATED) == "pending"  # and nothing carried: nothing approved


def test_a_carried_rule_approval_covers_its_rule_only() -> None:
    carried = Carried(_decision(1, rule="AA-FINAL"), frozenset({"AA-FINAL"}))
    assert _state(REQUIRED, carried) == "approved"
    assert _state(ESCALATED, carried) == "pending"  # GP-4 was never approved


def test_a_carried_rejection_stands_whatever_the_rules() -> None:
    carried = Carried(_decision(1, "reject"), frozenset())
    assert _state(ESCALATED, carried) == "rejected"
    assert _state(ESCALATED, carried, own=[_decision(2)]) == "approved"  # a later approval


def test_a_carried_report_clears_socialize_only_for_the_rules_reported() -> None:
    social = _classified(Outcome.SOCIALIZE, ("PV-GENAI", Outcome.SOCIALIZE))
    more = _classified(
        Outcome.SOCIALIZE, ("PV-GENAI", Outcome.SOCIALIZE), ("UC-IDEATION", Outcome.SOCIALIZE)
    )
    report = Carried(_decision(1, "report"), frozenset({"PV-GENAI"}))
    assert _state(social, report) == "reported"
    assert _state(more, report) == "to-report"


def _newest_version(catalog: Catalog) -> Version:
    with catalog.session() as session:
        query = select(Version).order_by(Version.id.desc()).limit(1)
        return session.scalars(query).one()


def test_content_seq_is_covered_by_the_audit_log(
    catalog: Catalog, dev_pki: DevPki, sign_jpeg: SignJpeg
) -> None:
    still = sign_jpeg("gen.jpg", actions=GENERATED)
    ingest_path(still, catalog=catalog, analyzer=Analyzer())
    trusted = Analyzer(ReaderSettings(trust_anchors_pem=dev_pki.ca_pem.decode()))
    outcome = ingest_path(still, catalog=catalog, analyzer=trusted, force=True)
    assert (outcome.record["version"], outcome.record["reading"]) == (1, 2)
    newest = _newest_version(catalog)
    with catalog.session() as session:
        assert check_rows_against_log(session) == []
    with catalog.transaction() as session:
        session.execute(update(Version).where(Version.id == newest.id).values(content_seq=7))
    with catalog.session() as session:
        problems = check_rows_against_log(session)
    assert len(problems) == 1
    assert problems[0].startswith(f"versions row {newest.id} differs from what event")


def test_a_row_from_before_0006_is_its_own_content_version_and_its_approval_carries(
    catalog: Catalog, dev_pki: DevPki, sign_jpeg: SignJpeg
) -> None:
    still = sign_jpeg("gen.jpg", actions=GENERATED)
    ingest_path(still, catalog=catalog, analyzer=Analyzer())
    with catalog.transaction() as session:  # as migration 0006 leaves an existing row
        session.execute(update(Version).values(content_seq=None))
    with catalog.transaction() as session:
        entry = get_path(session, path_key(still))
        assert entry is not None and entry.current_version is not None
        record_decision(
            session,
            entry,
            entry.current_version,
            decision="approve",
            by="M. Ortiz",
            ref="LEGAL-1",
            policy=default_inputs().policy,
        )
    trusted = Analyzer(ReaderSettings(trust_anchors_pem=dev_pki.ca_pem.decode()))
    outcome = ingest_path(still, catalog=catalog, analyzer=trusted, force=True)
    assert (outcome.record["version"], outcome.record["reading"]) == (1, 2)
    assert outcome.record["approval"]["state"] == "approved"
