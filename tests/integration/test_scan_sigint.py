"""Issue 8: a real `prov scan` process, interrupted with SIGINT once some files are recorded,
exits 130 saying how many files it recorded, and the catalog holds exactly that many.

The folder is big enough (3,000 frames, a few seconds of scanning) that the signal lands
mid-scan; the test polls the catalog for the first committed batch, never sleeps a guess."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

pytestmark = pytest.mark.slow

FRAMES = 3000
TIMEOUT = 60.0


def _frames(folder: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (10, 20, 30)).save(out, "JPEG", quality=85)
    data = out.getvalue()
    for n in range(FRAMES):
        (folder / f"plate.{n:05d}.jpg").write_bytes(data)


def _recorded(db_url: str) -> int:
    """Path rows in the catalog; 0 while the scan has not created it yet."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM paths")) or 0)
    except DBAPIError:
        return 0  # no catalog, or no table yet
    finally:
        engine.dispose()


def test_sigint_says_how_many_files_were_recorded_and_the_catalog_agrees(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "plates"
    folder.mkdir()
    _frames(folder)
    command = [sys.executable, "-m", "cli.main", "--db", db_url, "scan", str(folder)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while _recorded(db_url) == 0 and proc.poll() is None:
            assert time.monotonic() < deadline, "no batch committed in time"
            time.sleep(0.02)
        assert proc.poll() is None, "the scan finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    found = re.search(r"interrupted: ([\d,]+) file\(s\) recorded; run the scan again", stderr)
    assert found, stderr
    said = int(found.group(1).replace(",", ""))
    assert 0 < said < FRAMES
    assert said == _recorded(db_url)
    assert "Traceback" not in stderr
