"""The store/ layout says what it holds (issue 9): no import cycles between modules, every
SQLite/PostgreSQL difference in store/catalog/dialect.py, and no module over 400 lines.
Each check also runs on a probe that breaks it, so a check that can no longer fail is caught."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cli", "store", "provenance")
DIALECT_MODULE = Path("store/catalog/dialect.py")
# Migrations are history: they keep the dialect types they were written with.
NOT_CHECKED_FOR_DIALECT = (Path("store/migrations/versions"),)
DIALECT_BRANCH = re.compile(
    r"dialect\.name|sqlalchemy\.dialects\.(postgresql|sqlite) import insert|pg_advisory"
    r"|PRAGMA|lock_timeout|with_for_update"
)
MAX_LINES = 400


def import_cycles(*packages: str) -> list[tuple[str, ...]]:
    """Every import of a module that leads back to it (module level, lazy imports included)."""
    graph = grimp.build_graph(*packages)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.append((module, *chain))
    return cycles


def dialect_branches(source: str) -> list[str]:
    return [m.group(0) for m in DIALECT_BRANCH.finditer(source)]


def python_files(*packages: str) -> list[Path]:
    return sorted(p.relative_to(ROOT) for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_imports_itself_back() -> None:
    assert import_cycles(*PACKAGES) == []


def test_a_cycle_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cyclic_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from cyclic_probe import models_policy\n")
    (package / "models_policy.py").write_text("from cyclic_probe.models import Base\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cycles = import_cycles("cyclic_probe")
    assert ("cyclic_probe.models", "cyclic_probe.models_policy", "cyclic_probe.models") in cycles
    sys.modules.pop("cyclic_probe", None)


def test_dialect_branches_live_in_one_module() -> None:
    found = {
        str(path): dialect_branches((ROOT / path).read_text(encoding="utf-8"))
        for path in python_files(*PACKAGES)
        if path != DIALECT_MODULE
        and not any(path.is_relative_to(p) for p in NOT_CHECKED_FOR_DIALECT)
    }
    assert {path: hits for path, hits in found.items() if hits} == {}
    assert dialect_branches((ROOT / DIALECT_MODULE).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "source",
    [
        'if session.get_bind().dialect.name == "postgresql":',
        "from sqlalchemy.dialects.postgresql import insert as pg_insert",
        'session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 1})',
        'cursor.execute("PRAGMA foreign_keys=ON")',
        "query = query.with_for_update(of=PathEntry)",
    ],
)
def test_a_dialect_branch_is_found(source: str) -> None:
    assert dialect_branches(source)


def test_no_module_over_400_lines() -> None:
    lengths = {
        str(p): len((ROOT / p).read_text(encoding="utf-8").splitlines())
        for p in python_files(*PACKAGES)
    }
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}
    assert max(lengths.values()) > MAX_LINES // 2  # the files were read
