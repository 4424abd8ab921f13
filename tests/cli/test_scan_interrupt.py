"""Issue 8: Ctrl-C during `prov scan` says how many files were recorded (committed) before it
exited 130, and that count is what the catalog holds. KeyboardInterrupt raised in process
(inside the reading, and while a committed batch is being printed); the real SIGINT is in
tests/integration/test_scan_sigint.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import cli.commands.scan
import provenance.targets
import store.ingest.pipeline
from cli.main import prov
from store.catalog.db import open_catalog
from store.catalog.models import PathEntry
from tests.conftest import write_jpeg

MESSAGE = "interrupted: {} file(s) recorded; run the scan again to finish"


@pytest.fixture
def frames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Seven frames, written in batches of two (three batches, then one file)."""
    folder = tmp_path / "frames"
    folder.mkdir()
    for n in range(7):
        write_jpeg(folder / f"frame.{n:04d}.jpg", (n * 30, 0, 0))
    monkeypatch.setattr(store.ingest.pipeline, "BATCH_FILES", 2)
    return folder


def _paths(db_url: str) -> int:
    catalog = open_catalog(db_url)
    try:
        with catalog.session() as session:
            return int(session.scalar(select(func.count()).select_from(PathEntry)) or 0)
    finally:
        catalog.dispose()


def _scan(db_url: str, *args: str) -> Any:
    return CliRunner().invoke(prov, ["--db", db_url, "scan", *args], catch_exceptions=False)


def test_ctrl_c_while_reading_counts_the_batches_committed_before_it(
    db_url: str, frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, reads = provenance.targets.analyze_file, []

    def read(path: Path, **kwargs: Any) -> Any:
        reads.append(path)
        if len(reads) == 5:  # the first file of the third batch
            raise KeyboardInterrupt
        return real(path, **kwargs)

    monkeypatch.setattr(provenance.targets, "analyze_file", read)
    result = _scan(db_url, str(frames))
    assert result.exit_code == 130
    assert MESSAGE.format(4) in result.stderr
    assert _paths(db_url) == 4  # the batch being read was rolled back
    monkeypatch.setattr(provenance.targets, "analyze_file", real)
    again = _scan(db_url, str(frames))  # the next scan finishes the job
    assert again.exit_code == 0
    assert "7 file(s): 3 new, 4 unchanged" in again.stderr
    assert _paths(db_url) == 7


def test_ctrl_c_while_a_committed_batch_is_printed_counts_all_of_it(
    db_url: str, frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, printed = cli.commands.scan.json_line, []

    def line(record: dict[str, Any]) -> str:
        printed.append(record)
        if len(printed) == 3:  # the first record of the second batch: both files committed
            raise KeyboardInterrupt
        return real(record)

    monkeypatch.setattr(cli.commands.scan, "json_line", line)
    result = _scan(db_url, "--jsonl", str(frames))
    assert result.exit_code == 130
    assert len(result.stdout.splitlines()) == 2
    assert MESSAGE.format(4) in result.stderr
    assert _paths(db_url) == 4


def test_ctrl_c_before_any_file_is_recorded_says_none_were(
    db_url: str, frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read(path: Path, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(provenance.targets, "analyze_file", read)
    result = _scan(db_url, str(frames))
    assert result.exit_code == 130
    assert MESSAGE.format(0) in result.stderr
    assert "Traceback" not in result.stderr
    assert _paths(db_url) == 0


def test_other_commands_still_just_say_interrupted(
    db_url: str, frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _scan(db_url, str(frames)).exit_code == 0

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("cli.commands.ls.list_current", interrupted)
    result = CliRunner().invoke(prov, ["--db", db_url, "ls"], catch_exceptions=False)
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted"
