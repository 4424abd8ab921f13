"""`prov ls`: the current version of every recorded path, filtered."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import click

from cli.context import AppContext
from cli.options import csv_choice, media_type
from cli.output import Column, emit, format_options
from provenance.globs import glob_regex
from provenance.model import FileStatus, Involvement
from provenance.policy import Outcome
from store.policy.approvals import with_states
from store.read.queries import UNCLASSIFIED, ListFilter, list_current
from store.read.records import version_record

STATES = ("valid", "trusted", "invalid", "none")
RISKS = (*(str(outcome) for outcome in Outcome), UNCLASSIFIED)


def _parse_since(_ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            "use a date like 2026-11-25 or 2026-11-25T14:00", param=param
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_glob(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            glob_regex(value)
        except ValueError as exc:
            raise click.BadParameter(f'{exc} (README "Globs")', param=param) from exc
    return value


def _relative(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


COLUMNS = (
    Column("path", lambda r: r["path"], max_width=70, shown=lambda r: _relative(r["path"])),
    Column("status", lambda r: r["status"]),
    Column("credentials", lambda r: _credentials_cell(r)),
    Column("ai", lambda r: r["ai"]["involvement"]),
    Column("risk", lambda r: _risk_cell(r)),
    Column("media_type", lambda r: r["media_type"]),
    Column("sha256", lambda r: r["sha256"], max_width=12, keep="start"),
)


def _risk_cell(record: dict[str, Any]) -> str:
    if record["kind"] == "orphan_sidecar":
        return "-"  # no risk of its own: judged with its asset (issue 8)
    return str(record["risk"]["outcome"] or UNCLASSIFIED)


def _credentials_cell(record: dict[str, Any]) -> str:
    credentials = record["credentials"]
    if not credentials["present"]:
        return "-"
    state = credentials["validation_state"] or "not read"
    where = "orphan sidecar" if record["kind"] == "orphan_sidecar" else credentials["location"]
    return f"{state} ({where})"


@click.command("ls")
@click.option(
    "--ai",
    "involvement",
    callback=csv_choice(tuple(Involvement)),
    metavar="KIND[,KIND]",
    help="genAI involvement: generated, edited, composite, possible, none, unknown.",
)
@click.option(
    "--state",
    "states",
    callback=csv_choice(STATES),
    metavar="STATE[,STATE]",
    help="Credential validation: valid, trusted, invalid, none (no credentials).",
)
@click.option(
    "--status",
    "statuses",
    callback=csv_choice(tuple(FileStatus)),
    metavar="STATUS[,STATUS]",
    help="How reading went: ok, no_credentials, unsupported, unreadable, error.",
)
@click.option(
    "--path",
    "path_glob",
    metavar="GLOB",
    callback=_parse_glob,
    help="Paths matching a glob; without a '/', matches the file name (*.exr); "
    "* stays in one folder, ** spans folders.",
)
@click.option(
    "--since",
    callback=_parse_since,
    metavar="DATE",
    help="Versions recorded on or after DATE (ISO 8601, UTC unless given).",
)
@click.option(
    "--media-type",
    callback=media_type,
    metavar="TYPE",
    help="image/jpeg, or a family: image, video, audio, application, font.",
)
@click.option(
    "--risk",
    callback=csv_choice(RISKS),
    metavar="OUTCOME[,OUTCOME]",
    help="Current genAI policy outcome: none, socialize, escalate, approval-required, "
    "unclassified.",
)
@click.option("--missing", is_flag=True, help="Include paths whose file has been deleted.")
@format_options
@click.pass_obj
def ls(
    app: AppContext,
    involvement: tuple[str, ...],
    states: tuple[str, ...],
    statuses: tuple[str, ...],
    path_glob: str | None,
    since: datetime | None,
    media_type: str | None,
    missing: bool,
    risk: tuple[str, ...],
    fmt: str,
) -> None:
    """List the current version of every recorded path, whatever its status.

    \b
    Examples:
      prov ls --ai generated,edited,composite      # everything genAI touched
      prov ls --state invalid --json               # tampered or broken credentials
      prov ls --path '*.exr' --since 2026-11-01 --csv > exr.csv
      prov ls --risk escalate,approval-required    # what the genAI policy flags
    """
    flt = ListFilter(involvement, states, statuses, path_glob, since, media_type, missing, risk)
    with app.catalog().session() as session:
        rows = with_states(session, list_current(session, flt))
        records = (version_record(entry, version, state) for entry, version, state in rows)
        count = emit(records, COLUMNS, fmt)
    if fmt == "table" and not app.quiet:
        click.echo(f"{count} path(s)", err=True)
