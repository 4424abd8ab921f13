"""One error base class (issue 9): every error prov raises on purpose derives from
provenance.errors.ProvError, and cli/errors.py maps it to its message, hint and exit code with
one isinstance. Each subclass keeps the exit code it had; PolicyDataError, which fell through
as "unexpected ... report it", now gets its own hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.errors import EXIT_FAILURES, EXIT_USAGE, handled, report
from cli.main import prov
from provenance import ai_tables
from provenance.config import ConfigError, load_settings
from provenance.errors import PolicyDataError, ProvError, SchemaError
from provenance.policy import PolicyError, load_policy
from store.audit.guard import AuditBroken
from store.catalog.db import CatalogError, NoCatalog
from store.policy.approvals import DecisionError

CASES = {
    "config": (ConfigError("prov.toml", "gate.fail_on", "bad"), EXIT_USAGE, "--config"),
    "policy": (PolicyError("p.toml", "rules[0]", "bad"), EXIT_USAGE, "docs/policy.md"),
    "policy data": (
        PolicyDataError("generators.toml", "generator", "bad"),
        EXIT_FAILURES,
        "reinstall",
    ),
    "no catalog": (NoCatalog("x.db"), EXIT_USAGE, None),
    "catalog": (CatalogError("cannot open", "check --db"), EXIT_FAILURES, "check --db"),
    "audit broken": (AuditBroken("event 3: bad hash"), EXIT_FAILURES, "prov audit verify"),
    "decision": (DecisionError("no --by", hint="give --by"), EXIT_USAGE, "give --by"),
}


@pytest.mark.parametrize(("exc", "code", "hint"), CASES.values(), ids=CASES.keys())
def test_every_error_class_is_a_prov_error_with_its_exit_code(
    exc: ProvError, code: int, hint: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(exc, ProvError) and handled(exc)
    assert report(exc, debug=False) == code
    err = capsys.readouterr().err
    assert err.startswith(f"error: {exc}\n")
    assert "unexpected" not in err and "Traceback" not in err
    if hint is not None:
        assert "hint: " in err and hint in err


def test_an_error_that_is_not_ours_is_still_unexpected(capsys: pytest.CaptureFixture[str]) -> None:
    exc = KeyError("x")
    assert not handled(exc)
    assert report(exc, debug=False) == EXIT_FAILURES
    assert "unexpected KeyError" in capsys.readouterr().err


def test_schema_errors_carry_file_key_and_problem() -> None:
    exc = PolicyDataError("generators.toml", "generator[2].implies", 'must be "generated"')
    assert (exc.file, exc.key, exc.problem) == (
        "generators.toml",
        "generator[2].implies",
        'must be "generated"',
    )
    assert str(exc) == 'generators.toml: generator[2].implies: must be "generated"'
    assert str(SchemaError("f.toml", "", "not valid TOML")) == "f.toml: not valid TOML"
    assert isinstance(exc, ValueError)  # as before: callers catching ValueError still do


def test_config_and_policy_errors_are_schema_errors_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "prov.toml"
    config.write_text('[gate]\nfail_on = "never"\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert (raised.value.file, raised.value.key) == (str(config), "gate.fail_on")
    policy = tmp_path / "p.toml"
    policy.write_text('version = "1"\npolcy = 1\n')
    with pytest.raises(PolicyError) as bad_policy:
        load_policy(policy)
    assert (bad_policy.value.file, bad_policy.value.key) == (str(policy), "polcy")


def test_a_malformed_detection_table_is_mapped_not_unexpected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> ai_tables.GeneratorRegistry:
        # The real parser on a real malformed table: no [[generator]] entries.
        return ai_tables._parse_registry({"version": "1"}, "provenance/data/generators.toml")

    monkeypatch.setattr(ai_tables, "_default_registry", broken)
    (tmp_path / "a.txt").write_text("x")
    result = CliRunner().invoke(
        prov, ["--db", str(tmp_path / "c.db"), "scan", str(tmp_path / "a.txt")]
    )
    assert result.exit_code == EXIT_FAILURES, result.output
    assert "error: provenance/data/generators.toml: generator: expected" in result.stderr
    assert "hint: the detection tables are damaged" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
