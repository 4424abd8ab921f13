"""Path rows in the audit log (issue 7): deletions, moves and returns are events, each vouching
for the path row it changed; the guards writers call before appending to the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from provenance.analyze import Analyzer
from store.audit.chain import verify_chain
from store.audit.guard import (
    AuditBroken,
    ExpectedHead,
    parse_head,
    require_head_intact,
    require_intact,
)
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import EventRow
from store.catalog.paths import mark_missing, path_key
from store.ingest import ingest_path
from store.watch.changes import mark_gone, record_move
from tests.conftest import write_jpeg


def _events(catalog: Catalog) -> list[tuple[str, str | None, dict]]:  # type: ignore[type-arg]
    with catalog.session() as session:
        rows = session.scalars(select(EventRow).order_by(EventRow.seq))
        return [(r.kind, r.target, r.payload) for r in rows]


def _clean(catalog: Catalog) -> bool:
    with catalog.session() as session:
        return verify_chain(session).ok and check_rows_against_log(session) == []


def _sql(catalog: Catalog, statement: str) -> None:
    with catalog.engine.begin() as connection:
        connection.execute(text(statement))


def test_a_deletion_a_move_and_a_return_are_logged(catalog: Catalog, tmp_path: Path) -> None:
    analyzer = Analyzer()
    gone, moved = write_jpeg(tmp_path / "gone.jpg"), write_jpeg(tmp_path / "a.jpg", (1, 1, 1))
    for path in (gone, moved):
        ingest_path(path, catalog=catalog, analyzer=analyzer)
    assert _events(catalog)[0][2]["path_row"]["table"] == "paths"  # ingest vouches for it
    data = gone.read_bytes()
    gone.unlink()
    mark_gone(gone, catalog=catalog)
    moved.rename(tmp_path / "b.jpg")
    record_move(moved, tmp_path / "b.jpg", catalog=catalog, analyzer=analyzer)
    gone.write_bytes(data)  # the same file back: no new version, but back in the gate
    ingest_path(gone, catalog=catalog, analyzer=analyzer)
    kinds = [(kind, target, payload.get("change")) for kind, target, payload in _events(catalog)]
    assert ("missing", path_key(gone), None) in kinds
    assert ("move", path_key(moved), None) in kinds
    assert kinds[-1] == ("path", path_key(gone), "back")
    assert _clean(catalog)


def test_mark_missing_is_logged(catalog: Catalog, tmp_path: Path) -> None:
    path = write_jpeg(tmp_path / "x.jpg")
    ingest_path(path, catalog=catalog, analyzer=Analyzer())
    with catalog.transaction() as session:
        assert mark_missing(session, path_key(path))
        assert not mark_missing(session, path_key(path))  # once
    assert [kind for kind, _t, _p in _events(catalog)][-1] == "missing"
    assert _clean(catalog)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE paths SET kind = 'sidecar'",
        "UPDATE paths SET current_version_id = NULL",
        "UPDATE paths SET missing_since = NULL",
        "UPDATE paths SET moved_to = NULL",
    ],
)
def test_sql_edits_of_a_path_row_are_caught(
    catalog: Catalog, tmp_path: Path, statement: str
) -> None:
    path = write_jpeg(tmp_path / "x.jpg")
    ingest_path(path, catalog=catalog, analyzer=Analyzer())
    path.rename(tmp_path / "y.jpg")
    record_move(path, tmp_path / "y.jpg", catalog=catalog, analyzer=Analyzer())
    assert _clean(catalog)
    _sql(catalog, statement + f" WHERE path = '{path_key(path)}'")
    with catalog.session() as session:
        assert any("paths row" in p and "edited" in p for p in check_rows_against_log(session))


def test_require_intact_names_the_first_problem(catalog: Catalog, tmp_path: Path) -> None:
    ingest_path(write_jpeg(tmp_path / "x.jpg"), catalog=catalog, analyzer=Analyzer())
    with catalog.session() as session:
        require_intact(session)
        require_head_intact(session)
    _sql(catalog, "UPDATE classifications SET outcome = 'escalate'")
    with catalog.session() as session, pytest.raises(AuditBroken, match="classifications row 1"):
        require_intact(session)
    _sql(catalog, "UPDATE events SET target = '/x' WHERE seq = 1")
    with catalog.session() as session, pytest.raises(AuditBroken, match=r"\(event 1: "):
        require_intact(session)


def test_the_head_check_catches_an_edited_head_and_missing_entries(
    catalog: Catalog, tmp_path: Path
) -> None:
    for n in range(2):
        ingest_path(
            write_jpeg(tmp_path / f"{n}.jpg", (n, n, n)), catalog=catalog, analyzer=Analyzer()
        )
    _sql(catalog, "UPDATE events SET target = '/x' WHERE seq = (SELECT max(seq) FROM events)")
    with catalog.session() as session, pytest.raises(AuditBroken, match="no longer matches"):
        require_head_intact(session)
    _sql(catalog, "DELETE FROM events WHERE seq = 2")
    with catalog.session() as session, pytest.raises(AuditBroken, match="entries are missing"):
        require_head_intact(session)


def test_an_empty_log_passes_the_guards(catalog: Catalog) -> None:
    with catalog.session() as session:
        require_intact(session)
        require_head_intact(session)


def test_heads_parse_in_every_form_and_garbage_does_not() -> None:
    digest = "ab" * 32
    assert parse_head(digest) == ExpectedHead(None, digest)
    assert parse_head(f"12:{digest.upper()}\n") == ExpectedHead(12, digest)
    assert parse_head(f"40 events verified; head 40 {digest}\n") == ExpectedHead(40, digest)
    assert parse_head("head 40 xyz") is None
    assert parse_head("") is None


def test_references_made_before_the_evidence_was_covered_still_verify(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.audit.rows
    import store.policy.classify

    def old_ref(row: object) -> dict:  # type: ignore[type-arg]
        ref = store.audit.rows.row_ref(row)
        if ref.pop("cols", None):  # as written before issue 7
            ref["digest"] = store.audit.rows.row_digest(ref["table"], row, 1)
        return ref

    monkeypatch.setattr(store.policy.classify, "row_ref", old_ref)
    ingest_path(write_jpeg(tmp_path / "x.jpg"), catalog=catalog, analyzer=Analyzer())
    assert _clean(catalog)
    _sql(catalog, "UPDATE versions SET ai_evidence = '[]'")
    assert _clean(catalog)  # not covered by an old reference
    _sql(catalog, "UPDATE versions SET status = 'ok'")
    with catalog.session() as session:
        assert check_rows_against_log(session) == [
            "versions row 1 differs from what event 1 recorded (edited)"
        ]
