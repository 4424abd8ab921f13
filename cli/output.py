"""One output layer for every listing: table (default), --json, --jsonl, --csv; and the one
escape for text that reaches a terminal (`printable`).

Data to stdout; the format never changes with isatty (sqlite-utils' conventions), with one
exception issue 8 asks for: a table cell wider than its column's `max_width` is shortened only
when stdout is a terminal, so a table piped to a file or a pager keeps every path whole.
Machine formats (CSV, JSON, JSONL) are never cut: they carry full SHA-256 digests and paths.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")

# What must never reach a terminal raw (issue 8: a file name holding "\n" forged a second
# record line in `prov watch`; ESC sequences reached the terminal): C0 controls, DEL, C1
# controls (U+009B is a one-character CSI), the Unicode line and paragraph separators (str
# .splitlines() and some terminals break lines there) and the bidirectional overrides that
# can make a name read backwards ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """`text` with every control character written as an escape (`\\n`, `\\x1b`, `\\u202e`),
    for a table cell or a line of text output. Paths keep the catalog's own escapes
    (store.catalog.paths.path_key writes `\\` as `\\\\`), so the result is unambiguous."""
    return _UNSAFE.sub(_escape, text)


def printable_values(value: Any) -> Any:
    """A copy of a JSON-like value with every string escaped by `printable`, for text views
    (`prov show`) built from many fields, some of them written by whoever signed the file."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {key: printable_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable_values(item) for item in value]
    return value


# JSON escapes C0 controls itself; with ensure_ascii=False it leaves DEL, C1, the line
# separators and the bidi overrides raw. They only ever occur inside JSON strings, where
# a \uXXXX escape is the same value: parsers read the same data, terminals and
# line-splitters see no control character.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps_json(value: Any, *, indent: int | None = None) -> str:
    """JSON for stdout: UTF-8 text kept readable, every control character escaped."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_line(record: dict[str, Any]) -> str:
    """One JSONL line: never holds a raw line break, whatever the record's strings hold."""
    return dumps_json(record)


@dataclass(frozen=True)
class Column:
    """A listing column. `value` gives the full value, which CSV carries as is; `shown`, if
    set, how a table shows it (a path relative to here, a timestamp to the second).
    `max_width` shortens a table cell, on a terminal only: paths keep their end ("…/shot.exr"),
    digests their start (`keep="start"`, a prefix `prov show` accepts)."""

    header: str
    value: Callable[[dict[str, Any]], Any]
    max_width: int | None = None
    shown: Callable[[dict[str, Any]], Any] | None = None
    keep: str = "end"


def format_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json / --jsonl / --csv flags, folded into one `fmt` argument."""
    for flag, help_text in (
        ("csv", "CSV with a header row."),
        ("jsonl", "One JSON record per line (streams)."),
        ("json", "One JSON array."),
    ):
        func = click.option(f"--{flag}", "fmt", flag_value=flag, help=help_text)(func)
    return click.option("--table", "fmt", flag_value="table", default=True, hidden=True)(func)


def emit(records: Iterable[dict[str, Any]], columns: Sequence[Column], fmt: str) -> int:
    """Write records in the chosen format; returns how many were written."""
    writer = {"json": _json, "jsonl": _jsonl, "csv": _csv}.get(fmt, _table)
    return writer(records, columns)


def _json(records: Iterable[dict[str, Any]], _columns: Sequence[Column]) -> int:
    items = list(records)
    click.echo(dumps_json(items, indent=2))
    return len(items)


def _jsonl(records: Iterable[dict[str, Any]], _columns: Sequence[Column]) -> int:
    count = 0
    for record in records:
        click.echo(json_line(record))
        count += 1
    return count


def _csv(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> int:
    # CSV is data: values go out whole and as they are (the csv module quotes line breaks).
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([column.header for column in columns])
    count = 0
    for record in records:
        writer.writerow([_cell(column.value(record)) for column in columns])
        count += 1
    sys.stdout.flush()
    return count


def _table(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> int:
    clip = on_terminal()
    rows = [[_table_cell(c, r, clip=clip) for c in columns] for r in records]
    headers = [column.header.upper() for column in columns]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    for line in [headers, *rows]:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
    return len(rows)


def on_terminal() -> bool:
    """Whether stdout is a terminal (tables shorten long cells only there)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stdout
        return False


def _table_cell(column: Column, record: dict[str, Any], *, clip: bool) -> str:
    text = printable(_cell((column.shown or column.value)(record)))
    if not clip or column.max_width is None or len(text) <= column.max_width:
        return text
    if column.keep == "start":
        return text[: column.max_width]
    return "…" + text[-(column.max_width - 1) :]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)
