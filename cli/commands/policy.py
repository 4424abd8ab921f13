"""`prov policy show` and `prov policy validate [FILE]`: the genAI risk policy in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.context import AppContext
from cli.errors import EXIT_USAGE, fail
from cli.output import dumps_json
from provenance.policy import Policy, PolicyError, Rule, load_policy
from store.policy.classify import PolicyInputs


@click.group()
def policy() -> None:
    """The genAI risk policy: which rules decide an asset's outcome, and why.

    The shipped policy encodes Netflix's partner guidance on generative AI. A studio can use
    its own file: `prov --policy FILE ...` or `[policy] file = "..."` in prov.toml
    (docs/policy.md describes the format).

    \b
    Examples:
      prov policy show                      # every rule: id, outcome, question, text
      prov policy show --json | jq '.rules[] | select(.outcome == "approval-required")'
      prov policy validate studio-policy.toml
    """


@policy.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.pass_obj
def show(app: AppContext, as_json: bool) -> None:
    """Show the policy in use: its id and version, switches, and every rule with its id,
    question, outcome and the text users see; then the production config and tool registry.

    Outcomes, least to most severe: none < socialize < escalate < approval-required. An
    asset gets the most severe outcome of the rules that fire for it.

    \b
    Examples:
      prov policy show
      prov --policy studio-policy.toml policy show --json
    """
    inputs = app.policy_inputs()
    detail = policy_detail(inputs)
    if as_json:
        click.echo(dumps_json(detail, indent=2))
    else:
        _print_policy(detail)


@policy.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def validate(app: AppContext, file: Path | None) -> None:
    """Check a policy file: exit 0 when it is valid, 2 with the file, key and problem.

    Without FILE, checks what this command line would use: the policy (--policy or
    [policy] file), the tool registry ([tools] file) and the [production] table.

    \b
    Examples:
      prov policy validate studio-policy.toml
      prov policy validate                   # the configured policy, registry, production
    """
    if file is None:
        inputs = app.policy_inputs()
        click.echo(f"ok: {_describe(inputs.policy)}; {_tools_line(inputs)}")
        return
    try:
        loaded = load_policy(file)
    except PolicyError as exc:
        fail(str(exc), hint="docs/policy.md describes the policy format", code=EXIT_USAGE)
    click.echo(f"ok: {_describe(loaded)}")


def policy_detail(inputs: PolicyInputs) -> dict[str, Any]:
    """The JSON shape of `prov policy show --json`."""
    p, production = inputs.policy, inputs.production
    return {
        "policy": {"id": p.id, "version": p.version, "title": p.title, "source": p.source},
        "switches": {"escalate_unverified_in_final": p.switches.escalate_unverified_in_final},
        "rules": [_rule_record(rule) for rule in p.rules],
        "production": {
            "title": production.title or None,
            "kind": str(production.kind),
            "folders": [{"glob": glob, "role": str(role)} for glob, role in production.folders],
        },
        "tools": {"source": inputs.tools.source, "count": len(inputs.tools.tools)},
    }


def _rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "kind": str(rule.kind),
        "outcome": str(rule.outcome),
        "enabled": rule.enabled,
        "title": rule.title,
        "question": rule.question,
        "text": rule.text,
        "related": list(rule.related),
    }


def _describe(p: Policy) -> str:
    enabled = sum(1 for rule in p.rules if rule.enabled)
    return f"{p.source}: policy {p.id} {p.version}, {len(p.rules)} rules ({enabled} enabled)"


def _tools_line(inputs: PolicyInputs) -> str:
    production = inputs.production
    shown = (
        f"production {production.title!r} ({production.kind})"
        if production.title
        else ("no [production] table")
    )
    return f"{len(inputs.tools.tools)} tools from {inputs.tools.source}; {shown}"


def _print_policy(detail: dict[str, Any]) -> None:
    p = detail["policy"]
    click.echo(f"{p['title'] or p['id']}\n  id {p['id']}, version {p['version']}")
    click.echo(f"  from {p['source']}")
    for name, value in detail["switches"].items():
        click.echo(f"  switch {name} = {str(value).lower()}")
    for rule in detail["rules"]:
        off = "" if rule["enabled"] else "  (disabled)"
        click.echo(f"\n{rule['id']}  {rule['outcome']}  [{rule['kind']}]  {rule['title']}{off}")
        click.echo(f"  question: {rule['question']}")
        click.echo(f"  text:     {rule['text']}")
    _print_production(detail["production"], detail["tools"])


def _print_production(production: dict[str, Any], tools: dict[str, Any]) -> None:
    click.echo("\nProduction")
    if not production["title"]:
        click.echo("  none configured: no folder roles; add [production] to prov.toml")
    else:
        click.echo(f"  {production['title']} ({production['kind']})")
    for folder in production["folders"]:
        click.echo(f"  {folder['role']:<9} {folder['glob']}")
    click.echo(f"\nTool registry\n  {tools['count']} tools from {tools['source']}")
