"""Paths taken literally (issue 7): one key per path, non-UTF-8 names included, and one
"this path or below it" filter that is exact on SQLite and PostgreSQL (LIKE metacharacters,
case)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.analyze import Analyzer
from provenance.policy import Outcome
from store.audit.chain import EventKind, append_event, events_for, lock_chain
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, utcnow
from store.catalog.path_filter import at_or_below
from store.catalog.paths import path_key, path_of_key, versions_of
from store.ingest import ingest_many
from store.policy.classify import default_inputs, reclassify, under
from store.policy.gate import gate
from store.watch.changes import reconcile, record_deletion
from tests.conftest import write_jpeg

RAW = os.fsdecode(b"caf\xe9.jpg")  # a name that is not UTF-8 (Latin-1 e-acute)
LOOKALIKE = "caf\\xe9.jpg"  # a name with a literal backslash, x, e, 9

# folder -> its look-alike that a LIKE pattern (or SQLite's case-blind LIKE) would also match
LOOKALIKES = {
    "a\\b": "ab",  # PostgreSQL's LIKE took `\` as its escape character
    "under_score": "underXscore",  # `_` is any one character
    "100%": "100% more",  # `%` is any run of characters
    "Case": "case",  # SQLite's LIKE ignores ASCII case
}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_path_keys_are_injective_and_invertible(tmp_path: Path) -> None:
    raw, lookalike = tmp_path / RAW, tmp_path / LOOKALIKE
    assert path_key(raw) != path_key(lookalike)
    assert path_key(raw).endswith("/caf\\xe9.jpg")
    assert path_key(lookalike).endswith("/caf\\\\xe9.jpg")
    for path in (raw, lookalike, tmp_path / "plain.jpg", tmp_path / "a\\\\b" / "x\\"):
        assert path_of_key(path_key(path)) == path
    assert path_key(tmp_path / "plain.jpg") == str(tmp_path / "plain.jpg")  # unchanged


def test_a_key_recorded_before_backslashes_were_escaped_still_finds_its_file() -> None:
    # The old escaping wrote a raw byte as `\xNN` too: that reads back as the byte.
    assert path_of_key("/d/caf\\xe9.jpg") == Path(os.fsdecode(b"/d/caf\xe9.jpg"))
    assert path_of_key("/d/a\\b") == Path("/d/a\\b")  # a lone backslash stays itself


def test_a_raw_byte_name_and_its_escape_lookalike_are_two_paths(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    raw = write_jpeg(tmp_path / RAW, (200, 10, 10))
    lookalike = write_jpeg(tmp_path / LOOKALIKE, (10, 200, 10))
    outcomes = list(ingest_many([raw, lookalike], catalog=catalog, analyzer=analyzer))
    assert [o.action for o in outcomes] == ["new", "new"]
    with catalog.session() as session:
        entries = list(session.scalars(select(PathEntry).order_by(PathEntry.path)))
        assert sorted(e.path for e in entries) == sorted([path_key(raw), path_key(lookalike)])
        assert [len(versions_of(session, e)) for e in entries] == [1, 1]
    again = list(ingest_many([raw, lookalike], catalog=catalog, analyzer=analyzer))
    assert [o.action for o in again] == ["unchanged", "unchanged"]


def _add_path(session: Session, key: str) -> None:
    """A path row with no version (what a first ingest that never committed one leaves)."""
    now = utcnow()
    session.add(PathEntry(path=key, kind="asset", first_seen=now, last_seen=now))
    session.flush()


def _record_paths(catalog: Catalog, root: Path) -> None:
    with catalog.transaction() as session:
        lock_chain(session)
        for folder, lookalike in LOOKALIKES.items():
            for name in (folder, lookalike):
                key = path_key(root / name / "f.jpg")
                _add_path(session, key)
                append_event(session, EventKind.INGEST, target=key, payload={})


@pytest.mark.parametrize("folder", list(LOOKALIKES))
def test_at_or_below_takes_the_folder_literally(
    catalog: Catalog, tmp_path: Path, folder: str
) -> None:
    _record_paths(catalog, tmp_path)
    key = path_key(tmp_path / folder)
    expected = [path_key(tmp_path / folder / "f.jpg")]
    with catalog.session() as session:
        found = session.scalars(select(PathEntry.path).where(at_or_below(PathEntry.path, key)))
        assert list(found) == expected
        by_under = session.scalars(select(PathEntry.path).where(*under([key])))
        assert list(by_under) == expected
        assert [e.target for e in events_for(session, paths=[key])] == expected
        assert [e.target for e in events_for(session, paths=[key + "/"])] == expected


def test_at_or_below_matches_the_path_itself_and_not_a_sibling_prefix(
    catalog: Catalog, tmp_path: Path
) -> None:
    with catalog.transaction() as session:
        for name in ("shot", "shot/a.jpg", "shot2/b.jpg"):
            _add_path(session, path_key(tmp_path / name))
    with catalog.session() as session:
        query = select(PathEntry.path).where(
            at_or_below(PathEntry.path, path_key(tmp_path / "shot"))
        )
        assert sorted(session.scalars(query)) == [
            path_key(tmp_path / "shot"),
            path_key(tmp_path / "shot" / "a.jpg"),
        ]


def test_a_file_back_on_disk_is_spared_whatever_its_name(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    # A deletion event for a folder that is back (recreated) marks nothing that is there:
    # the existence check goes from the key back to the real name (path_of_key).
    folder = tmp_path / os.fsdecode(b"pl\xe4ne")
    folder.mkdir()
    files = [write_jpeg(folder / RAW), write_jpeg(folder / LOOKALIKE)]
    list(ingest_many(files, catalog=catalog, analyzer=analyzer))
    assert record_deletion(folder, catalog=catalog, analyzer=analyzer) == 0
    files[0].unlink()
    assert record_deletion(folder, catalog=catalog, analyzer=analyzer) == 1
    with catalog.session() as session:
        missing = session.scalars(
            select(PathEntry.path).where(PathEntry.missing_since.is_not(None))
        )
        assert list(missing) == [path_key(files[0])]


def test_a_row_under_a_key_from_before_the_escaping_is_marked_gone(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path
) -> None:
    # Old catalogs stored a literal backslash unescaped; a rescan records the file under its
    # new key, and a watcher's reconcile marks the old row missing (its file has a new key).
    image = write_jpeg(tmp_path / "a\\b.jpg")
    old_key = str(image)
    with catalog.transaction() as session:
        _add_path(session, old_key)
    reconcile([tmp_path], catalog=catalog, analyzer=analyzer)
    with catalog.session() as session:
        query = select(PathEntry.path, PathEntry.missing_since)
        rows = {path: missing for path, missing in session.execute(query)}
    assert rows[old_key] is not None and rows[path_key(image)] is None


def test_thousands_of_paths_filter_in_one_query(catalog: Catalog, tmp_path: Path) -> None:
    # `prov check frames/*.exr`: one flat OR of 1,500 paths is deeper than SQLite parses.
    keys = [path_key(tmp_path / f"f{n:04}.exr") for n in range(1500)]
    with catalog.transaction() as session:
        lock_chain(session)
        for key in keys[::100]:
            _add_path(session, key)
            append_event(session, EventKind.INGEST, target=key, payload={})
    with catalog.session() as session:
        found = session.scalars(select(PathEntry.path).where(*under(keys)))
        assert sorted(found) == keys[::100]
        assert [e.target for e in events_for(session, paths=keys)] == keys[::100]
        assert gate(session, Outcome.NONE, keys) == []  # recorded, never versioned
    assert reclassify(catalog, default_inputs(), keys) == []
