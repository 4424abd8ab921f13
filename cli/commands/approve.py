"""`prov approve` and `prov reject`: record a written decision on the current version of a
path. Decisions are append-only; an approval covers exactly the version it names. The target
helpers (`current_version`, `one_path`) serve `prov reported` too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cli.context import AppContext
from cli.errors import EXIT_USAGE, fail
from store.approvals import APPROVE, REJECT, DecisionError, record_decision, state_of
from store.models import PathEntry, Version
from store.queries import resolve_target

if TYPE_CHECKING:  # the session comes from store.db; the CLI only passes it on
    from sqlalchemy.orm import Session


def _decision_options(func: Any) -> Any:
    for option in reversed(
        (
            click.argument("target"),
            click.option("--by", required=True, help="Who decides (name, role)."),
            click.option(
                "--ref",
                required=True,
                metavar="DOCUMENT-REF",
                help="The written approval: a document id, ticket or e-mail reference.",
            ),
            click.option("--note", help="Free text kept with the decision."),
        )
    ):
        func = option(func)
    return func


@click.command()
@_decision_options
@click.option("--rule", "rule_id", metavar="ID", help="Approve one rule only (e.g. AA-FINAL).")
@click.pass_obj
def approve(
    app: AppContext, target: str, by: str, ref: str, note: str | None, rule_id: str | None
) -> None:
    """Record a written approval of the current version of TARGET (a path, or 6+ hex digits
    of its SHA-256).

    The approval covers that version only: if the file changes, the new version needs a
    new approval and `prov check` fails again until it has one. Without --rule it covers
    the whole version; with --rule it covers that rule, and the version counts as approved
    once every rule that set its outcome has one (for approval-required: each AA-* rule
    that fired; see `prov show`). A later decision never edits an earlier one: it is
    added, and the latest counts. Approving a socialize version also records that its
    use was shared (it no longer needs `prov reported`).

    \b
    Examples:
      prov approve final/vfx/ETN_106_045_010.jpg --by "M. Ortiz, Netflix" --ref LEGAL-2291
      prov approve 3fa9c2e1 --by "Legal" --ref "mail 2026-11-20" --rule AA-MISLEADING
    """
    _decide(app, target, APPROVE, by=by, ref=ref, note=note, rule_id=rule_id)


@click.command()
@_decision_options
@click.pass_obj
def reject(app: AppContext, target: str, by: str, ref: str, note: str | None) -> None:
    """Record a written rejection of the current version of TARGET: `prov check` fails for
    it until a later approval (of that version) or a new version.

    \b
    Examples:
      prov reject final/archival/still_014.jpg --by "Legal" --ref LEGAL-2292 \\
          --note "presented as authentic; replace with the original photograph"
    """
    _decide(app, target, REJECT, by=by, ref=ref, note=note, rule_id=None)


def _decide(app: AppContext, target: str, decision: str, **fields: Any) -> None:
    policy = app.policy_inputs().policy
    try:
        with app.intact_catalog().transaction() as session:
            entry, version = current_version(session, target)
            record_decision(session, entry, version, decision=decision, policy=policy, **fields)
            approval = state_of(session, version.id).approval()
            sha = (version.sha256 or "-")[:12]
            line = f"{_DONE[decision]}: {entry.path} v{version.content_version} ({sha})"
    except DecisionError as exc:
        fail(str(exc), hint=exc.hint, code=EXIT_USAGE)
    click.echo(line)
    if not app.quiet:
        click.echo(f"approval state: {approval['state']}", err=True)


_LS_HINT = "run `prov ls` to see paths"
_DONE = {APPROVE: "approved", REJECT: "rejected"}


def current_version(session: Session, target: str) -> tuple[PathEntry, Version]:
    """The catalogued path TARGET names and its current version; a usage error otherwise."""
    entry = one_path(resolve_target(session, target), target)
    version = entry.current_version
    if version is None:
        fail(f"{entry.path} has no recorded version", hint="run `prov scan` on it")
    return entry, version


def one_path(entries: list[PathEntry], target: str) -> PathEntry:
    """The one catalogued path TARGET named (a path or a SHA-256 prefix), or a usage error."""
    if not entries:
        fail(f"nothing in the catalog matches {target!r}", hint=_LS_HINT, code=EXIT_USAGE)
    if len(entries) > 1:
        names = "\n  ".join(entry.path for entry in entries[:10])
        fail(
            f"{target!r} matches {len(entries)} paths:\n  {names}",
            hint="give a longer SHA-256 prefix or the path",
            code=EXIT_USAGE,
        )
    return entries[0]
