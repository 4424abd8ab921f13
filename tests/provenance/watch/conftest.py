"""Fakes for the watch tests: a clock moved by hand and a disk that is a dict of fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.model import FileFingerprint


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeDisk:
    """Files as fingerprints; `stat` counts calls so tests can check polling stays cheap."""

    def __init__(self) -> None:
        self.files: dict[Path, FileFingerprint] = {}
        self.stat_calls = 0
        self._next_inode = 100

    def write(self, path: Path, size: int) -> None:
        """Create or grow `path`; each write bumps mtime like a real one."""
        old = self.files.get(path)
        inode = old.inode if old else self._new_inode()
        mtime = (old.mtime_ns if old else 0) + 1_000_000
        self.files[path] = FileFingerprint(size=size, mtime_ns=mtime, inode=inode)

    def rename(self, src: Path, dest: Path) -> None:
        self.files[dest] = self.files.pop(src)

    def remove(self, path: Path) -> None:
        self.files.pop(path, None)

    def stat(self, path: Path) -> FileFingerprint | None:
        self.stat_calls += 1
        return self.files.get(path)

    def _new_inode(self) -> int:
        self._next_inode += 1
        return self._next_inode


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def disk() -> FakeDisk:
    return FakeDisk()
