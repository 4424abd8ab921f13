"""One glob dialect (issue 9, README "Globs"): folder roles, `--ignore` and `ls --path` agree on
the same patterns (`**`, `*`, `?`, a folder pattern), and a pattern that is not a glob is an
error everywhere, never a silent non-match. `ls` runs through click's CliRunner on a real
SQLite catalog."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from cli.main import prov
from provenance.globs import Globs, glob_matches, glob_regex
from provenance.policy import FolderRole, PolicyError, ProductionConfig, ProductionKind
from provenance.policy.loader import load_production_config
from provenance.watch.ignore import IgnoreRules, ignore_globs

FILES = (
    "final/a.exr",
    "final/ep1/b.exr",
    "final/ep1/notes.txt",
    "wip/a1.exr",
    "wip/a12.exr",
    "wip/deep/er/c.exr",
    "tmp/x.txt",
    "final.txt",
)

# (pattern, the files it matches): what every user-facing glob means.
AGREED = {
    "*.exr": {"final/a.exr", "final/ep1/b.exr", "wip/a1.exr", "wip/a12.exr", "wip/deep/er/c.exr"},
    "wip/*.exr": {"wip/a1.exr", "wip/a12.exr"},  # * stays inside one folder
    "wip/**/*.exr": {"wip/a1.exr", "wip/a12.exr", "wip/deep/er/c.exr"},  # ** spans folders
    "a?.exr": {"wip/a1.exr"},  # ? is one character
    "final/": {"final/a.exr", "final/ep1/b.exr", "final/ep1/notes.txt"},  # a folder: all below
    "ep1": {"final/ep1/b.exr", "final/ep1/notes.txt"},  # a folder name at any depth
    "final/ep1/*": {"final/ep1/b.exr", "final/ep1/notes.txt"},
}
# --ignore takes one name (no `/` inside): these patterns are checked there too.
NAME_PATTERNS = ("*.exr", "a?.exr", "final/", "ep1")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("globs") / "show"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"not media")
    db = str(root.parent / "c.db")
    result = CliRunner().invoke(prov, ["--db", db, "scan", str(root)])
    assert result.exit_code in (0, 1), result.output
    return root, db


def _ls(catalog: tuple[Path, str], pattern: str) -> set[str]:
    root, db = catalog
    result = CliRunner().invoke(prov, ["--db", db, "ls", "--path", pattern, "--json"])
    assert result.exit_code == 0, result.output
    return {str(Path(r["path"]).relative_to(root)) for r in json.loads(result.stdout)}


def _roles(root: Path, pattern: str) -> set[str]:
    config = ProductionConfig("T", ProductionKind.SCRIPTED, ((pattern, FolderRole.FINAL),))
    return {name for name in FILES if config.role_for(root / name) is FolderRole.FINAL}


def _ignored(root: Path, pattern: str) -> set[str]:
    rules = IgnoreRules(ignore_globs([pattern])[-1:])  # the user's glob alone
    return {name for name in FILES if rules.ignores(root / name, root=root)}


@pytest.mark.parametrize(("pattern", "expected"), AGREED.items(), ids=AGREED.keys())
def test_roles_ls_and_ignore_agree(
    catalog: tuple[Path, str], pattern: str, expected: set[str]
) -> None:
    root, _db = catalog
    assert _ls(catalog, pattern) == expected
    assert _roles(root, pattern) == expected
    if pattern in NAME_PATTERNS:
        assert _ignored(root, pattern) == expected


def test_a_leading_slash_anchors_at_the_root() -> None:
    assert glob_matches("/mnt/nas/*.mov", "/mnt/nas/ep1.mov")
    assert not glob_matches("/mnt/nas/*.mov", "/other/mnt/nas/ep1.mov")
    assert glob_matches("mnt/nas/*.mov", "/other/mnt/nas/ep1.mov")  # unanchored: any depth


def test_backslash_is_a_character_and_bang_and_hash_are_names() -> None:
    assert glob_matches("a\\b.jpg", "/x/a\\b.jpg")
    assert not glob_matches("a\\b.jpg", "/x/ab.jpg")
    assert glob_matches("!x", "/d/!x") and glob_matches("#x", "/d/#x")
    assert Globs(("[[]*",)).match_parts(["[draft].exr"])
    assert not Globs(("[[]*",)).match_parts(["draft.exr"])


def test_ignore_is_case_blind_and_the_others_are_not() -> None:
    root = PurePosixPath("/mnt/d")
    assert IgnoreRules(("*.part",)).ignores(root / "A.PART", root=root)
    assert not glob_matches("*.part", "/mnt/d/A.PART")


@pytest.mark.parametrize("pattern", ["a[", "", "[b"])
def test_a_pattern_that_is_not_a_glob_is_an_error_everywhere(
    catalog: tuple[Path, str], pattern: str
) -> None:
    with pytest.raises(ValueError, match="glob"):
        glob_regex(pattern)
    with pytest.raises(ValueError, match="glob"):
        ignore_globs([pattern])
    folders = [{"glob": pattern, "role": "final"}]
    with pytest.raises(PolicyError, match=r"production\.folders\[0\]\.glob"):
        load_production_config({"title": "T", "kind": "scripted", "folders": folders}, source="p")
    if pattern.strip():
        _root, db = catalog
        result = CliRunner().invoke(prov, ["--db", db, "ls", "--path", pattern])
        assert result.exit_code == 2 and "not a valid glob" in result.stderr


def test_ignore_takes_a_folder_name_but_no_path() -> None:
    assert ignore_globs(["renders/"])[-1] == "renders/"
    with pytest.raises(ValueError, match="path separator"):
        ignore_globs(["renders/*.tmp"])
