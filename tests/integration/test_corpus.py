"""The 122 third-party files of ../shared/corpus through the whole ingest path, on SQLite and
PostgreSQL: nothing escapes, genAI files are detected, Invalid stays Invalid (issue 2)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from provenance.analyze import Analyzer
from store.catalog.db import Catalog, open_catalog
from store.catalog.models import PathEntry
from store.ingest import ingest_path
from tests.fixtures_db import BACKENDS, temporary_catalog_url

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
GENAI_TERMS = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")

pytestmark = pytest.mark.skipif(
    not (CORPUS / "INDEX.tsv").is_file(), reason=f"corpus not present at {CORPUS}"
)


def _index() -> list[dict[str, str]]:
    with (CORPUS / "INDEX.tsv").open(newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, analyzer: Analyzer
) -> Iterator[tuple[Catalog, dict[str, dict]]]:
    """Every corpus file ingested once per backend; INDEX.tsv path -> JSON record."""
    folder = tmp_path_factory.mktemp("corpus-catalog")
    with temporary_catalog_url(request.param, folder) as url:
        catalog = open_catalog(url)
        records = {}
        for row in _index():
            outcome = ingest_path(CORPUS / row["path"], catalog=catalog, analyzer=analyzer)
            records[row["path"]] = outcome.record
        yield catalog, records
        catalog.dispose()


@pytest.fixture
def recorded(corpus_catalog: tuple[Catalog, dict[str, dict]]) -> dict[str, dict]:
    return corpus_catalog[1]


def test_every_corpus_file_is_recorded(
    corpus_catalog: tuple[Catalog, dict[str, dict]], recorded: dict[str, dict]
) -> None:
    catalog, rows = corpus_catalog[0], _index()
    assert len(rows) == 122
    with catalog.session() as session:
        assert session.scalar(select(func.count()).select_from(PathEntry)) == len(rows)
    for path, record in recorded.items():
        assert record["status"] in {"ok", "no_credentials", "unsupported", "unreadable", "error"}
        if record["status"] not in {"ok", "no_credentials"}:
            assert record["reason"], f"{path} has status {record['status']} but no reason"


def test_genai_source_types_are_detected(recorded: dict[str, dict]) -> None:
    genai_rows = [r for r in _index() if any(t in r["digital_source_types"] for t in GENAI_TERMS)]
    assert len(genai_rows) >= 8
    for row in genai_rows:
        involvement = recorded[row["path"]]["ai"]["involvement"]
        assert involvement in {"generated", "edited", "composite"}, row["path"]


def test_algorithmic_or_unlabelled_files_are_not_genai(recorded: dict[str, dict]) -> None:
    for row in _index():
        if any(t in row["digital_source_types"] for t in GENAI_TERMS):
            continue
        record = recorded[row["path"]]
        generator_evidence = [
            e for e in record["ai"]["evidence"] if e["source"] == "c2pa.generator"
        ]
        if generator_evidence:  # a generator name may say otherwise (DOMAIN.md section 5)
            continue
        assert record["ai"]["involvement"] not in {"generated", "edited", "composite"}, row["path"]


def test_invalid_in_index_is_invalid_in_catalog(recorded: dict[str, dict]) -> None:
    invalid = [r["path"] for r in _index() if r["validation_state"] == "Invalid"]
    assert len(invalid) == 28
    for path in invalid:
        assert recorded[path]["credentials"]["validation_state"] == "Invalid", path


def test_states_and_failure_codes_match_the_index(recorded: dict[str, dict]) -> None:
    for row in _index():
        if row["validation_state"] not in {"Valid", "Invalid", "Trusted"}:
            continue
        credentials = recorded[row["path"]]["credentials"]
        assert credentials["validation_state"] == row["validation_state"], row["path"]
        expected = {c for c in row["failure_codes"].split(",") if c}
        assert expected <= set(credentials["failure_codes"]), row["path"]


def test_remote_manifests_are_recorded_not_fetched(recorded: dict[str, dict]) -> None:
    remote = [r["path"] for r in _index() if r["validation_state"] == "ERROR:Remote"]
    assert remote
    for path in remote:
        credentials = recorded[path]["credentials"]
        assert credentials["location"] == "remote"
        assert credentials["remote_url"], path


def test_bare_sidecars_are_orphans_not_assets(recorded: dict[str, dict]) -> None:
    sidecars = [p for p in recorded if p.endswith(".c2pa")]
    assert sidecars
    for path in sidecars:
        assert recorded[path]["kind"] in {"orphan_sidecar", "sidecar"}, path
