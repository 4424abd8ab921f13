"""prov.toml (issue 8): found by walking up from the current folder, paths in it relative to
its folder, and every table and key checked against one schema (file, table and key named)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.config import ConfigError, find_config, load_settings
from provenance.policy import FolderRole


@pytest.fixture(autouse=True)
def _no_env_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROV_CONFIG", raising=False)


def _project(tmp_path: Path, text: str = "") -> tuple[Path, Path]:
    """tmp/show/prov.toml and an empty tmp/show/ep1/sc2 to run from."""
    config = tmp_path / "show" / "prov.toml"
    below = config.parent / "ep1" / "sc2"
    below.mkdir(parents=True)
    config.write_text(text, encoding="utf-8")
    return config, below


def test_found_by_walking_up_from_a_subfolder(tmp_path: Path) -> None:
    config, below = _project(tmp_path)
    assert find_config(None, start=below) == config
    assert find_config(None, start=config.parent) == config


def test_the_nearest_config_wins(tmp_path: Path) -> None:
    _config, below = _project(tmp_path)
    nearer = below.parent / "prov.toml"
    nearer.write_text("", encoding="utf-8")
    assert find_config(None, start=below) == nearer


def test_none_when_no_folder_above_has_one(tmp_path: Path) -> None:
    assert find_config(None, start=tmp_path) is None


def test_a_folder_named_prov_toml_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "prov.toml").mkdir()
    assert find_config(None, start=tmp_path) is None


def test_the_current_folder_is_the_default_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, below = _project(tmp_path)
    monkeypatch.chdir(below)
    assert find_config(None) == config


def test_explicit_and_env_configs_win_over_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config, below = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere.toml"
    monkeypatch.setenv("PROV_CONFIG", str(elsewhere))
    assert find_config(None, start=below) == elsewhere
    assert find_config(tmp_path / "given.toml", start=below) == tmp_path / "given.toml"


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, below = _project(
        tmp_path,
        '[catalog]\ndb = "cat/prov.db"\n[trust]\nanchors = "pki/ca.pem"\n'
        '[policy]\nfile = "p/policy.toml"\n[tools]\nfile = "p/tools.toml"\n',
    )
    monkeypatch.chdir(below)
    settings = load_settings(Path("../../prov.toml"))
    show = config.parent.resolve()
    assert settings.folder is not None and settings.folder.resolve() == show
    assert settings.folder.is_absolute()
    assert (
        settings.db == "cat/prov.db"
    )  # as written; store.catalog.db.resolve_url anchors it at folder
    assert settings.trust_anchors is not None and settings.trust_anchors.resolve() == (
        show / "pki" / "ca.pem"
    )
    assert settings.policy_file is not None and settings.policy_file.resolve() == (
        show / "p" / "policy.toml"
    )
    assert settings.tools_file is not None and settings.tools_file.resolve() == (
        show / "p" / "tools.toml"
    )


def test_absolute_paths_stay_as_written(tmp_path: Path) -> None:
    config, _below = _project(tmp_path, f'[trust]\nanchors = "{tmp_path / "ca.pem"}"\n')
    assert load_settings(config).trust_anchors == tmp_path / "ca.pem"


def test_a_good_config_with_every_table_loads(tmp_path: Path) -> None:
    config, _below = _project(
        tmp_path,
        '[catalog]\ndb = "prov.db"\n[trust]\nanchors = "ca.pem"\nfetch_remote = true\n'
        '[gate]\nfail_on = "approval-required"\n[policy]\nfile = "p.toml"\n'
        '[tools]\nfile = "t.toml"\n[watch]\n'
        '[production]\ntitle = "The Eternaut"\nkind = "scripted"\n'
        '[[production.folders]]\nglob = "final/**"\nrole = "final"\n',
    )
    settings = load_settings(config)
    assert settings.fetch_remote is True
    assert str(settings.gate_fail_on) == "approval-required"
    assert settings.production is not None
    assert settings.production.title == "The Eternaut"
    assert settings.production.role_for("/x/final/a.exr") is FolderRole.FINAL


def test_no_production_table_is_no_production(tmp_path: Path) -> None:
    config, _below = _project(tmp_path, '[catalog]\ndb = "prov.db"\n')
    assert load_settings(config).production is None


BAD = {
    "catalog unknown key": ('[catalog]\ndbb = "x.db"\n', "catalog.dbb: unknown key (known: db)"),
    "trust unknown key": (
        '[trust]\nanchor = "ca.pem"\n',
        "trust.anchor: unknown key (known: anchors, fetch_remote)",
    ),
    "gate unknown key": ('[gate]\nfailon = "escalate"\n', "gate.failon: unknown key"),
    "watch has no keys": ("[watch]\nx = 1\n", "watch.x: unknown key (known: none yet)"),
    "policy unknown key": ('[policy]\npath = "p.toml"\n', "policy.path: unknown key (known: file)"),
    "tools unknown key": ('[tools]\nfiles = "t.toml"\n', "tools.files: unknown key (known: file)"),
    "production unknown key": (
        '[production]\ntitel = "X"\ntitle = "X"\nkind = "scripted"\n',
        "production.titel: unknown key",
    ),
    "production folder unknown key": (
        '[production]\ntitle = "X"\nkind = "scripted"\n'
        '[[production.folders]]\nglob = "a/**"\nrole = "final"\nrol = "wip"\n',
        "production.folders[0].rol: unknown key",
    ),
    "production bad kind": (
        '[production]\ntitle = "X"\nkind = "docu"\n',
        "production.kind: 'docu' is not one of",
    ),
    "db not a string": ("[catalog]\ndb = 3\n", "catalog.db: expected a string, got int 3"),
    "db empty": ('[catalog]\ndb = ""\n', "catalog.db: must not be empty"),
    "anchors not a string": ("[trust]\nanchors = true\n", "trust.anchors: expected a string"),
    "fetch_remote a string": (
        '[trust]\nfetch_remote = "yes"\n',
        "trust.fetch_remote: expected true or false, got str 'yes'",
    ),
    "policy file a list": ('[policy]\nfile = ["a"]\n', "policy.file: expected a string"),
    "tools file blank": ('[tools]\nfile = "  "\n', "tools.file: must not be empty"),
    "gate level": ('[gate]\nfail_on = "never"\n', "gate.fail_on: 'never' is not one of"),
    "catalog not a table": ('catalog = "prov.db"\n', "[catalog] must be a table"),
    "watch not a table": ("watch = 1\n", "[watch] must be a table"),
    "unknown table": ("[catlog]\ndb = 1\n", "unknown table or key 'catlog'"),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_every_table_and_key_is_checked(tmp_path: Path, text: str, message: str) -> None:
    config, _below = _project(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert str(raised.value).startswith(f"{config}: ")
    assert message in str(raised.value)
