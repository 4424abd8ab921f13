"""Declaration files are current at the gate (issue 7): recorded with their fingerprint, picked
up by a scan and by a watcher's start-up reconcile when added, changed or deleted while nobody
watched, and a classification made under other declaration files fails `check PATH`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from provenance.policy import Outcome
from store.audit.chain import verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import EventRow, PathEntry, Version
from store.catalog.paths import get_path, path_key
from store.ingest import (
    IngestAction,
    IngestOutcome,
    forget_gone_declarations,
    ingest_many,
    iter_files,
    scan_targets,
)
from store.policy.approvals import state_of
from store.policy.declarations import DeclarationsNow
from store.policy.gate import gate, stale_files
from store.read.queries import ListFilter, list_current
from store.watch.changes import Change, reconcile, record_deletion, record_move
from tests.conftest import SignJpeg

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
TALENT = 'talent_likeness = "yes"\n'  # AA-TALENT: approval-required


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def asset(sign_jpeg: SignJpeg, tmp_path: Path) -> Path:
    """A genAI still in a delivery folder: escalate (no folder role), below the gate."""
    folder = tmp_path / "show" / "sc01"
    folder.mkdir(parents=True)
    return sign_jpeg("gen.jpg", actions=GENERATED).rename(folder / "gen.jpg")


def _scan(root: Path, catalog: Catalog, analyzer: Analyzer) -> list[IngestOutcome]:
    targets = scan_targets(iter_files([root]))
    outcomes = list(ingest_many(targets, catalog=catalog, analyzer=analyzer))
    return outcomes + forget_gone_declarations([root], catalog=catalog)


def _outcome(catalog: Catalog, path: Path) -> str | None:
    with catalog.session() as session:
        entry = get_path(session, path_key(path))
        assert entry is not None and entry.current_version_id is not None
        return state_of(session, entry.current_version_id).risk()["outcome"]


def _events(catalog: Catalog) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(EventRow)) or 0


def _check(catalog: Catalog, root: Path) -> list[str]:
    """`prov check ROOT`'s findings, as reasons."""
    with catalog.session() as session:
        findings = stale_files(session, [root])
        findings += gate(session, Outcome.APPROVAL_REQUIRED, [path_key(root)])
    return [f.reason for f in findings]


def test_a_declaration_written_between_scans_reclassifies_at_the_next_scan(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    _scan(root, catalog, analyzer)
    assert _outcome(catalog, asset) == "escalate"
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text(TALENT, encoding="utf-8")
    outcomes = {Path(o.path).name: o for o in _scan(root, catalog, analyzer)}
    assert outcomes[declaration.name].action is IngestAction.DECLARATION
    assert outcomes[declaration.name].record["reclassified"][0]["after"] == "approval-required"
    assert _outcome(catalog, asset) == "approval-required"
    # logged like a version (audit verify covers it), never listed, gated or counted
    with catalog.session() as session:
        assert verify_chain(session).ok and check_rows_against_log(session) == []
        entry = get_path(session, path_key(declaration))
        assert entry is not None and entry.kind == "declaration"
        version = session.get_one(Version, entry.current_version_id)
        assert version.status == "ok" and version.sha256 is not None
        assert [e.path for e, _v in list_current(session, ListFilter())] == [path_key(asset)]
        assert {f.path for f in gate(session, Outcome.NONE)} == {path_key(asset)}
    # unchanged: the fast path, nothing re-read, re-classified or logged
    before = _events(catalog)
    again = {Path(o.path).name: o.action for o in _scan(root, catalog, analyzer)}
    assert again == {"gen.jpg": "unchanged", declaration.name: "unchanged"}
    assert _events(catalog) == before


def test_check_fails_closed_for_a_declaration_changed_since_classification(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text('talent_likeness = "no"\n', encoding="utf-8")
    _scan(root, catalog, analyzer)
    assert _check(catalog, root) == []
    os.utime(declaration, ns=(1, 1))  # touched, same content: still the same declaration
    assert _check(catalog, root) == []
    declaration.write_text(TALENT, encoding="utf-8")  # no rescan
    (reason,) = _check(catalog, root)
    assert reason == (
        f"declaration file {path_key(declaration)} changed since this was classified: "
        "run `prov scan`"
    )
    _scan(root, catalog, analyzer)
    assert _check(catalog, root) == ["approval-required without a written approval"]


def test_check_fails_closed_for_a_declaration_added_or_removed_since(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    _scan(root, catalog, analyzer)
    own = asset.with_name("gen.jpg.genai.toml")
    own.write_text(TALENT, encoding="utf-8")
    assert [r.split(" ", 3)[3] for r in _check(catalog, root)] == [
        "was added since this was classified: run `prov scan`"
    ]
    _scan(root, catalog, analyzer)
    own.unlink()
    assert "was removed since" in _check(catalog, root)[0]
    _scan(root, catalog, analyzer)  # the deleted file is forgotten, the asset re-classified
    assert _check(catalog, root) == []
    assert _outcome(catalog, asset) == "escalate"
    with catalog.session() as session:
        entry = get_path(session, path_key(own))
        assert entry is not None and entry.missing_since is not None


def test_a_malformed_declaration_is_recorded_as_an_error_and_fails_the_gate(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    (asset.parent / "genai-declaration.toml").write_text("talent_likeness = [\n")
    outcomes = {Path(o.path).name: o for o in _scan(root, catalog, analyzer)}
    bad = outcomes["genai-declaration.toml"]
    assert bad.status == "error" and "(syntax)" in (bad.reason or "")
    assert _check(catalog, root)[0].startswith("not classified: ")


def test_reconcile_at_start_picks_up_declarations_changed_while_down(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    reconcile([root], catalog=catalog, analyzer=analyzer)
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text(TALENT, encoding="utf-8")  # the watcher is down
    changes: list[Change] = []
    reconcile([root], catalog=catalog, analyzer=analyzer, report=changes.append)
    assert [c.kind for c in changes] == ["declaration"]
    assert _outcome(catalog, asset) == "approval-required"
    assert _check(catalog, root) == ["approval-required without a written approval"]
    declaration.unlink()  # down again
    changes = []
    reconcile([root], catalog=catalog, analyzer=analyzer, report=changes.append)
    assert [(c.kind, c.record["path"]) for c in changes] == [("missing", path_key(declaration))]
    assert changes[0].record["reclassified"][0]["after"] == "escalate"
    assert _outcome(catalog, asset) == "escalate"


def test_a_watched_declaration_deleted_or_moved_away_reclassifies(
    catalog: Catalog, analyzer: Analyzer, asset: Path
) -> None:
    root = asset.parents[1]
    declaration = asset.parent / "genai-declaration.toml"
    declaration.write_text(TALENT, encoding="utf-8")
    reconcile([root], catalog=catalog, analyzer=analyzer)
    assert _outcome(catalog, asset) == "approval-required"
    moved = declaration.rename(asset.parent / "old-declaration.txt")
    record_move(declaration, moved, catalog=catalog, analyzer=analyzer)
    assert _outcome(catalog, asset) == "escalate"
    moved.rename(declaration)
    reconcile([root], catalog=catalog, analyzer=analyzer)
    assert _outcome(catalog, asset) == "approval-required"
    declaration.unlink()
    assert record_deletion(declaration, catalog=catalog, analyzer=analyzer) == 1
    assert _outcome(catalog, asset) == "escalate"
    with catalog.session() as session:
        assert session.scalar(
            select(PathEntry.missing_since).where(PathEntry.path == path_key(declaration))
        )


def test_a_classification_from_before_fingerprints_fails_closed_only_with_declarations(
    tmp_path: Path,
) -> None:
    declaration = tmp_path / "genai-declaration.toml"
    asset_key = path_key(tmp_path / "a.jpg")
    legacy = {"talent_likeness": "yes", "sources": [str(declaration)]}
    operator_only = {"use_case": "ideation", "sources": ["prov declare #1 by Ops"]}
    now = DeclarationsNow()
    assert now.change(asset_key, operator_only) is None
    assert "before declaration files were fingerprinted" in (now.change(asset_key, legacy) or "")
    declaration.write_text(TALENT, encoding="utf-8")
    later = DeclarationsNow()  # one per gate run: it caches what it found
    assert "before declaration files were fingerprinted" in (
        later.change(asset_key, operator_only) or ""
    )
    assert later.change(asset_key, None) == (
        f"declaration file {path_key(declaration)} was added since this was classified: "
        "run `prov scan`"
    )


def test_a_scan_naming_thousands_of_folders_looks_for_gone_declarations_in_chunks(
    catalog: Catalog, tmp_path: Path
) -> None:
    # One OR of 1,500 folder clauses is deeper than SQLite parses (1,000).
    folders = [tmp_path / f"f{n}" for n in range(1500)]
    for folder in folders:
        folder.mkdir()
    assert forget_gone_declarations(folders, catalog=catalog) == []
