"""A mode-000 folder, denied by the kernel (issue 7): `prov scan`, `prov check` and `prov watch
--once` run as an unprivileged user (root reads any folder, so as root the commands run as
uid/gid 65534) and must report the folder, never pass over the genAI file inside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_jpeg

pytestmark = pytest.mark.slow

NOBODY = 65534
GENAI_JPEG = (
    Path(__file__).resolve().parents[2] / "sample_assets/genai/building_collapse_element.jpg"
)


@dataclass(frozen=True)
class Unprivileged:
    """How to run a command as nobody: a setpriv prefix (util-linux) or subprocess's own
    user/group switch; nothing to do when the tests do not run as root."""

    prefix: tuple[str, ...] = ()
    switch: tuple[tuple[str, Any], ...] = ()

    def run(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.prefix, *command], capture_output=True, text=True, **dict(self.switch), **kwargs
        )


def _ways() -> list[Unprivileged]:
    if os.geteuid() != 0:
        return [Unprivileged()]
    ways = [Unprivileged(switch=(("user", NOBODY), ("group", NOBODY), ("extra_groups", [])))]
    setpriv = shutil.which("setpriv")
    if setpriv:
        drop = (setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--")
        ways.insert(0, Unprivileged(prefix=drop))
    return ways


@pytest.fixture(scope="module")
def unprivileged() -> Unprivileged:
    """The first way that runs prov (with c2pa) as a user without root's powers."""
    probe = [sys.executable, "-c", "import os, c2pa, cli.main; print(os.geteuid())"]
    problems = []
    for way in _ways():
        try:
            result = way.run(probe, timeout=60, cwd="/")
        except (OSError, subprocess.SubprocessError) as exc:
            problems.append(str(exc))
            continue
        if result.returncode == 0 and result.stdout.strip() != "0":
            return way
        problems.append(result.stderr.strip()[-200:])
    pytest.skip(f"cannot run prov as an unprivileged user: {'; '.join(problems)}")


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder the unprivileged user owns (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="prov-unprivileged-"))
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


@pytest.fixture
def delivery(base: Path) -> Path:
    folder = base / "delivery"
    (folder / "locked").mkdir(parents=True)
    write_jpeg(folder / "ok.jpg")
    shutil.copy(GENAI_JPEG, folder / "locked" / "gen.jpg")
    if os.geteuid() == 0:
        for path in [base, *base.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    return folder


def prov(base: Path, way: Unprivileged, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROV_")}
    env["HOME"] = str(base)
    command = [sys.executable, "-m", "cli.main", "--db", f"sqlite:///{base / 'catalog.db'}"]
    return way.run([*command, *args], timeout=120, cwd=base, env=env)


def test_scan_and_check_report_a_folder_they_cannot_read(
    base: Path, delivery: Path, unprivileged: Unprivileged
) -> None:
    locked = delivery / "locked"
    locked.chmod(0)
    scan = prov(base, unprivileged, "scan", "--jsonl", str(delivery))
    assert scan.returncode == 1, scan.stderr
    assert f"unreadable folder: {locked}: permission denied" in scan.stderr
    found = [json.loads(line) for line in scan.stdout.splitlines()]
    assert {"path": str(locked), "kind": "folder", "status": "unreadable"}.items() <= found[
        0
    ].items()
    assert [Path(r["path"]).name for r in found[1:]] == ["ok.jpg"]
    check = prov(base, unprivileged, "check", "--json", str(delivery))
    assert check.returncode == 3, check.stderr
    assert [f["path"] for f in json.loads(check.stdout)] == [str(locked)]


def test_watch_once_reports_it_and_the_gate_still_sees_the_genai_file(
    base: Path, delivery: Path, unprivileged: Unprivileged
) -> None:
    assert prov(base, unprivileged, "scan", str(delivery)).returncode == 0
    (delivery / "locked").chmod(0)
    watch = prov(base, unprivileged, "watch", "--once", str(delivery))
    assert watch.returncode == 1, watch.stderr
    assert f"unreadable folder: {delivery / 'locked'}" in watch.stderr
    listing = json.loads(prov(base, unprivileged, "ls", "--json").stdout)
    gen = next(r for r in listing if r["path"].endswith("gen.jpg"))
    assert gen["missing_since"] is None  # a folder that cannot be listed hides nothing
    gate = prov(base, unprivileged, "check", "--fail-on", "escalate", str(delivery))
    assert gate.returncode == 3, gate.stderr
