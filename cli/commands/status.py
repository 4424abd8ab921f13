"""`prov status`: the watchers feeding the catalog (from their heartbeats) and catalog totals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from cli.context import AppContext
from cli.output import Column, dumps_json, emit
from store.catalog.models import utcnow
from store.watch.heartbeats import CatalogTotals, WatcherStatus, catalog_totals, list_watchers

# Stopped watchers stay listed this long (with --all: forever), so a restart is visible.
RECENTLY_STOPPED = timedelta(days=1)

COLUMNS = (
    Column("host", lambda r: r["host"], max_width=24),
    Column("pid", lambda r: r["pid"]),
    Column("state", lambda r: r["state"]),
    Column("role", lambda r: r["role"]),
    Column("heartbeat", lambda r: _ago(r["last_heartbeat"], r["now"])),
    Column("last event", lambda r: _ago(r["last_event_at"], r["now"])),
    Column("backlog", lambda r: r["backlog"]),
    Column("ingested", lambda r: r["ingested"]),
    Column("folders", lambda r: r["folders"], max_width=60),
)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object: watchers and totals.")
@click.option("--all", "show_all", is_flag=True, help="Also watchers stopped over a day ago.")
@click.pass_obj
def status(app: AppContext, as_json: bool, show_all: bool) -> None:
    """Show the watchers recording into the catalog, and what the catalog holds.

    A watcher is `running` while it sends heartbeats (every 30 s, and after each batch of
    files it records, so its counts are current), `stale` when it has been silent for over
    two intervals (killed, host down, network lost, wedged), `stopped` once it exited
    cleanly. Totals count paths (and how many are missing), versions and distinct contents;
    statuses, genAI involvement and genAI risk are over the current version of each present
    path, and "awaiting" counts what waits for a person: a decision (`prov escalations`) or
    a report to the studio contact (`prov escalations --to-report`).

    \b
    Examples:
      prov status
      prov --db postgresql+psycopg://prov@catalog/prov status --json
    """
    now = utcnow()
    since = None if show_all else now - RECENTLY_STOPPED
    with app.catalog().session() as session:
        watchers = list_watchers(session, stopped_since=since, now=now)
        totals = catalog_totals(session)
    if as_json:
        document = {"watchers": [w.to_dict() for w in watchers], "catalog": totals.to_dict()}
        click.echo(dumps_json(document, indent=2))
        return
    _print_watchers(watchers, now)
    _print_totals(totals)


def _print_watchers(watchers: list[WatcherStatus], now: datetime) -> None:
    if not watchers:
        click.echo("no watchers (start one with `prov watch FOLDER`)")
        return
    emit(({**w.to_dict(), "now": now} for w in watchers), COLUMNS, "table")


def _print_totals(totals: CatalogTotals) -> None:
    click.echo("")
    click.echo(
        f"catalog: {totals.paths} path(s) ({totals.missing} missing), "
        f"{totals.versions} version(s), {totals.assets} distinct content(s)"
    )
    click.echo(f"status: {_counts(totals.by_status)}")
    click.echo(f"genAI involvement: {_counts(totals.by_involvement)}")
    click.echo(f"genAI risk: {_counts(totals.by_risk)}")
    awaiting = totals.awaiting
    click.echo(
        f"awaiting: {awaiting.get('decision', 0)} decision(s) (prov escalations), "
        f"{awaiting.get('report', 0)} report(s) (prov escalations --to-report)"
    )


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{n} {key}" for key, n in counter.items()) or "none"


def _ago(iso: Any, now: datetime) -> str | None:
    """'12 s ago', '5 min ago', ... for a timestamp from a record."""
    if not iso:
        return None
    seconds = max(0, int((now - datetime.fromisoformat(iso)).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"
