"""Issue 10: every TOML file (config, policy, declarations, data tables) is read under limits in
provenance/toml_schema.py. A hostile file (nested thousands of levels, a dotted key of 100,000
parts, a non-UTF-8 byte, an oversize file) is a SchemaError naming the file, the problem and
where, raised by a linear pre-scan before tomllib sees the text; real files still parse."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from provenance.errors import SchemaError
from provenance.toml_schema import (
    MAX_KEY_SEGMENTS,
    MAX_TOML_BYTES,
    MAX_TOML_DEPTH,
    MAX_TOML_KEYS,
    parse_toml,
    read_toml,
)

# The hostile files of the table (and their inline-table and key-count cousins).
HOSTILE: dict[str, tuple[bytes, str]] = {
    "nested arrays": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than"),
    "nested tables": (b"a = " + b"{b=" * 5000 + b"1" + b"}" * 5000 + b"\n", "nested more than"),
    "dotted key": (b"a" + b".a" * 100_000 + b" = 1\n", "dotted key of more than"),
    "dotted header": (b"[a" + b".a" * 100_000 + b"]\n", "dotted key of more than"),
    "non-UTF-8": (b'x = 1\nuse_case = "final\xff"\n', "not valid UTF-8: byte 0xff at offset"),
    "oversize": (b"# " + b"x" * MAX_TOML_BYTES + b"\n", "too large"),
    "many keys": (b"".join(b"k%d = 1\n" % i for i in range(MAX_TOML_KEYS + 1)), "more than"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_a_schema_error_naming_the_file(name: str, tmp_path: Path) -> None:
    content, problem = HOSTILE[name]
    path = tmp_path / "hostile.toml"
    path.write_bytes(content)
    with pytest.raises(SchemaError) as caught:
        read_toml(path)
    assert caught.value.file == str(path)
    assert problem in str(caught.value)


def test_the_dotted_key_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    # tomllib on this 200 KB file grows to tens of GB; refused by the pre-scan it costs nothing.
    # A sanity bound on the whole process, not a timing: far below the GB tomllib would need.
    path = tmp_path / "bomb.toml"
    path.write_bytes(b"a" + b".a" * 100_000 + b" = 1\n")
    with pytest.raises(SchemaError):
        read_toml(path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 2048


def test_the_utf8_error_names_the_line() -> None:
    with pytest.raises(SchemaError, match=r"offset 18 \(line 2\)"):
        parse_toml(b'x = 1\nuse_case = "\xff"\n', "d.toml")


def test_an_oversize_text_is_refused_too() -> None:
    with pytest.raises(SchemaError, match="too large"):
        parse_toml("#" * (MAX_TOML_BYTES + 1), "big.toml")


def test_files_at_the_limits_still_parse() -> None:
    deep = "a = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH + "\n"
    dotted = ".".join(["k"] * (MAX_KEY_SEGMENTS - 1)) + " = 1\n"
    keys = "".join(f"k{i} = 1\n" for i in range(MAX_TOML_KEYS))
    for text in (deep, dotted, keys):
        assert parse_toml(text, "ok.toml")


def test_brackets_dots_and_equals_in_strings_and_comments_are_not_counted() -> None:
    noise = "[{.=" * 1000
    text = (
        f'a = "{noise}"\nb = \'{noise}\'\nc = """\n{noise}\n"""\n'
        f"d = '''{noise}'''\n# {noise}\ne = \"q\\\"{noise}\"\nf = [1.5, 2.5]\n"
        "[t.u]\nv = 1979-05-27T07:32:00.999\n[[w]]\nx = {y.z = 1}\n"
    )
    data = parse_toml(text, "ok.toml")
    assert data["a"] == noise and data["e"] == 'q"' + noise and data["w"][0]["x"] == {"y": {"z": 1}}


def test_invalid_toml_is_still_named_as_such() -> None:
    with pytest.raises(SchemaError, match="not valid TOML"):
        parse_toml("[catalog\n", "prov.toml")


def test_the_shipped_tables_parse_under_the_limits() -> None:
    root = Path(__file__).resolve().parents[2]
    shipped = [p for p in root.joinpath("provenance").rglob("*.toml")]
    assert shipped
    for path in shipped:
        assert read_toml(path)
