"""One output layer for every listing: table (default), --json, --jsonl, --csv.

Data to stdout; the format never changes with isatty (sqlite-utils' conventions).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]
    max_width: int | None = None


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
    click.echo(json.dumps(items, indent=2, ensure_ascii=False))
    return len(items)


def _jsonl(records: Iterable[dict[str, Any]], _columns: Sequence[Column]) -> int:
    count = 0
    for record in records:
        click.echo(json_line(record))
        count += 1
    return count


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _csv(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([column.header for column in columns])
    count = 0
    for record in records:
        writer.writerow([_cell(column.value(record)) for column in columns])
        count += 1
    sys.stdout.flush()
    return count


def _table(records: Iterable[dict[str, Any]], columns: Sequence[Column]) -> int:
    rows = [[_clip(_cell(c.value(r)), c.max_width) for c in columns] for r in records]
    headers = [column.header.upper() for column in columns]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    for line in [headers, *rows]:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
    return len(rows)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return "…" + text[-(width - 1) :]
