"""Two `prov watch` processes on one PostgreSQL catalog over overlapping folders (issue 3).

Watcher A watches root/, watcher B root/shots/, so both see every file written into shots/.
While ~50 files are written there in chunks (some through a `.part` rename), recorded files
are renamed, moved out of B's folder, or rewritten with new content. The catalog must end
exactly right: one path row per path, one version per distinct content written at a path,
no duplicate assets, and every path's current version what is on disk (no lost update).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.catalog.db import Catalog, open_catalog
from store.catalog.models import Asset, PathEntry, Version
from store.catalog.paths import path_key
from tests.fixtures_db import temporary_catalog_url
from tests.integration.test_watch_process import (
    WatchProcess,
    assert_integrity,
    history,
    jpeg_bytes,
    wait_until,
    write_in_chunks,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FILES = 50


@dataclass
class Expected:
    """What the test wrote, path by path: the SHA-256 of each content in order."""

    contents: dict[str, list[str]] = field(default_factory=dict)
    moved_to: dict[str, str] = field(default_factory=dict)  # gone path -> where it went
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrote(self, path: Path, data: bytes) -> None:
        with self.lock:
            self.contents.setdefault(path_key(path), []).append(hashlib.sha256(data).hexdigest())

    def moved(self, src: Path, dest: Path) -> None:
        with self.lock:
            self.contents.setdefault(path_key(dest), []).extend(self.contents[path_key(src)][-1:])
            self.moved_to[path_key(src)] = path_key(dest)


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    with temporary_catalog_url("postgres", tmp_path) as url:
        yield url


@pytest.fixture
def catalog_view(pg_url: str) -> Iterator[Catalog]:
    opened = open_catalog(pg_url)  # migrate first, so the watchers start on a ready schema
    yield opened
    opened.dispose()


def mismatches(catalog: Catalog, expected: Expected) -> list[str]:
    """How the catalog differs from what was written ([] when exact): every path's versions
    are the contents written there, in order; moved paths are missing and say where they
    went; nothing else is in the catalog."""
    with catalog.session() as session:
        rows = {e.path: e for e in session.scalars(select(PathEntry))}
        versions = session.scalar(select(func.count()).select_from(Version))
        assets = session.scalar(select(func.count()).select_from(Asset))
    problems = [f"unexpected path {key}" for key in set(rows) - set(expected.contents)]
    problems += [f"missing row {key}" for key in set(expected.contents) - set(rows)]
    for key, shas in expected.contents.items():
        if key in rows:
            problems += _path_problems(catalog, rows[key], shas, expected.moved_to.get(key))
    distinct = {sha for shas in expected.contents.values() for sha in shas}
    if versions != sum(map(len, expected.contents.values())) or assets != len(distinct):
        problems.append(f"{versions} versions, {assets} assets")
    return problems


def _path_problems(
    catalog: Catalog, entry: PathEntry, shas: list[str], moved_to: str | None
) -> list[str]:
    problems = []
    recorded = history(catalog, Path(entry.path))
    if recorded != shas:
        problems.append(f"{entry.path}: versions {_short(recorded)} != written {_short(shas)}")
    if bool(entry.missing_since) != (moved_to is not None) or entry.moved_to != moved_to:
        problems.append(f"{entry.path}: missing={entry.missing_since} moved_to={entry.moved_to}")
    return problems


def _short(shas: list[str | None] | list[str]) -> list[str]:
    return [(sha or "-")[:8] for sha in shas]


def wait_exact(catalog: Catalog, expected: Expected, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while problems := mismatches(catalog, expected):
        if time.monotonic() > deadline:
            pytest.fail("catalog not exact:\n" + "\n".join(sorted(problems)))
        time.sleep(0.1)


def deliver(shots: Path, n: int, expected: Expected) -> Path:
    """Write one file in chunks; every fifth goes through a `.part` name and a rename."""
    final = shots / f"AGM_{n:03d}.jpg"
    data = jpeg_bytes(size=(128, 96))
    if n % 5 == 0:
        part = final.with_name(final.name + ".part")
        write_in_chunks(part, data, chunks=3, pause=0.03)
        os.rename(part, final)
    else:
        write_in_chunks(final, data, chunks=3, pause=0.03)
    expected.wrote(final, data)
    return final


def then_change(
    path: Path, n: int, root: Path, expected: Expected, recorded: Callable[[Path], bool]
) -> None:
    """Once `path` is in the catalog: rename it, move it out of B's folder, or rewrite it."""
    wait_until(lambda: recorded(path), what=f"{path.name} recorded")
    if n % 7 == 0:
        dest = path.with_name(f"renamed_{path.name}")
    elif n % 11 == 3:
        dest = root / path.name  # out of watcher B's folder, still inside A's
    elif n % 4 == 1:
        data = jpeg_bytes(size=(128, 96))
        write_in_chunks(path, data, chunks=3, pause=0.03)
        expected.wrote(path, data)
        return
    else:
        return
    os.rename(path, dest)
    expected.moved(path, dest)


def test_two_watchers_on_overlapping_folders_keep_the_catalog_exact(
    pg_url: str, catalog_view: Catalog, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    shots = root / "shots"
    shots.mkdir(parents=True)
    watchers = [WatchProcess(pg_url, [root]), WatchProcess(pg_url, [shots])]
    try:
        for watcher in watchers:
            watcher.wait_caught_up()
        expected = Expected()

        def recorded(path: Path) -> bool:
            return bool(history(catalog_view, path))

        def one_file(n: int) -> None:
            then_change(deliver(shots, n, expected), n, root, expected, recorded)

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(one_file, range(FILES)))
        wait_exact(catalog_view, expected)
        assert [watcher.stop() for watcher in watchers] == [0, 0]
        assert mismatches(catalog_view, expected) == []
        assert_integrity(catalog_view)
        assert len(expected.moved_to) >= 8
        assert sum(len(shas) == 2 for shas in expected.contents.values()) >= 8
    finally:
        for watcher in watchers:
            watcher.kill_if_running()
    assert not any(w.said("Traceback") for w in watchers)
