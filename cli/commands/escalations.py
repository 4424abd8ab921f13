"""`prov escalations`: what awaits a decision (or, with --to-report, a report to the studio
contact), grouped by production title and folder."""

from __future__ import annotations

import os
from itertools import groupby
from typing import Any

import click

from cli.context import AppContext
from cli.output import Column, emit, format_options, printable_values
from store.catalog.models import PathEntry, Version
from store.policy.approvals import PolicyState
from store.policy.gate import awaiting_decision


@click.command()
@click.option(
    "--to-report",
    is_flag=True,
    help="Instead, the socialize versions not reported to the studio contact yet.",
)
@format_options
@click.pass_obj
def escalations(app: AppContext, to_report: bool, fmt: str) -> None:
    """List the current versions whose outcome is escalate or approval-required (or that
    could not be classified) and that have no decision yet, grouped by production title
    and folder, each with the rules that fired and why.

    Decide with `prov approve` or `prov reject`; `prov show PATH` explains one file. With
    --to-report, list the socialize versions whose use still has to be reported (`prov
    reported`) instead.

    \b
    Examples:
      prov escalations
      prov escalations --json | jq 'group_by(.folder) | map({folder: .[0].folder, n: length})'
      prov escalations --to-report
    """
    with app.catalog().session() as session:
        queue = awaiting_decision(session, to_report=to_report)
        items = [escalation_record(e, v, s) for e, v, s in queue]
    items.sort(key=lambda r: (r["title"] or "", r["folder"], r["path"]))
    if fmt == "table":
        _print_groups(printable_values(items))
    else:
        emit(items, COLUMNS, fmt)
    if not app.quiet:
        waiting = "a report" if to_report else "a decision"
        click.echo(f"{len(items)} version(s) await {waiting}", err=True)


def escalation_record(entry: PathEntry, version: Version, state: PolicyState) -> dict[str, Any]:
    """One item of `prov escalations --json`."""
    risk = state.risk()
    classification = state.classification
    return {
        "title": classification.production_title if classification else None,
        "folder": os.path.dirname(entry.path),
        "path": entry.path,
        "version": version.content_version,
        "sha256": version.sha256,
        "outcome": risk["outcome"] or "unclassified",
        "role": risk["role"],
        "rules": [r for r in risk["rules"] if r["outcome"] in _shown(risk["outcome"])],
        "error": risk["error"],
    }


_AWAITING = ("escalate", "approval-required")


def _shown(outcome: str | None) -> tuple[str, ...]:
    """The rules worth listing: those that escalate, or for a socialize version its own."""
    return ("socialize",) if outcome == "socialize" else _AWAITING


COLUMNS = (
    Column("title", lambda r: r["title"]),
    Column("folder", lambda r: r["folder"], max_width=50),
    Column("path", lambda r: r["path"], shown=lambda r: os.path.basename(r["path"])),
    Column("outcome", lambda r: r["outcome"]),
    Column("rules", lambda r: [rule["id"] for rule in r["rules"]]),
    Column("sha256", lambda r: r["sha256"], max_width=12, keep="start"),
)


def _print_groups(items: list[dict[str, Any]]) -> None:
    for (title, folder), group in groupby(items, key=lambda r: (r["title"], r["folder"])):
        click.echo(f"{title or '(no production title)'}  {folder}/")
        for item in group:
            click.echo(f"  {os.path.basename(item['path'])}  v{item['version']}  {item['outcome']}")
            for rule in item["rules"]:
                click.echo(f"      {rule['id']} ({rule['outcome']}): {rule['reason']}")
            if item["error"]:
                click.echo(f"      {item['error']}")
        click.echo("")
