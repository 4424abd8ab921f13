"""Ignore rules: which names mean "still being copied"."""

from __future__ import annotations

from pathlib import PurePosixPath as P

import pytest

from provenance.watch.ignore import DEFAULT_IGNORE_GLOBS, ignore_globs, is_ignored

ROOT = P("/mnt/deliveries")


@pytest.mark.parametrize(
    "name",
    [
        "AGM_104_065_010_comp_NFX_v001.1001.exr.part",
        "master.mov.tmp",
        "master.mov.crdownload",
        ".~lock.edl#",
        ".DS_Store",
        ".master.mov.Xa3f9q",  # rsync's temporary
        "MASTER.MOV.PART",  # case-insensitive
    ],
)
def test_default_globs_ignore_in_progress_names(name):
    assert is_ignored(ROOT / name, root=ROOT)


@pytest.mark.parametrize(
    "name",
    ["AGM_104_065_010_comp_NFX_v001.1001.exr", "master.mov", "master.mov.c2pa", "edit.otio"],
)
def test_real_names_are_not_ignored(name):
    assert not is_ignored(ROOT / name, root=ROOT)


def test_a_dot_folder_below_the_root_hides_its_files():
    assert is_ignored(ROOT / ".staging" / "shot" / "a.exr", root=ROOT)


def test_folders_above_the_root_do_not_count():
    root = P("/home/vfx/.local/deliveries")
    assert not is_ignored(root / "a.exr", root=root)


def test_without_a_root_only_the_name_counts():
    assert not is_ignored(P("/home/vfx/.cache/a.exr"))
    assert is_ignored(P("/home/vfx/a.exr.part"))


def test_extra_globs_add_to_the_defaults():
    globs = ignore_globs(["*_proxy.mov", "*.part"])
    assert globs == (*DEFAULT_IGNORE_GLOBS, "*_proxy.mov")
    assert is_ignored(ROOT / "ATBP_0A1_010_proxy.mov", globs, root=ROOT)
    assert not is_ignored(ROOT / "ATBP_0A1_010_proxy.mov", root=ROOT)


@pytest.mark.parametrize("glob", ["", "  ", "renders/*.tmp"])
def test_malformed_extra_globs_are_rejected(glob):
    with pytest.raises(ValueError, match="glob"):
        ignore_globs([glob])
