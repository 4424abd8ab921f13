"""iter_files never skips a folder silently (issue 7): one that cannot be listed is handed to the
caller (or raises); one that vanished, and symlink loops, are not problems. PermissionError is
injected into os.scandir, so this runs as root too (tests/integration has the real denial)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from store.ingest import RunSummary, UnreadableFolder, UnreadableFolderError, iter_files
from tests.conftest import write_jpeg


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("a/one.jpg", "b/locked/two.jpg", "b/three.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_jpeg(tmp_path / name)
    return tmp_path


def fail_listing(
    monkeypatch: pytest.MonkeyPatch, folder: Path, error: OSError | None = None
) -> None:
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise error or PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_folder_is_handed_to_the_caller(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_listing(monkeypatch, tree / "b" / "locked")
    unreadable: list[UnreadableFolder] = []
    files = list(iter_files([tree], unreadable=unreadable))
    assert [p.relative_to(tree).as_posix() for p in files] == ["a/one.jpg", "b/three.jpg"]
    (problem,) = unreadable
    assert problem.path == str(tree / "b" / "locked")
    assert problem.reason.startswith("permission denied")
    assert problem.record() == {
        "path": problem.path,
        "kind": "folder",
        "status": "unreadable",
        "reason": problem.reason,
    }


def test_without_a_list_an_unreadable_folder_raises(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_listing(monkeypatch, tree / "b" / "locked")
    with pytest.raises(UnreadableFolderError, match="permission denied"):
        list(iter_files([tree]))


def test_an_unreadable_root_is_a_problem_too(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_listing(monkeypatch, tree, OSError(5, "Input/output error"))
    unreadable: list[UnreadableFolder] = []
    assert list(iter_files([tree], unreadable=unreadable)) == []
    assert [u.path for u in unreadable] == [str(tree)]
    assert "Input/output error" in unreadable[0].reason


def test_a_folder_that_vanished_during_the_walk_is_not_a_problem(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_listing(monkeypatch, tree / "b" / "locked", FileNotFoundError(2, "gone"))
    unreadable: list[UnreadableFolder] = []
    assert len(list(iter_files([tree], unreadable=unreadable))) == 2
    assert unreadable == []


def test_symlink_loops_are_still_followed_once(tree: Path) -> None:
    (tree / "a" / "back").symlink_to(tree)  # a/back -> the root: a loop
    (tree / "self").symlink_to(tree / "self")  # a link to itself: a file that is unreadable
    unreadable: list[UnreadableFolder] = []
    files = [p.relative_to(tree).as_posix() for p in iter_files([tree], unreadable=unreadable)]
    assert files == ["a/one.jpg", "b/locked/two.jpg", "b/three.jpg", "self"]
    assert unreadable == []


def test_summary_counts_an_unreadable_folder_as_a_failure() -> None:
    summary = RunSummary()
    assert not summary.failed
    summary.add_folder(UnreadableFolder("/d/locked", "permission denied: ..."))
    assert summary.failed
    assert summary.failure_lines() == ["unreadable folder: /d/locked: permission denied: ..."]
    assert "unreadable folder(s): 1" in summary.lines()


# --- issue 10: no escape from the delivery -------------------------------------------------


def _listed(root: Path, **options: Any) -> list[str]:
    return [p.relative_to(root).as_posix() for p in iter_files([root], **options)]


@pytest.mark.parametrize("follow", [False, True])
def test_a_folder_symlink_to_the_root_of_the_file_system_is_never_walked(
    tree: Path, follow: bool
) -> None:
    (tree / "a" / "everything").symlink_to("/")
    assert _listed(tree, follow_symlinks=follow) == ["a/one.jpg", "b/locked/two.jpg", "b/three.jpg"]


def test_a_folder_symlink_is_followed_only_with_follow_symlinks_and_only_inside(
    tmp_path: Path,
) -> None:
    delivery, outside = tmp_path / "delivery", tmp_path / "outside"
    for name in ("delivery/shots/a.jpg", "outside/secret.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_jpeg(tmp_path / name)
    (delivery / "out").symlink_to(outside)
    (delivery / "alias").symlink_to(delivery / "shots")
    assert _listed(delivery) == ["shots/a.jpg"]
    # followed inside the root (the loop set lists shots/a.jpg once), never out of it
    assert _listed(delivery, follow_symlinks=True) == ["alias/a.jpg"]
    # two roots: a link from one into the other is inside the delivery
    listed = [p.name for p in iter_files([delivery, outside], follow_symlinks=True)]
    assert sorted(listed) == ["a.jpg", "secret.jpg"]  # each folder walked once


def test_a_file_symlink_is_listed_for_the_pipeline_to_judge(tmp_path: Path) -> None:
    write_jpeg(tmp_path / "elsewhere.jpg")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "link.jpg").symlink_to(tmp_path / "elsewhere.jpg")
    assert _listed(tmp_path / "d") == ["link.jpg"]
