"""Issue 7: reports (`prov reported`) and the approval state they give, against a real catalog
(SQLite and PostgreSQL), and the state machine of PolicyState table by table."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from provenance.policy import (
    FolderRole,
    Outcome,
    ProductionConfig,
    ProductionKind,
    load_policy,
    load_tool_registry,
)
from store.audit.chain import canonical_json, verify_chain
from store.audit.rows import check_rows_against_log, row_digest
from store.catalog.db import Catalog
from store.catalog.models import ClassificationRow, DecisionRow, PathEntry
from store.ingest import ingest_path
from store.policy.approvals import (
    APPROVE,
    REJECT,
    REPORT,
    DecisionError,
    PolicyState,
    record_decision,
    record_report,
    state_of,
)
from store.policy.classify import PolicyInputs
from tests.conftest import SignJpeg
from tests.integration.test_scenarios import CLEAR_DECLARATION

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SOCIALIZE_RULES = [{"id": "PV-GENAI", "outcome": "socialize"}]
ESCALATE_RULES = [*SOCIALIZE_RULES, {"id": "GP-4", "outcome": "escalate"}]


def _state(
    outcome: str | None, rules: list[dict[str, str]], *decisions: DecisionRow
) -> PolicyState:
    row = ClassificationRow(outcome=outcome, rules=rules, created_at=WHEN)
    return PolicyState(row, decisions)


def _decision(n: int, kind: str, rule: str | None = None) -> DecisionRow:
    to = "A. Chen" if kind == REPORT else None
    return DecisionRow(
        id=n, decision=kind, decided_by="J", reference=f"R-{n}", rule_id=rule, reported_to=to,
        created_at=WHEN,
    )  # fmt: skip


ALL = {"socialize", "escalate", "approval-required"}


@pytest.mark.parametrize(
    ("outcome", "rules", "decisions", "state", "passes_at"),
    [
        ("none", [], (), "not-needed", ALL),
        ("none", [], (_decision(1, REPORT),), "not-needed", ALL),
        ("socialize", SOCIALIZE_RULES, (), "to-report", {"escalate", "approval-required"}),
        ("socialize", SOCIALIZE_RULES, (_decision(1, REPORT),), "reported", ALL),
        ("socialize", SOCIALIZE_RULES, (_decision(1, APPROVE),), "approved", ALL),
        ("socialize", SOCIALIZE_RULES, (_decision(1, APPROVE, "PV-GENAI"),), "approved", ALL),
        ("socialize", SOCIALIZE_RULES, (_decision(1, REJECT),), "rejected", set()),
        # a report after a rejection does not lift it; an approval after one does
        ("socialize", SOCIALIZE_RULES, (_decision(1, REJECT), _decision(2, REPORT)), "rejected", set()),
        ("socialize", SOCIALIZE_RULES, (_decision(1, REJECT), _decision(2, APPROVE)), "approved", ALL),
        # a report never approves an escalation, and never supersedes a decision
        ("escalate", ESCALATE_RULES, (), "pending", {"approval-required"}),
        ("escalate", ESCALATE_RULES, (_decision(1, REPORT),), "pending", {"approval-required"}),
        ("escalate", ESCALATE_RULES, (_decision(1, APPROVE), _decision(2, REPORT)), "approved", ALL),
        # unclassified: fails every gate, a report changes nothing
        (None, [], (_decision(1, REPORT),), "pending", set()),
    ],
)  # fmt: skip
def test_approval_state_and_the_gate(
    outcome: str | None,
    rules: list[dict[str, str]],
    decisions: tuple[DecisionRow, ...],
    state: str,
    passes_at: set[str],
) -> None:
    policy_state = _state(outcome, rules, *decisions)
    assert policy_state.approval()["state"] == state
    levels = (Outcome.SOCIALIZE, Outcome.ESCALATE, Outcome.APPROVAL_REQUIRED)
    assert {str(level) for level in levels if policy_state.passes(level)} == passes_at


def test_reported_state_names_the_latest_report() -> None:
    approval = _state("socialize", SOCIALIZE_RULES, _decision(1, REPORT), _decision(2, REPORT))
    assert approval.approval() == {
        "state": "reported",
        "by": "J",
        "ref": "R-2",
        "at": WHEN.isoformat(),
        "rule": None,
        "note": None,
        "to": "A. Chen",
    }


# --- against a real catalog -------------------------------------------------------------------


@pytest.fixture
def ideation_board(catalog: Catalog, sign_jpeg: SignJpeg, tmp_path: Path) -> PathEntry:
    """A generated image in an ideation folder, declared: socialize."""
    folder = tmp_path / "ideation"
    folder.mkdir()
    (folder / "genai-declaration.toml").write_text(CLEAR_DECLARATION, encoding="utf-8")
    firefly = action(
        "c2pa.created",
        digital_source_type="trainedAlgorithmicMedia",
        software_agent="Adobe Firefly",
    )
    path = sign_jpeg("board.jpg", actions=[firefly]).rename(folder / "board.jpg")
    production = ProductionConfig(
        "T", ProductionKind.SCRIPTED, (("ideation/**", FolderRole.IDEATION),)
    )
    inputs = PolicyInputs(load_policy(), load_tool_registry(), production)
    ingest_path(path, catalog=catalog, analyzer=Analyzer(), policy=inputs)
    with catalog.session() as session:
        entry = session.scalars(select(PathEntry)).one()
        assert entry.current_version_id is not None
        assert state_of(session, entry.current_version_id).outcome == Outcome.SOCIALIZE
    return entry


def test_record_report_appends_a_row_and_an_event_the_log_vouches_for(
    catalog: Catalog, ideation_board: PathEntry
) -> None:
    with catalog.transaction() as session:
        entry = session.get(PathEntry, ideation_board.id)
        assert entry is not None and entry.current_version is not None
        version = entry.current_version
        row = record_report(session, entry, version, to=" A. Chen ", ref="M-1", by="J")
        assert (row.decision, row.reported_to, row.rule_id) == ("report", "A. Chen", None)
        with pytest.raises(DecisionError, match="--to"):
            record_report(session, entry, version, to="", ref="M-1", by="J")
        record_decision(session, entry, version, decision=APPROVE, by="L", ref="L-1",
                        policy=load_policy())  # fmt: skip
    with catalog.session() as session:
        assert state_of(session, version.id).approval()["state"] == "approved"
        assert verify_chain(session).ok and check_rows_against_log(session) == []


def test_approval_digests_are_the_same_as_before_reported_to_existed(
    catalog: Catalog, ideation_board: PathEntry
) -> None:
    """Catalogs upgraded from 0004 keep verifying: their decision events hold digests
    computed over the seven columns decisions had then."""
    with catalog.transaction() as session:
        entry = session.get(PathEntry, ideation_board.id)
        assert entry is not None and entry.current_version is not None
        row = record_decision(session, entry, entry.current_version, decision=APPROVE,
                              by="L", ref="L-1", policy=load_policy(), note="n")  # fmt: skip
        old_columns = ("version_id", "sha256", "decision", "decided_by", "reference", "rule_id")
        before = {name: getattr(row, name) for name in (*old_columns, "note")}
        expected = hashlib.sha256(canonical_json(before).encode("utf-8")).hexdigest()
        assert row_digest("decisions", row) == expected
        report = record_report(session, entry, entry.current_version, to="A", ref="M", by="J")
        assert row_digest("decisions", report) != row_digest(
            "decisions", DecisionRow(**{**_columns(report), "reported_to": None})
        )


def _columns(row: DecisionRow) -> dict[str, object]:
    names = ("version_id", "sha256", "decision", "decided_by", "reference", "rule_id", "note")
    return {name: getattr(row, name) for name in names}
