"""The watcher's rescan over a folder it cannot list (issue 7): a failure line and a change
for the folder, nothing counted as recorded, nothing below it marked missing. The denial is
injected into os.scandir / os.path.lexists, as the kernel gives it for a mode-000 folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provenance.analyze import Analyzer
from store.catalog.db import Catalog
from store.watch.callbacks import limit_lock_wait
from store.watch.changes import UNREADABLE
from tests.conftest import write_jpeg
from tests.fs_denial import deny
from tests.store.watch.test_callbacks import Harness

GENAI_JPEG = (
    Path(__file__).resolve().parents[3] / "sample_assets/genai/building_collapse_element.jpg"
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_rescan_reports_a_folder_it_cannot_list(
    catalog: Catalog, analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "deliveries"
    (root / "locked").mkdir(parents=True)
    for path in (write_jpeg(root / "ok.jpg"), shutil.copy(GENAI_JPEG, root / "locked/gen.jpg")):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # settled long ago
    limit_lock_wait(catalog, 0.05)
    harness = Harness(catalog, analyzer, root)
    harness.glue.rescan()
    assert harness.messages[-1] == "caught up: 2 file(s) checked, 2 recorded, 0 marked missing"
    deny(root / "locked", monkeypatch)
    harness.changes.clear()
    harness.glue.rescan()
    (change,) = harness.changes
    assert change.kind == UNREADABLE
    assert change.record["path"] == str(root / "locked")
    assert change.record["status"] == "unreadable"
    assert harness.messages[-1] == (
        "rescan: 1 file(s) checked, 0 recorded, 0 marked missing, 1 folder(s) unreadable"
    )
