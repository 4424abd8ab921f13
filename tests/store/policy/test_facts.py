"""Issue 7 in the store: a version's credential readings and tool names reach the policy
(store.policy.facts), on both write paths, against a real catalog (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from provenance.model import FileStatus, Strength, ToolName, ValidationState
from provenance.policy import (
    FolderRole,
    ProductionConfig,
    ProductionKind,
    load_policy,
    load_tool_registry,
)
from store.catalog.db import Catalog
from store.catalog.models import Version
from store.ingest import IngestAction, ingest_path
from store.policy.classify import PolicyInputs, evaluate
from store.policy.facts import credential_facts_of, reading_of, tool_names_of
from tests.conftest import SignJpeg

MADE = [
    action(
        "c2pa.created",
        digital_source_type="trainedAlgorithmicMedia",
        software_agent="Acme GenStudio 1.0",
    )
]
PRODUCTION = ProductionConfig("T", ProductionKind.SCRIPTED, (("wip/**", FolderRole.WIP),))
INPUTS = PolicyInputs(load_policy(), load_tool_registry(), PRODUCTION)


@pytest.fixture
def version(catalog: Catalog, sign_jpeg: SignJpeg, tmp_path: Path) -> tuple[Catalog, int]:
    folder = tmp_path / "wip"
    folder.mkdir()
    path = sign_jpeg("acme.jpg", actions=MADE).rename(folder / "acme.jpg")
    ingest_path(path, catalog=catalog, analyzer=Analyzer(), policy=INPUTS)
    with catalog.session() as session:
        return catalog, session.scalars(select(Version.id)).one()


def test_tool_names_are_recorded_with_the_version(version: tuple[Catalog, int]) -> None:
    catalog, version_id = version
    with catalog.session() as session:
        row = session.get_one(Version, version_id)
        assert {"name": "Acme GenStudio 1.0", "source": "c2pa.softwareAgent",
                "strength": "signed-and-valid"} in row.tool_names  # fmt: skip
        names = tool_names_of(row)
    assert ToolName("Acme GenStudio 1.0", "c2pa.softwareAgent", Strength.SIGNED_VALID) in names


def _evaluate(catalog: Catalog, version_id: int, **changes: Any) -> dict[str, Any]:
    """evaluate() on the stored version with some columns changed (not flushed)."""
    with catalog.session() as session:
        row = session.get_one(Version, version_id)
        for name, value in changes.items():
            setattr(row, name, value)
        values = evaluate(session, row.path, row, INPUTS)
        session.rollback()
        return values


def _ids(values: dict[str, Any]) -> set[str]:
    return {rule["id"] for rule in values["rules"]}


def test_an_invalid_extra_reading_fires_pv_invalid(version: tuple[Catalog, int]) -> None:
    catalog, version_id = version
    assert "PV-INVALID" not in _ids(_evaluate(catalog, version_id))
    sidecar = {
        "present": True,
        "location": "sidecar",
        "validation_state": "Invalid",
        "failure_codes": ["signingCredential.untrusted", "assertion.dataHash.mismatch"],
    }
    values = _evaluate(catalog, version_id, extra_credentials=[sidecar])
    assert "PV-INVALID" in _ids(values) and values["outcome"] == "escalate"
    rule = next(r for r in values["rules"] if r["id"] == "PV-INVALID")
    assert rule["reason"].startswith("the sidecar credentials fail validation")


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        (
            {"status": "error", "reason": "pre-release manifest", "cred_present": False},
            "PV-INVALID",
        ),
        ({"status": "unreadable", "reason": "permission denied"}, "PV-INVALID"),
        ({"extra_credentials": ["not a dict"]}, "PV-INVALID"),
        (
            {
                "cred_location": "remote",
                "validation_state": None,
                "manifest_count": 0,
                "remote_url": "https://example.com/m.c2pa",
            },
            "PV-REMOTE",
        ),
    ],
)
def test_version_columns_reach_the_credential_rules(
    version: tuple[Catalog, int], changes: dict[str, Any], rule_id: str
) -> None:
    catalog, version_id = version
    assert rule_id in _ids(_evaluate(catalog, version_id, **changes))


def test_stored_readings_are_read_defensively() -> None:
    assert reading_of({"validation_state": "Bogus"}).fails  # an unknown state vouches nothing
    assert reading_of(None).fails
    good = reading_of({"present": True, "location": "sidecar", "validation_state": "Trusted"})
    assert not good.fails and good.validation_state is ValidationState.TRUSTED
    row = Version(status="weird", cred_present=True, validation_state="Valid", failure_codes=[])
    row.tool_names = [{"name": "x", "strength": "super"}, {"name": ""}, 5]
    assert credential_facts_of(row).status is FileStatus.ERROR
    assert tool_names_of(row) == (ToolName("x", "unknown", Strength.UNSIGNED),)


def test_a_version_recorded_without_tool_names_is_read_again_by_force(
    version: tuple[Catalog, int], tmp_path: Path
) -> None:
    # Versions recorded before migration 0004 have `[]`: `prov scan --force` records the
    # names (a new version, since the reading now says more); a plain re-read stays the same.
    catalog, version_id = version
    path = tmp_path / "wip" / "acme.jpg"
    again = ingest_path(path, catalog=catalog, analyzer=Analyzer(), policy=INPUTS, force=True)
    assert again.action is IngestAction.SAME
    with catalog.transaction() as session:
        session.execute(update(Version).where(Version.id == version_id).values(tool_names=[]))
    forced = ingest_path(path, catalog=catalog, analyzer=Analyzer(), policy=INPUTS, force=True)
    assert forced.action is IngestAction.CHANGED
    with catalog.session() as session:
        latest = session.scalars(select(Version).order_by(Version.id.desc())).first()
        assert latest is not None and latest.id != version_id and latest.tool_names
