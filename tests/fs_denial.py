"""Deny the listing of one folder in-process (tests run as root, where mode 000 denies
nothing): os.scandir raises PermissionError for it, and lexists says nothing below it exists,
as for an unprivileged user. tests/integration/test_unreadable_folder.py does it for real."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


def deny(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_scandir, real_lexists = os.scandir, os.path.lexists

    def scandir(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def lexists(path: Any) -> bool:
        return not Path(path).is_relative_to(folder) and real_lexists(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os.path, "lexists", lexists)
