"""The hash-chained audit log against a real catalog: appends, verification, and tampering
done the way an insider would, with SQL straight into the database (issue 4)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select, text

from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from provenance.policy import load_policy
from store.audit.chain import GENESIS_HASH, EventKind, append_event, verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import EventRow, PathEntry
from store.ingest import ingest_path
from store.policy.approvals import record_decision
from tests.conftest import SignJpeg


def _append(catalog: Catalog, count: int, kind: EventKind = EventKind.DECLARE) -> None:
    for n in range(count):
        with catalog.transaction() as session:
            append_event(session, kind, target=f"/show/{n}", payload={"n": n, "name": "é"})


def _verify(catalog: Catalog):  # type: ignore[no-untyped-def]
    with catalog.session() as session:
        return verify_chain(session)


def _sql(catalog: Catalog, statement: str) -> None:
    with catalog.engine.begin() as connection:
        connection.execute(text(statement))


def test_chain_links_each_entry_to_the_previous_one(catalog: Catalog) -> None:
    _append(catalog, 3)
    with catalog.session() as session:
        rows = list(session.scalars(select(EventRow).order_by(EventRow.seq)))
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS_HASH
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    report = _verify(catalog)
    assert (report.ok, report.count, report.head_seq, report.head_hash) == (
        True,
        3,
        3,
        rows[-1].hash,
    )


def test_an_edited_payload_is_named(catalog: Catalog) -> None:
    _append(catalog, 4)
    if catalog.is_sqlite:
        _sql(catalog, "UPDATE events SET payload = json_set(payload, '$.n', 99) WHERE seq = 2")
    else:
        _sql(catalog, "UPDATE events SET payload = jsonb_set(payload, '{n}', '99') WHERE seq = 2")
    broken = _verify(catalog).broken
    assert broken is not None and broken.seq == 2
    assert "edited" in broken.problem


def test_a_deleted_entry_is_named(catalog: Catalog) -> None:
    _append(catalog, 4)
    _sql(catalog, "DELETE FROM events WHERE seq = 3")
    broken = _verify(catalog).broken
    assert broken is not None and broken.seq == 4
    assert "entry 3 is missing (deleted)" in broken.problem


def test_deleting_the_first_entry_is_caught(catalog: Catalog) -> None:
    _append(catalog, 2)
    _sql(catalog, "DELETE FROM events WHERE seq = 1")
    broken = _verify(catalog).broken
    assert broken is not None and broken.seq == 2 and "entry 1 is missing" in broken.problem


def test_a_renumbered_deletion_still_breaks_the_hashes(catalog: Catalog) -> None:
    # Delete entry 2 and close the gap: entry 3's prev_hash no longer points at entry 1.
    _append(catalog, 3)
    _sql(catalog, "DELETE FROM events WHERE seq = 2")
    _sql(catalog, "UPDATE events SET seq = 2 WHERE seq = 3")
    broken = _verify(catalog).broken
    assert broken is not None and broken.seq == 2 and "prev_hash" in broken.problem


def test_concurrent_appends_never_fork_the_chain(catalog: Catalog) -> None:
    # Several writers (threads with their own connections; on PostgreSQL the same holds for
    # processes: the lock is in the database) append at once.
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            _append(catalog, 8)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = _verify(catalog)
    assert report.ok and report.count == 32 and report.head_seq == 32


def _ingested_and_approved(catalog: Catalog, sign_jpeg: SignJpeg) -> Path:
    generated = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
    path = sign_jpeg("gen.jpg", actions=generated)
    ingest_path(path, catalog=catalog, analyzer=Analyzer())
    with catalog.transaction() as session:
        entry = session.scalars(select(PathEntry)).one()
        assert entry.current_version is not None
        record_decision(
            session,
            entry,
            entry.current_version,
            decision="approve",
            by="Legal",
            ref="LEGAL-1",
            policy=load_policy(),
        )
    return path


def test_rows_are_checked_against_the_events_that_recorded_them(
    catalog: Catalog, sign_jpeg: SignJpeg
) -> None:
    _ingested_and_approved(catalog, sign_jpeg)
    with catalog.session() as session:
        assert verify_chain(session).ok
        assert check_rows_against_log(session) == []
    _sql(catalog, "UPDATE decisions SET decided_by = 'Someone else' WHERE id = 1")
    _sql(catalog, "UPDATE classifications SET outcome = 'none'")
    with catalog.session() as session:
        problems = check_rows_against_log(session)
    assert any(p.startswith("decisions row 1 differs from what event") for p in problems)
    assert any(p.startswith("classifications row 1 differs") for p in problems)


def test_a_decision_inserted_or_deleted_with_sql_is_caught(
    catalog: Catalog, sign_jpeg: SignJpeg
) -> None:
    _ingested_and_approved(catalog, sign_jpeg)
    _sql(
        catalog,
        "INSERT INTO decisions (version_id, sha256, decision, decided_by, reference, created_at)"
        " SELECT version_id, sha256, 'approve', 'forger', 'none', created_at FROM decisions",
    )
    _sql(catalog, "DELETE FROM decisions WHERE id = 1")
    with catalog.session() as session:
        problems = check_rows_against_log(session)
    assert "decisions row 2 has no audit event (written outside prov)" in problems
    assert any(p.endswith("records decisions row 1, which is gone (deleted)") for p in problems)
