"""Issue 10: a hostile declaration or config file through the real CLI (CliRunner, real signed
files, a real catalog). A bad genai-declaration.toml affects only the assets it covers: every
file of the delivery gets a row, the covered ones are unclassified with the error naming the
file, the others are classified, the exit is 1 as for any malformed declaration and no
traceback. A bad prov.toml is a config error naming the file (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.c2pa_io import action
from provenance.toml_schema import MAX_TOML_BYTES
from tests.conftest import SignJpeg
from tests.integration.test_scenarios import make_project

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]

HOSTILE: dict[str, tuple[bytes, str]] = {
    "nested 5,000 levels": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than"),
    "100,000 dotted keys": (b"a" + b".a" * 100_000 + b" = 1\n", "dotted key of more than"),
    "non-UTF-8 byte": (b'use_case = "final\xff"\n', "not valid UTF-8"),
    "oversize": (b"# " + b"x" * MAX_TOML_BYTES + b"\n", "too large"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_declaration_leaves_only_its_assets_unclassified(
    name: str, tmp_path: Path, db_url: str, sign_jpeg: SignJpeg
) -> None:
    content, problem = HOSTILE[name]
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    covered = project.place(sign_jpeg("b.jpg", actions=GENERATED), "wip/bad/gen.jpg")
    others = [
        project.place(sign_jpeg("w.jpg", actions=GENERATED), "wip/good/gen.jpg"),
        project.place(sign_jpeg("c.jpg"), "final/plates/camera.jpg"),
    ]
    declaration = covered.parent / "genai-declaration.toml"
    declaration.write_bytes(content)
    result = project.prov("scan", str(project.root), code=1)  # as for a malformed declaration
    assert "Traceback" not in result.output and "unexpected" not in result.output
    record = project.show(covered)
    assert record["risk"]["outcome"] is None
    assert str(declaration) in record["risk"]["error"] and problem in record["risk"]["error"]
    assert [project.show(p)["risk"]["outcome"] for p in others] == ["escalate", "none"]
    rows = {r["path"] for r in project.json("ls")}
    assert {str(covered), *map(str, others)} <= rows


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_config_is_a_config_error_naming_the_file(
    name: str, tmp_path: Path, db_url: str
) -> None:
    content, problem = HOSTILE[name]
    project = make_project(tmp_path, db_url, title="The Eternaut", kind="scripted")
    project.config.write_bytes(content)
    result = project.prov("scan", str(project.root), code=2)
    assert "Traceback" not in result.output and "unexpected" not in result.output
    assert str(project.config) in result.stderr and problem in result.stderr
