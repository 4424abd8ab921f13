"""The architecture is checked by tools (issue 9): ruff bans keep each library in its own
module(s), and import-linter keeps the layers cli -> store -> provenance (pyproject.toml).
Here the bans are tried on probe sources (ruff reads them from stdin under a file name, so the
tree is never touched) and the contracts on the real tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# (file the source would be in, its import, banned there?)
PROBES = [
    ("provenance/probe.py", "import PIL", True),
    ("provenance/media.py", "import PIL", False),
    ("provenance/unsigned_meta.py", "from PIL import PngImagePlugin", False),
    ("store/probe.py", "from PIL import Image", False),  # store/: import-linter forbids it
    ("provenance/probe.py", "import c2pa", True),
    ("provenance/c2pa_io.py", "import c2pa", False),
    ("provenance/watch/loop.py", "import watchdog", True),
    ("provenance/watch/events.py", "from watchdog.observers import Observer", False),
    ("provenance/probe.py", "import sqlalchemy", True),
    ("cli/probe.py", "from sqlalchemy.orm import Session", True),  # no exception for cli/
    ("cli/probe.py", "import alembic", True),
    ("cli/probe.py", "import PIL", True),
    ("cli/probe.py", "import click", False),
    ("provenance/probe.py", "import click", True),
    ("store/probe.py", "import sqlalchemy", False),
    ("benchmarks/probe.py", "import sqlalchemy", False),
    ("scripts/probe.py", "from PIL import Image", False),
]


@pytest.mark.parametrize(("file", "source", "banned"), PROBES)
def test_ruff_keeps_each_library_in_its_modules(file: str, source: str, banned: bool) -> None:
    result = subprocess.run(
        [BIN / "ruff", "check", "--select", "TID251", "--stdin-filename", file, "-"],
        input=f"{source}  # noqa: F401\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode == 1) is banned, result.stdout + result.stderr
    assert ("TID251" in result.stdout) is banned


def test_import_linter_contracts_hold_on_the_tree() -> None:
    result = subprocess.run(
        [BIN / "lint-imports"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers: cli -> store -> provenance" in result.stdout
    assert "0 broken" in result.stdout
