"""`prov approve` and `prov reject`: record a written decision on the current version of a
path. Decisions are append-only; an approval covers exactly the version it names. A decision
on a file that changed on disk since it was catalogued, or an approval nothing needed, is
recorded with a warning (issue 8)."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext
from cli.options import recorded_text
from cli.output import printable
from cli.targets import current_version
from provenance.policy import Outcome
from store.catalog.models import PathEntry, Version
from store.catalog.paths import disk_change
from store.policy.approvals import APPROVE, REJECT, PolicyState, record_decision, state_of


def _decision_options(func: Any) -> Any:
    for option in reversed(
        (
            click.argument("target"),
            click.option(
                "--by", required=True, callback=recorded_text, help="Who decides (name, role)."
            ),
            click.option(
                "--ref",
                required=True,
                callback=recorded_text,
                metavar="DOCUMENT-REF",
                help="The written approval: a document id, ticket or e-mail reference.",
            ),
            click.option(
                "--note", callback=recorded_text, help="Free text kept with the decision."
            ),
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
    # A DecisionError is a ProvError: exit 2 with its hint (cli/errors.py), nothing recorded.
    with app.intact_catalog().transaction() as session:
        entry, version = current_version(session, target)
        record_decision(session, entry, version, decision=decision, policy=policy, **fields)
        state = state_of(session, version.id)
        warnings = _warnings(entry, version, state, decision)
        sha = (version.sha256 or "-")[:12]
        line = f"{_DONE[decision]}: {printable(entry.path)} v{version.content_version} ({sha})"
    click.echo(line)
    for warning in warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    if not app.quiet:
        click.echo(f"approval state: {state.approval()['state']}", err=True)


def _warnings(entry: PathEntry, version: Version, state: PolicyState, decision: str) -> list[str]:
    """Why a decision may not be what the operator meant. It is recorded all the same: it
    was made, and the catalog keeps what happened."""
    warnings = []
    change = disk_change(entry)
    if change is not None:
        warnings.append(f"{entry.path}: {change}; the decision covers v{version.seq} as catalogued")
    needless = _needless(state) if decision == APPROVE else None
    if needless is not None:
        warnings.append(f"{entry.path}: {needless}")
    return warnings


def _needless(state: PolicyState) -> str | None:
    """Why an approval may not be what the operator meant."""
    if state.outcome is None:
        return "not classified: it fails `prov check` until it is, approved or not"
    if state.outcome == Outcome.NONE:
        return "outcome none: nothing needed approving"
    return None


_DONE = {APPROVE: "approved", REJECT: "rejected"}
