"""Issue 8, output: control characters in file names (and in what a signer wrote) never reach
a terminal or a line of text output raw; JSONL stays one record per line; machine formats
(CSV, JSON) are never cut; tables shorten only on a terminal; enum-like filters reject unknown
values. Real files (unsigned and signed with the dev CA), real catalogs, click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import prov
from cli.output import dumps_json, printable
from provenance.c2pa_io import action
from store.catalog.paths import path_key
from tests.conftest import SignJpeg, write_jpeg

# Everything but the line feed that ends each line: no such character may be printed raw.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A name that, printed raw, forges a second `prov watch` line and clears the screen; NEL and
# U+2028 break str.splitlines(), U+009B is a one-character CSI, U+202E reverses the text.
FORGED = "a.jpg\nnew       ok             generated forged.jpg"
NAMES = (FORGED, "b\x1b[2J\x1b]0;title\x07.jpg", "c\x85d\u2028e\x9b31m\u202egpj.jpg", "plain.jpg")
EVIL_AGENT = "Evil Tool\x1b[31m\nforged line"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, db_url: str, *args: str) -> Result:
    return runner.invoke(prov, ["--db", db_url, *args], catch_exceptions=False)


def raw_controls(result: Result) -> list[str]:
    return RAW_CONTROL.findall(result.stdout) + RAW_CONTROL.findall(result.stderr)


@pytest.fixture
def hostile(tmp_path: Path, sign_jpeg: SignJpeg) -> Path:
    """Files whose names hold control characters, one empty (its failure line names it on
    stderr), and a signed file whose credentials name a tool with an escape sequence."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    for index, name in enumerate(NAMES):
        write_jpeg(folder / name, (index * 40, 90, 120))
    (folder / "empty\x1b[0m\n.jpg").write_bytes(b"")
    signed = sign_jpeg(
        "signed.jpg",
        actions=[
            action(
                "c2pa.created",
                digital_source_type="digitalCapture",
                software_agent=EVIL_AGENT,
            )
        ],
    )
    signed.rename(folder / "signed.jpg")
    return folder


def test_printable_escapes_every_control_character() -> None:
    assert printable("a\nb\r\t\x00\x1b[0m\x7f\x85\x9b\u2028\u202ez é") == (
        "a\\nb\\r\\t\\x00\\x1b[0m\\x7f\\x85\\x9b\\u2028\\u202ez é"
    )
    assert printable("/plain/path/é.jpg") == "/plain/path/é.jpg"


def test_json_escapes_what_json_leaves_raw_and_parses_back() -> None:
    value = {"path": "x\x7f\x85\x9b\u2028\u2029\u202e\n\x1b.jpg"}
    text = dumps_json(value)
    assert not RAW_CONTROL.search(text) and len(text.splitlines()) == 1
    assert json.loads(text) == value
    assert json.loads(dumps_json([value], indent=2)) == [value]


def test_scan_text_and_jsonl_never_print_a_raw_control_character(
    runner: CliRunner, db_url: str, hostile: Path
) -> None:
    text = invoke(runner, db_url, "scan", str(hostile))
    assert text.exit_code == 1  # the empty file
    assert "unreadable: " in text.stderr and "empty\\x1b[0m\\n.jpg" in text.stderr
    assert raw_controls(text) == []

    forced = invoke(runner, db_url, "scan", "--force", "--jsonl", str(hostile))
    assert raw_controls(forced) == []
    lines = forced.stdout.splitlines()  # the strictest splitter: NEL, U+2028 break lines too
    records = [json.loads(line) for line in lines]
    assert len(records) == len(NAMES) + 2  # one line per file
    assert {r["path"] for r in records} == {path_key(path) for path in hostile.iterdir()}


def test_listings_and_show_escape_names_and_signer_text(
    runner: CliRunner, db_url: str, hostile: Path
) -> None:
    invoke(runner, db_url, "scan", str(hostile))
    table = invoke(runner, db_url, "ls")
    assert raw_controls(table) == []
    assert len(table.stdout.splitlines()) == 1 + len(NAMES) + 2  # header + one row per file
    assert any(
        line.startswith(printable(path_key(hostile / FORGED))) for line in table.stdout.splitlines()
    )
    rows = list(csv.DictReader(io.StringIO(invoke(runner, db_url, "ls", "--csv").stdout)))
    assert path_key(hostile / FORGED) in {row["path"] for row in rows}  # CSV is data: as is

    shown = invoke(runner, db_url, "show", str(hostile / "signed.jpg"))
    assert shown.exit_code == 0 and raw_controls(shown) == []
    assert "by Evil Tool\\x1b[31m\\nforged line" in shown.stdout
    detail = json.loads(
        invoke(runner, db_url, "show", str(hostile / "signed.jpg"), "--json").stdout
    )
    assert detail["actions"][0]["software_agent"] == EVIL_AGENT  # JSON keeps the value
    named = invoke(runner, db_url, "show", str(hostile / NAMES[1]))
    assert named.exit_code == 0 and raw_controls(named) == []
    audit = invoke(runner, db_url, "audit", "log")
    assert audit.exit_code == 0 and raw_controls(audit) == []


def test_watch_once_prints_one_line_per_change_and_escapes_names(
    runner: CliRunner, db_url: str, hostile: Path
) -> None:
    text = invoke(runner, db_url, "watch", "--once", str(hostile))
    assert raw_controls(text) == []
    lines = text.stdout.splitlines()
    assert len(lines) == len(NAMES) + 2  # a name holding "\n" forged a second line here
    assert sum(line.startswith("new ") for line in lines) == len(lines)
    assert any(printable(FORGED) in line for line in lines)

    for path in hostile.iterdir():
        path.unlink()  # every path goes missing: the next run prints those changes
    jsonl = invoke(runner, db_url, "watch", "--once", "--jsonl", str(hostile))
    assert raw_controls(jsonl) == []
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == len(NAMES) + 2
    assert path_key(hostile / NAMES[2]) in {record["path"] for record in records}


def test_errors_naming_a_path_escape_it(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = invoke(runner, db_url, "scan", str(tmp_path / "gone\x1b[2J\nerror: forged"))
    assert result.exit_code == 2
    assert raw_controls(result) == []
    assert len(result.stderr.splitlines()) == 2  # error + hint: nothing forged
    assert "gone\\x1b[2J\\nerror: forged" in result.stderr


# --- machine output is never cut -------------------------------------------------------------

LONG = "a-folder-name-long-enough-that-a-table-would-shorten-it/" * 2


@pytest.fixture
def long_delivery(tmp_path: Path, sign_jpeg: SignJpeg) -> Path:
    """A generated still (it escalates: the gate and the queue list it) in a deep folder."""
    folder = tmp_path / "delivery" / LONG
    folder.mkdir(parents=True)
    generated = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]
    return sign_jpeg("still_0001.jpg", actions=generated).rename(folder / "still_0001.jpg")


def test_csv_and_json_carry_full_digests_and_paths(
    runner: CliRunner, db_url: str, long_delivery: Path
) -> None:
    invoke(runner, db_url, "scan", str(long_delivery.parent))
    (record,) = json.loads(invoke(runner, db_url, "ls", "--json").stdout)
    assert len(record["sha256"]) == 64 and record["path"] == str(long_delivery)
    (row,) = csv.DictReader(io.StringIO(invoke(runner, db_url, "ls", "--csv").stdout))
    assert (row["path"], row["sha256"]) == (str(long_delivery), record["sha256"])

    check = invoke(runner, db_url, "check", "--csv", str(long_delivery.parent))
    assert check.exit_code == 3  # generated, no declaration: escalate
    (gate_row,) = csv.DictReader(io.StringIO(check.stdout))
    assert (gate_row["path"], gate_row["sha256"]) == (str(long_delivery), record["sha256"])

    (queued,) = csv.DictReader(io.StringIO(invoke(runner, db_url, "escalations", "--csv").stdout))
    assert (queued["path"], queued["sha256"]) == (str(long_delivery), record["sha256"])
    events = list(
        csv.DictReader(io.StringIO(invoke(runner, db_url, "audit", "log", "--csv").stdout))
    )
    assert events[0]["target"] == str(long_delivery)
    assert (
        events[0]["at"]
        == json.loads(invoke(runner, db_url, "audit", "log", "--json").stdout)[0]["created_at"]
    )  # to the microsecond and with its offset


def test_tables_shorten_only_on_a_terminal(
    runner: CliRunner, db_url: str, long_delivery: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, db_url, "scan", str(long_delivery.parent))
    sha = json.loads(invoke(runner, db_url, "ls", "--json").stdout)[0]["sha256"]
    piped = invoke(runner, db_url, "ls").stdout
    assert str(long_delivery) in piped and sha in piped and "…" not in piped

    monkeypatch.setattr("cli.output.on_terminal", lambda: True)
    terminal = invoke(runner, db_url, "ls").stdout
    assert str(long_delivery) not in terminal and sha not in terminal
    row = terminal.splitlines()[1]
    assert row.startswith("…") and "still_0001.jpg" in row and sha[:12] in row.split()


# --- enum-like filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--media-type", "imagee"], ["image, video", "image/jpeg", "image/x-exr"]),
        (["--media-type", "image/jpg"], ["not a media type prov records", "image/jpeg"]),
        (["--media-type", ""], ["not a media type prov records"]),
        (["--ai", ""], ["is not one of generated"]),
        (["--state", "valid,tusted"], ["'tusted' is not one of valid, trusted, invalid, none"]),
        (["--status", "okay"], ["no_credentials"]),
        (["--risk", "high"], ["approval-required, unclassified"]),
    ],
    ids=["family", "type", "empty-type", "empty-ai", "state", "status", "risk"],
)
def test_ls_filters_reject_unknown_values_and_list_the_valid_ones(
    runner: CliRunner, db_url: str, args: list[str], expected: list[str]
) -> None:
    result = invoke(runner, db_url, "ls", *args)
    assert result.exit_code == 2
    assert all(text in result.stderr for text in expected), result.stderr


def test_ls_media_type_accepts_types_and_families(
    runner: CliRunner, db_url: str, long_delivery: Path
) -> None:
    invoke(runner, db_url, "scan", str(long_delivery.parent))
    for value, count in (("image", 1), ("IMAGE/*", 1), ("image/jpeg", 1), ("video", 0)):
        result = invoke(runner, db_url, "ls", "--media-type", value, "--json")
        assert result.exit_code == 0, result.stderr
        assert len(json.loads(result.stdout)) == count, value
