"""`prov show` on a real signed file names each software agent as detection does (issue 9):
one name everywhere, the v2 object's version beside it, never folded into the name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import prov
from provenance.c2pa_io import action
from tests.conftest import SignJpeg


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, db_url: str, *args: str) -> Result:
    result = runner.invoke(prov, ["--db", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_show_and_detection_give_a_v2_agent_one_name(
    runner: CliRunner, db_url: str, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    firefly = {"name": "Adobe Firefly", "version": "3.0"}
    signed = sign_jpeg(
        "gen.jpg",
        actions=[
            action("c2pa.created", digital_source_type="digitalCapture", software_agent="ARRI"),
            action("c2pa.edited", software_agent=firefly),
        ],
    )
    invoke(runner, db_url, "scan", str(tmp_path))
    detail = json.loads(invoke(runner, db_url, "show", str(signed), "--json").stdout)
    shown = [
        (a["action"], a["software_agent"], a["software_agent_version"]) for a in detail["actions"]
    ]
    assert shown == [("c2pa.created", "ARRI", None), ("c2pa.edited", "Adobe Firefly", "3.0")]
    agents = [e for e in detail["ai"]["evidence"] if e["location"].endswith("softwareAgent")]
    assert [e["value"] for e in agents] == ["Adobe Firefly"]  # ARRI is no genAI tool
    assert agents[0]["location"].endswith("c2pa.actions.v2[1] softwareAgent")
    text = invoke(runner, db_url, "show", str(signed)).stdout
    assert "c2pa.edited by Adobe Firefly 3.0" in text
    assert "c2pa.created by ARRI source digitalCapture" in text
