"""Issue 10: a hostile declaration file arriving as the watcher sees it (ingest_path on the
file, real signed JPEG, real catalog). It is recorded as a declaration with the error and the
asset it covers is re-classified as unclassified naming it; nothing raises, so the watcher goes
on. The files are the issue's table: nested 5,000 levels, a 100,000-part dotted key, a
non-UTF-8 byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.analyze import Analyzer
from store.catalog.db import Catalog
from store.ingest import IngestAction, ingest_path
from tests.conftest import SignJpeg
from tests.store.policy.test_classify import INPUTS, _generated

HOSTILE = {
    "nested": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than"),
    "dotted": (b"a" + b".a" * 100_000 + b" = 1\n", "dotted key of more than"),
    "non-utf8": (b'use_case = "final\xff"\n', "not valid UTF-8"),
}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_declaration_arriving_unclassifies_only_what_it_covers(
    name: str, catalog: Catalog, analyzer: Analyzer, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    content, problem = HOSTILE[name]
    covered = _generated(sign_jpeg, tmp_path / "wip" / "bad")
    other = _generated(sign_jpeg, tmp_path / "wip" / "good")
    for path in (covered, other):
        ingest_path(path, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    declaration = covered.parent / "genai-declaration.toml"
    declaration.write_bytes(content)
    outcome = ingest_path(declaration, catalog=catalog, analyzer=analyzer, policy=INPUTS)
    assert outcome.action is IngestAction.DECLARATION
    assert problem in outcome.record["reason"]
    (change,) = outcome.record["reclassified"]
    assert change["path"].endswith("bad/gen.jpg")
    again = ingest_path(covered, catalog=catalog, analyzer=analyzer, policy=INPUTS).record
    assert again["risk"]["outcome"] is None and problem in again["risk"]["error"]
    kept = ingest_path(other, catalog=catalog, analyzer=analyzer, policy=INPUTS).record
    assert kept["risk"]["outcome"] == "escalate"
