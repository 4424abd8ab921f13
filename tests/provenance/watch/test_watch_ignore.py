"""Ignore rules: which names mean "still being copied", and prov's own files (issue 8)."""

from __future__ import annotations

from pathlib import Path
from pathlib import PurePosixPath as P

import pytest

from provenance.watch.ignore import DEFAULT_IGNORE_GLOBS, IgnoreRules, ignore_globs, is_ignored

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


@pytest.mark.parametrize(
    "name",
    [
        "prov.toml",  # any project's config
        "prov.db-wal",  # SQLite companions of any catalog
        "catalog.DB-SHM",
        "prov.db-journal",
        "studio-ca.pem",  # key and certificate files
        "signer.key",
        "vendor.p12",
        "vendor.pfx",
    ],
)
def test_prov_files_and_key_files_are_never_assets(name):
    assert is_ignored(ROOT / name, root=ROOT)


@pytest.mark.parametrize("name", ["prov.db", "cut.db", "notes.toml", "prov.toml.jpg", "key.jpg"])
def test_other_databases_and_configs_are_not_ignored_by_name(name):
    # Only the open catalog's own file is known for sure: IgnoreRules.files names it.
    assert not is_ignored(ROOT / name, root=ROOT)


def test_exact_files_are_ignored_wherever_they_are(tmp_path: Path):
    rules = IgnoreRules.of(DEFAULT_IGNORE_GLOBS, [tmp_path / "cat.sqlite", tmp_path / "x.toml"])
    assert rules.ignores(tmp_path / "cat.sqlite")
    assert rules.ignores(tmp_path / "x.toml", root=tmp_path)
    assert not rules.ignores(tmp_path / "sub" / "cat.sqlite")  # another file of that name
    assert not rules.ignores(tmp_path / "cat.sqlite-wal")  # not named in the rules
    assert not rules.ignores(tmp_path / "a.jpg")
    assert rules.ignores(tmp_path / "a.part")  # the globs still apply


def test_exact_files_are_found_through_symlinked_folders(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    rules = IgnoreRules.of((), [real / "cat.sqlite"])
    assert rules.ignores(tmp_path / "link" / "cat.sqlite")
    rules = IgnoreRules.of((), [tmp_path / "link" / "cat.sqlite"])
    assert rules.ignores(real / "cat.sqlite")


def test_a_symlink_to_an_exact_file_is_ignored(tmp_path: Path):
    (tmp_path / "cat.sqlite").write_bytes(b"")
    (tmp_path / "shown").mkdir()
    (tmp_path / "shown" / "cat.sqlite").symlink_to(tmp_path / "cat.sqlite")
    assert IgnoreRules.of((), [tmp_path / "cat.sqlite"]).ignores(tmp_path / "shown" / "cat.sqlite")


def test_relative_paths_are_compared_as_absolute(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rules = IgnoreRules.of((), [Path("cat.sqlite")])
    assert rules.ignores(tmp_path / "cat.sqlite")
    assert rules.ignores(Path(".") / "cat.sqlite")


@pytest.mark.parametrize(
    "relative",
    [
        "a.exr",
        "MASTER.MOV.PART",
        ".staging/shot/a.exr",
        "shot/.DS_Store",
        "prov.toml",
        "Prov.Toml",
        "x_proxy.mov",
        "proxy.mov",
        "a.pem.jpg",
        "[brackets].exr",
    ],
)
def test_ignore_rules_agree_with_is_ignored(relative):
    globs = ignore_globs(["*_proxy.mov", "[[]*"])
    path = ROOT / relative
    assert IgnoreRules(globs).ignores(path, root=ROOT) == is_ignored(path, globs, root=ROOT)
    assert IgnoreRules(globs).ignores(path) == is_ignored(path, globs)


def test_no_globs_ignore_nothing():
    assert not IgnoreRules(()).ignores(ROOT / "a.part")
