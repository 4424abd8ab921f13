"""`prov reported TARGET... --to NAME --ref REF`: record that the intended use of the current
version of each TARGET was reported to the studio contact (issue 7). The guidance expects that
even when the risk is low: a socialize version is `to-report` until it has a report or an
approval. A report approves nothing: escalations still need `prov approve`."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any

import click

from cli.context import AppContext
from cli.errors import EXIT_USAGE, fail
from cli.options import recorded_text
from cli.output import dumps_json, printable
from cli.targets import current_version
from provenance.policy import Outcome
from store.catalog.paths import disk_change
from store.policy.approvals import PolicyState, record_report, state_of

if TYPE_CHECKING:  # the session comes from store.catalog.db; the CLI only passes it on
    from store.catalog.db import Session


@click.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "--to",
    required=True,
    callback=recorded_text,
    metavar="NAME",
    help="Who was told (the studio contact).",
)
@click.option(
    "--ref",
    required=True,
    callback=recorded_text,
    metavar="REF",
    help="Where it was reported: an e-mail, ticket or meeting-note reference.",
)
@click.option(
    "--by",
    callback=recorded_text,
    metavar="NAME",
    help="Who reported it. Default: your login name.",
)
@click.option("--note", callback=recorded_text, help="Free text kept with the report.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array: each target's state.")
@click.pass_obj
def reported(
    app: AppContext,
    targets: tuple[str, ...],
    to: str,
    ref: str,
    by: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Record that the intended use of the current version of each TARGET (a path, or 6+
    hex digits of its SHA-256) was reported to the studio contact.

    A socialize version is `to-report` (and fails `prov check --fail-on socialize`) until
    it has a report or an approval; after this it is `reported`. A report approves
    nothing: an escalate or approval-required version stays pending until `prov approve`.
    A version whose outcome is none, or that is not classified, is recorded with a
    warning. All targets are recorded, or none (an unknown target: exit 2). Like every
    decision it covers that version only, and is added to the audit log.

    \b
    Examples:
      prov reported wip/ep2/sc14/signage_v002.jpg --to "A. Chen, Netflix" --ref "mail 2026-12-01"
      prov reported ideation/moodboards/*.jpg --to "A. Chen" --ref PROD-881 --by "Jane Roe"
    """
    reporter = by if by is not None else _login_name()
    # A DecisionError is a ProvError: exit 2 with its hint (cli/errors.py), nothing recorded.
    with app.intact_catalog().transaction() as session:
        results = _report_all(session, targets, to=to, ref=ref, by=reporter, note=note)
    _print(results, to, as_json=as_json, quiet=app.quiet)


def _report_all(session: Session, targets: tuple[str, ...], **report: Any) -> list[dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    for target in targets:
        entry, version = current_version(session, target)
        if version.id in results:
            continue  # the same file named twice (a path and its SHA-256 prefix): one report
        record_report(session, entry, version, **report)
        state = state_of(session, version.id)
        results[version.id] = {
            "path": entry.path,
            "version": version.content_version,
            "sha256": version.sha256,
            "outcome": str(state.outcome) if state.outcome else None,
            "approval": state.approval(),
            "warning": "; ".join(filter(None, (_warning(state), disk_change(entry)))) or None,
        }
    return list(results.values())


def _warning(state: PolicyState) -> str | None:
    """Why this report may not be what the operator meant (it is recorded all the same: it
    happened, and the catalog keeps what happened)."""
    if state.outcome is None:
        return "not classified: the report counts once it is classified socialize"
    if state.outcome == Outcome.NONE:
        return "outcome none: nothing needed reporting"
    if state.outcome >= Outcome.ESCALATE and state.approval()["state"] == "pending":
        return f"outcome {state.outcome}: a report does not clear it; it needs `prov approve`"
    return None


def _print(results: list[dict[str, Any]], to: str, *, as_json: bool, quiet: bool) -> None:
    if as_json:
        click.echo(dumps_json(results, indent=2))
    for item in results:
        path = printable(item["path"])
        if not as_json:
            sha = (item["sha256"] or "-")[:12]
            click.echo(f"reported: {path} v{item['version']} ({sha}) to {to.strip()}")
        if item["warning"]:
            click.echo(f"warning: {path}: {printable(item['warning'])}", err=True)
        if not quiet:
            click.echo(f"approval state of {path}: {item['approval']['state']}", err=True)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        fail("cannot tell who is reporting", hint="pass --by NAME", code=EXIT_USAGE)
