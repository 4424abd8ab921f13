"""Issue 8 with a real `prov watch` process and the real observer: run in a project folder,
the watcher finds prov.toml, keeps its catalog beside it and, though it watches the folder
that holds the catalog, never records the catalog's files (prov.db-wal was recorded as a new
version every few seconds), prov.toml or key files. Assertions poll with `wait_until`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from store.catalog.db import open_catalog
from store.catalog.models import PathEntry
from tests.integration.test_watch_process import TIMEOUT, jpeg_bytes, wait_until

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _rows(catalog_file: Path) -> set[str]:
    catalog = open_catalog(f"sqlite:///{catalog_file}", create=False)
    try:
        with catalog.session() as session:
            return {Path(entry.path).name for entry in session.scalars(select(PathEntry))}
    finally:
        catalog.dispose()


def test_a_watcher_in_the_catalogs_folder_never_records_the_catalog(tmp_path: Path) -> None:
    project = tmp_path / "show"
    (project / "pki").mkdir(parents=True)
    (project / "prov.toml").write_text("[watch]\n", encoding="utf-8")
    (project / "pki" / "signer.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    (project / "a.jpg").write_bytes(jpeg_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PROV_DB", "PROV_CONFIG")}
    env |= {"PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "cli.main", "watch", "--jsonl", "--quiet-window", "0.2"]
    command += ["--rescan-every", "0.3", ".."]
    with (tmp_path / "out").open("w+") as out, (tmp_path / "err").open("w+") as err:
        proc = subprocess.Popen(command, cwd=project / "pki", stdout=out, stderr=err, env=env)
        try:
            _exercise(project, tmp_path / "err")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=TIMEOUT)
    assert _rows(project / "prov.db") == {"a.jpg", "b.jpg"}
    assert not (project / "pki" / "prov.db").exists()  # run from pki/, catalog beside prov.toml


def _exercise(project: Path, err: Path) -> None:
    def lines() -> list[str]:
        return err.read_text(encoding="utf-8").splitlines()

    def said(fragment: str) -> int:
        return sum(fragment in line for line in lines())

    # Watching `..` from pki/: the project folder, which holds the catalog.
    wait_until(lambda: said("caught up") == 1, what=f"start: {lines()}")
    (project / "b.jpg").write_bytes(jpeg_bytes())
    wait_until(lambda: "b.jpg" in _rows(project / "prov.db"), what="b.jpg recorded")
    # Rescans walk the folder while the watcher holds the catalog open (its WAL and shared
    # memory exist) and after b.jpg's write went through the WAL.
    rescans = said("rescan:")
    wait_until(lambda: said("rescan:") >= rescans + 2, what="two more rescans")
