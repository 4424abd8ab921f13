"""`prov audit log [TARGET]` and `prov audit verify`: the hash-chained history of ingests,
classifications, declarations, approvals and rejections."""

from __future__ import annotations

import os
from typing import Any

import click

from cli.context import AppContext
from cli.errors import EXIT_FAILURES, EXIT_OK
from cli.output import Column, emit, format_options
from store.audit import check_rows_against_log, event_record, events_for, verify_chain
from store.repository import path_key


@click.group()
def audit() -> None:
    """The audit log: every ingest, classification, declaration, approval and rejection,
    in order. Each entry stores the hash of the one before it, so an entry edited or
    deleted in the database breaks the chain, and `prov audit verify` names where.

    \b
    Examples:
      prov audit log final/vfx/ETN_106_045_010.jpg
      prov audit log --jsonl > audit-2026-11.jsonl
      prov audit verify
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
    count = emit(records, COLUMNS, fmt)
    if fmt == "table" and not app.quiet:
        click.echo(f"{count} event(s)", err=True)


def _selector(target: str | None) -> dict[str, Any]:
    if target is None:
        return {}
    hexdigits = len(target) >= 6 and all(c in "0123456789abcdefABCDEF" for c in target)
    if hexdigits and not os.path.exists(target):
        return {"sha_prefix": target}
    return {"paths": [path_key(target)]}


def _summary(record: dict[str, Any]) -> str:
    p, kind = record["payload"], record["kind"]
    if kind == "ingest":
        status = f"{p.get('status')}, ai {p.get('involvement')}"
        return f"v{p.get('version')} {p.get('action')}: {status}"
    if kind == "classify":
        outcome = p.get("outcome") or f"unclassified ({p.get('error')})"
        return f"{outcome} [{','.join(p.get('rules') or [])}]"
    if kind == "declare":
        fields = {k: v for k, v in p["fields"].items() if k != "declared_by"}
        return f"by {p.get('by')}: " + ", ".join(f"{k}={v}" for k, v in fields.items())
    rule = f" rule {p['rule']}" if p.get("rule") else ""
    return f"v{p.get('version')} by {p.get('by')}, ref {p.get('ref')}{rule}"


def _relative(path: str | None) -> str | None:
    if path is None:
        return None
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


COLUMNS = (
    Column("seq", lambda r: r["seq"]),
    Column("at", lambda r: r["created_at"][:19]),
    Column("kind", lambda r: r["kind"]),
    Column("target", lambda r: _relative(r["target"]), max_width=60),
    Column("summary", _summary),
)


@audit.command()
@click.pass_obj
def verify(app: AppContext) -> None:
    """Recompute the hash chain and check every decision, classification, declaration and
    version against the entry that recorded it.

    Exit 0: "N events verified" and the head of the chain (keep it somewhere else, e.g. in
    the delivery notes: deleting the newest entries is only detectable against a head
    recorded earlier). Exit 1: the first broken entry and what is wrong with it: its
    content changed (edited), or entries before it are missing (deleted).

    \b
    Examples:
      prov audit verify
      prov --db postgresql+psycopg://auditor@dbhost/prov audit verify
    """
    with app.catalog().session() as session:
        report = verify_chain(session)
        problems = check_rows_against_log(session) if report.ok else []
    if report.broken is not None:
        click.echo(f"event {report.broken.seq}: {report.broken.problem}")
    for problem in problems:
        click.echo(problem)
    if report.broken is not None or problems:
        click.echo("the audit log does not verify", err=True)
        click.get_current_context().exit(EXIT_FAILURES)
    click.echo(f"{report.count} events verified; head {report.head_seq} {report.head_hash}")
    click.get_current_context().exit(EXIT_OK)
