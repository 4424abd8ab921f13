"""Classification at ingest, declarations and re-classification against a real catalog
(SQLite and PostgreSQL) and real signed files (issue 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

import store.ingest.rows
import store.policy.classify
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
from store.audit.chain import verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import ClassificationRow, EventRow, PathEntry, Version
from store.catalog.paths import path_key
from store.ingest import IngestAction, ingest_path, scan_targets
from store.policy.approvals import state_of
from store.policy.classify import PolicyInputs, reclassify
from store.policy.declarations import covered_by, record_declaration
from store.policy.gate import gate
from tests.conftest import SignJpeg, write_jpeg

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
PRODUCTION = ProductionConfig(
    "The Eternaut",
    ProductionKind.SCRIPTED,
    (("final/**", FolderRole.FINAL), ("wip/**", FolderRole.WIP)),
)
INPUTS = PolicyInputs(load_policy(), load_tool_registry(), PRODUCTION)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _generated(sign_jpeg: SignJpeg, folder: Path, name: str = "gen.jpg") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return sign_jpeg(name, actions=GENERATED).rename(folder / name)


def _kinds(catalog: Catalog) -> list[str]:
    with catalog.session() as session:
        return list(session.scalars(select(EventRow.kind).order_by(EventRow.seq)))


def _outcome(catalog: Catalog, path: Path) -> str | None:
    with catalog.session() as session:
        query = select(Version).join(PathEntry, Version.path_id == PathEntry.id)
        query = query.where(PathEntry.path == path_key(path)).order_by(Version.id.desc())
        version = session.scalars(query).first()
        assert version is not None
        return state_of(session, version.id).risk()["outcome"]


def test_ingest_logs_and_classifies_every_new_version(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    path = _generated(sign_jpeg, tmp_path / "final")
    outcome = ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    assert outcome.record["risk"]["outcome"] == "approval-required"
    assert outcome.record["approval"]["state"] == "pending"
    assert _kinds(catalog) == ["ingest", "classify"]
    again = ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    assert again.action is IngestAction.UNCHANGED
    assert again.record["risk"]["outcome"] == "approval-required"
    assert _kinds(catalog) == ["ingest", "classify"]  # nothing new, nothing logged
    with catalog.session() as session:
        assert verify_chain(session).ok and check_rows_against_log(session) == []


def test_without_inputs_the_shipped_policy_classifies(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    path = _generated(sign_jpeg, tmp_path / "final")
    record = ingest_path(path, catalog=catalog, analyzer=analyzer).record
    assert record["risk"]["outcome"] == "escalate"  # no production config: no folder role
    assert record["risk"]["policy"]["id"] == load_policy().id


def test_a_version_is_never_recorded_without_its_classification(
    catalog: Catalog,
    analyzer: Analyzer,
    sign_jpeg: SignJpeg,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("classification failed")

    monkeypatch.setattr(store.ingest.rows, "evaluate", broken)  # the writer classifies
    with pytest.raises(RuntimeError):
        ingest_path(_generated(sign_jpeg, tmp_path), catalog=catalog, analyzer=analyzer)
    with catalog.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 0
        assert session.scalar(select(func.count()).select_from(EventRow)) == 0


def test_the_watchers_role_applies_to_every_file(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    watched = PolicyInputs(INPUTS.policy, INPUTS.tools, PRODUCTION, role=FolderRole.FINAL)
    path = _generated(sign_jpeg, tmp_path / "incoming")
    record = ingest_path(path, catalog=catalog, analyzer=analyzer, policy=watched).record
    assert (record["risk"]["role"], record["risk"]["outcome"]) == ("final", "approval-required")


def test_declaration_files_are_scan_targets(tmp_path: Path) -> None:
    # Issue 7: recorded with their fingerprint (as kind `declaration`, never listed as assets)
    files = [
        write_jpeg(tmp_path / "a.jpg"),
        tmp_path / "a.jpg.genai.toml",
        tmp_path / "genai-declaration.toml",
    ]
    assert list(scan_targets(files)) == files


def test_a_declaration_file_covers_its_asset_or_its_folder(tmp_path: Path) -> None:
    assert covered_by(tmp_path / "sc14" / "sign.png.genai.toml") == [
        path_key(tmp_path / "sc14" / "sign.png")
    ]
    assert covered_by(tmp_path / "sc14" / "genai-declaration.toml") == [path_key(tmp_path / "sc14")]


def test_a_declaration_file_arriving_reclassifies_what_it_covers(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    folder = tmp_path / "wip" / "sc14"
    path = _generated(sign_jpeg, folder, "sign.jpg")
    ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    declaration = folder / "sign.jpg.genai.toml"
    declaration.write_text('use_case = "key-creative"\n', encoding="utf-8")
    outcome = ingest_path(declaration, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    assert outcome.action is IngestAction.DECLARATION
    assert [c["path"] for c in outcome.record["reclassified"]] == [path_key(path)]
    assert _outcome(catalog, path) == "approval-required"  # AA-KEYCREATIVE


def test_a_malformed_declaration_leaves_the_version_unclassified_and_gated(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    folder = tmp_path / "wip"
    path = _generated(sign_jpeg, folder)
    (folder / "genai-declaration.toml").write_text('talent_likeness = "maybe"\n')
    record = ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS).record
    error = record["risk"]["error"]
    assert record["risk"]["outcome"] is None
    assert "genai-declaration.toml" in error and "talent_likeness" in error
    with catalog.session() as session:
        findings = gate(session, Outcome.APPROVAL_REQUIRED)
    assert [f.reason.startswith("not classified") for f in findings] == [True]


def test_operator_declarations_merge_over_the_vendors_and_keep_history(
    catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    folder = tmp_path / "wip"
    path = _generated(sign_jpeg, folder, "sign.jpg")
    (folder / "genai-declaration.toml").write_text(
        'tool = "SignSmith AI"\nuse_case = "background"\nprominence = "prominent"\nstory_relevant = "no"\n'
    )
    ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    with catalog.transaction() as session:
        record_declaration(
            session,
            path_key(folder),
            {"prominence": "incidental"},
            is_folder=True,
            declared_by="ops",
        )
    changes = reclassify(catalog, INPUTS, [path_key(folder)])
    assert [(c.changed, c.removed) for c in changes] == [(True, ("UC-BACKGROUND-PROMINENT",))]
    with catalog.session() as session:
        version_id = session.scalars(select(Version.id)).one()
        risk = state_of(session, version_id).risk()
        history = session.scalar(select(func.count()).select_from(ClassificationRow))
    assert "UC-BACKGROUND-INCIDENTAL" in {r["id"] for r in risk["rules"]}
    assert history == 2
    assert reclassify(catalog, INPUTS)[0].changed is False  # same inputs: nothing appended
