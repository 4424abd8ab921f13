"""Every credential reading of a file reaches the catalog (issue 7): the other readings go to
Version.extra_credentials and the record's `credentials.additional`, in the shape of the main
reading, and they decide, like the main one, whether a re-read is a new version. Both write
paths (ingest_path file by file, ingest_many in bulk), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from provenance.analyze import Analyzer
from store.catalog.db import Catalog
from store.catalog.models import Version
from store.ingest import IngestAction, IngestOutcome, ingest_many, ingest_path

SAMPLES = Path(__file__).resolve().parents[3] / "sample_assets"
GENAI_JPEG = SAMPLES / "genai" / "building_collapse_element.jpg"
FOREIGN_SIDECAR = SAMPLES / "frames" / "ATBP_0A1_010_FG01_v001.01000.c2pa"

Ingest = Callable[[Path, Catalog, Analyzer, bool], IngestOutcome]


def _one(path: Path, catalog: Catalog, analyzer: Analyzer, force: bool) -> IngestOutcome:
    return ingest_path(path, catalog=catalog, analyzer=analyzer, force=force)


def _bulk(path: Path, catalog: Catalog, analyzer: Analyzer, force: bool) -> IngestOutcome:
    (outcome,) = ingest_many([path], catalog=catalog, analyzer=analyzer, force=force)
    return outcome


WRITE_PATHS = [pytest.param(_one, id="ingest_path"), pytest.param(_bulk, id="ingest_many")]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def jpeg(tmp_path: Path) -> Path:
    """The sample genAI still with a foreign sidecar (the EXR frame's) copied beside it."""
    path = Path(shutil.copy(GENAI_JPEG, tmp_path / "element.jpg"))
    shutil.copy(FOREIGN_SIDECAR, tmp_path / "element.c2pa")
    return path


@pytest.mark.parametrize("ingest", WRITE_PATHS)
def test_sidecar_reading_is_stored_and_in_the_record(
    catalog: Catalog, analyzer: Analyzer, jpeg: Path, ingest: Ingest
) -> None:
    record = ingest(jpeg, catalog, analyzer, False).record
    creds = record["credentials"]
    assert creds["location"] == "embedded" and creds["validation_state"] == "Valid"
    assert record["ai"]["involvement"] == "generated"
    (extra,) = creds["additional"]
    assert extra.keys() == creds.keys() - {"additional"}  # one shape for every reading
    assert extra["location"] == "sidecar"
    assert extra["sidecar"] == str(jpeg.with_suffix(".c2pa"))
    assert extra["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in extra["failure_codes"]
    assert extra["present"] is True
    with catalog.session() as session:
        version = session.scalars(select(Version)).one()
        assert version.extra_credentials == [extra]


@pytest.mark.parametrize("ingest", WRITE_PATHS)
def test_a_changed_extra_reading_is_a_new_version(
    catalog: Catalog, analyzer: Analyzer, jpeg: Path, ingest: Ingest
) -> None:
    first = ingest(jpeg, catalog, analyzer, False)
    assert first.record["version"] == 1 and first.record["credentials"]["additional"]
    again = ingest(jpeg, catalog, analyzer, True)  # re-read, nothing changed
    assert again.action is IngestAction.SAME
    os.unlink(jpeg.with_suffix(".c2pa"))  # the main (embedded) reading stays the same
    gone = ingest(jpeg, catalog, analyzer, False)
    assert gone.action is IngestAction.CHANGED
    assert gone.record["version"] == 2
    assert gone.record["credentials"]["additional"] == []


def test_a_file_without_other_readings_has_an_empty_list(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    path = Path(shutil.copy(GENAI_JPEG, tmp_path / "element.jpg"))
    record = ingest_path(path, catalog=catalog, analyzer=analyzer).record
    assert record["credentials"]["additional"] == []
