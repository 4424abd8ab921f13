"""`prov audit log [TARGET]` and `prov audit verify`: the hash-chained history of ingests,
classifications, declarations, approvals and rejections."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from cli.context import AppContext
from cli.errors import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, fail
from cli.output import Column, emit, format_options, printable
from store.audit.chain import event_record, events_for, verify_chain
from store.audit.guard import ExpectedHead, head_problem, parse_head, seq_of
from store.audit.rows import check_rows_against_log
from store.catalog.paths import path_key


@click.group()
def audit() -> None:
    """The audit log: every ingest, classification, declaration, approval and rejection,
    and every move, deletion or return of a file, in order. Each entry stores the hash of
    the one before it, so an entry edited or deleted in the database breaks the chain, and
    `prov audit verify` names where.

    \b
    Examples:
      prov audit log final/vfx/ETN_106_045_010.jpg
      prov audit log --jsonl > audit-2026-11.jsonl
      prov audit verify > head.txt
      prov audit verify --expect-head-file head.txt
    """


@audit.command()
@click.argument("target", required=False)
@format_options
@click.pass_obj
def log(app: AppContext, target: str | None, fmt: str) -> None:
    """The history of TARGET (a file, a folder, or 6+ hex digits of a SHA-256), or of
    everything, oldest first.

    \b
    Examples:
      prov audit log deliveries/final/
      prov audit log 3fa9c2e1 --json
    """
    with app.catalog().session() as session:
        rows = events_for(session, **_selector(target))
        records = [event_record(row) for row in rows]
    if target is not None and not records:
        fail(f"nothing in the audit log matches {target!r}", hint=_LOG_HINT, code=EXIT_USAGE)
    count = emit(records, COLUMNS, fmt)
    if fmt == "table" and not app.quiet:
        click.echo(f"{count} event(s)", err=True)


_LOG_HINT = "give a path or folder as scanned, or 6+ hex digits of a SHA-256"


def _selector(target: str | None) -> dict[str, Any]:
    if target is None:
        return {}
    hexdigits = len(target) >= 6 and all(c in "0123456789abcdefABCDEF" for c in target)
    if hexdigits and not os.path.exists(target):
        return {"sha_prefix": target}
    return {"paths": [path_key(target)]}


def _summary(record: dict[str, Any], *, whole: bool = False) -> str:
    """One line about an event; `whole` (CSV) keeps paths absolute, as stored."""
    p, kind = record["payload"], record["kind"]
    if kind == "move" and whole:
        return f"moved to {p.get('to')}"
    if kind == "ingest":
        status = f"{p.get('status')}, ai {p.get('involvement')}"
        return f"v{p.get('version')} {p.get('action')}: {status}"
    if kind == "classify":
        outcome = p.get("outcome") or f"unclassified ({p.get('error')})"
        return f"{outcome} [{','.join(p.get('rules') or [])}]"
    if kind == "declare":
        fields = {k: v for k, v in p["fields"].items() if k != "declared_by"}
        return f"by {p.get('by')}: " + ", ".join(f"{k}={v}" for k, v in fields.items())
    if kind in _PATH_KINDS:
        return _PATH_KINDS[kind](p)
    rule = f" rule {p['rule']}" if p.get("rule") else ""
    return f"v{p.get('version')} by {p.get('by')}, ref {p.get('ref')}{rule}"


_PATH_KINDS = {
    "move": lambda p: f"moved to {_relative(p.get('to'))}",
    "missing": lambda _p: "missing: the file is gone",
    "path": lambda p: {
        "back": "back on disk",
        "paired": "sidecar paired with its asset",
        "reread": "re-read: same content",
    }.get(p.get("change"), f"path row: {p.get('change')}"),
}


def _relative(path: str | None) -> str | None:
    if path is None:
        return None
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


COLUMNS = (
    Column("seq", lambda r: r["seq"]),
    Column("at", lambda r: r["created_at"], shown=lambda r: r["created_at"][:19]),
    Column("kind", lambda r: r["kind"]),
    Column("target", lambda r: r["target"], max_width=60, shown=lambda r: _relative(r["target"])),
    Column("summary", lambda r: _summary(r, whole=True), shown=_summary),
)


@audit.command()
@click.option("--allow-empty", is_flag=True, help="An empty log verifies (exit 0).")
@click.option(
    "--expect-head",
    metavar="[SEQ:]HASH",
    help="A head printed by an earlier verify: exit 1 unless the log still reaches it.",
)
@click.option(
    "--expect-head-file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="A file holding such a head (the saved output of `prov audit verify`).",
)
@click.pass_obj
def verify(
    app: AppContext, allow_empty: bool, expect_head: str | None, expect_head_file: Path | None
) -> None:
    """Recompute the hash chain and check every decision, classification, declaration,
    version and path row against the entry that recorded it.

    Exit 0: "N events verified" and the head of the chain on stdout. Keep that line
    somewhere else (the delivery notes): entries cut off the end of the log are only
    detectable against a head recorded earlier, with --expect-head or --expect-head-file.
    Exit 1: the first broken entry and what is wrong with it (edited, or entries before it
    deleted), a row that differs from its entry, an expected head the log no longer
    reaches, or an empty log (unless --allow-empty).

    \b
    Examples:
      prov audit verify > head-2026-11-20.txt
      prov audit verify --expect-head-file head-2026-11-20.txt
      prov --db postgresql+psycopg://auditor@dbhost/prov audit verify
    """
    expected = _expected_head(expect_head, expect_head_file)
    added = 0
    with app.catalog().session() as session:
        report = verify_chain(session)
        problems = check_rows_against_log(session) if report.ok else []
        if report.ok and expected is not None:
            problem = head_problem(session, expected, report.head_seq or 0)
            problems += [problem] if problem else []
            if problem is None:
                added = (report.head_seq or 0) - seq_of(session, expected)
    if report.broken is not None:
        click.echo(printable(f"event {report.broken.seq}: {report.broken.problem}"))
    for problem in problems:
        click.echo(printable(problem))
    if report.broken is not None or problems:
        _exit_broken("the audit log does not verify")
    if report.count == 0 and not allow_empty:
        click.echo("the audit log is empty: there is nothing to verify")
        _exit_broken("an empty log verifies nothing (--allow-empty accepts it)")
    click.echo(f"{report.count} events verified; head {report.head_seq or 0} {report.head_hash}")
    if expected is not None and not app.quiet:
        click.echo(f"the expected head is in the log; {added} event(s) added since", err=True)
    click.get_current_context().exit(EXIT_OK)


def _exit_broken(message: str) -> None:
    click.echo(message, err=True)
    click.get_current_context().exit(EXIT_FAILURES)


def _expected_head(value: str | None, file: Path | None) -> ExpectedHead | None:
    """--expect-head or the head in --expect-head-file; a usage error when unreadable."""
    if value is not None and file is not None:
        fail("give --expect-head or --expect-head-file, not both", code=EXIT_USAGE)
    if file is not None:
        try:
            value = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}", code=EXIT_USAGE)
    if value is None:
        return None
    expected = parse_head(value)
    if expected is None:
        where = f"in {file}" if file is not None else f"in {value!r}"
        fail(f"no head {where}", hint=_HEAD_HINT, code=EXIT_USAGE)
    return expected


_HEAD_HINT = "give HASH, SEQ:HASH, or the line `prov audit verify` printed (head SEQ HASH)"
