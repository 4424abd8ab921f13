"""`prov show PATH|SHA256-PREFIX`: everything the catalog knows about one path."""

from __future__ import annotations

from typing import Any

import click

from cli.context import AppContext
from cli.output import dumps_json, printable_values
from cli.targets import current_version
from provenance.credentials import explain_code
from provenance.manifest.assertions import active_manifest
from provenance.manifest.view import action_views, ingredient_tree
from store.catalog import paths as catalog_paths
from store.catalog.models import PathEntry, Version
from store.policy.approvals import PolicyState, decision_record, policy_states
from store.read.records import version_record


@click.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.pass_obj
def show(app: AppContext, target: str, as_json: bool) -> None:
    """Show versions, credentials (every reading: embedded, sidecar, remote), signer,
    validation codes (explained), actions, the ingredient tree, the AI evidence, the genAI
    policy's outcome (each rule that fired, why, and on what evidence), and the decisions
    on every version. A deleted file says since when, and where it moved if a watcher saw.

    TARGET is a path as scanned, or the first 6+ hex digits of a SHA-256. Exit 2 when
    nothing in the catalog matches, or several paths do.
    """
    with app.catalog().session() as session:
        entry, _current = current_version(session, target)
        versions = catalog_paths.versions_of(session, entry)
        states = policy_states(session, [version.id for version in versions])
        detail = path_detail(entry, versions, states)
    if as_json:
        click.echo(dumps_json(detail, indent=2))
    else:
        # Every string is escaped for the terminal: paths, and what the signer wrote.
        _print_text(printable_values(detail))


def path_detail(
    entry: PathEntry, versions: list[Version], states: dict[int, PolicyState] | None = None
) -> dict[str, Any]:
    """The `prov show --json` object: the JSON record of the current version, and more.
    `decisions` lists the decisions on every version, oldest first, each with its `version`
    (issue 8; the record's `approval` is the standing one of the current version)."""
    states = states or {}
    current = next(v for v in versions if v.id == entry.current_version_id)
    record = version_record(entry, current, states.get(current.id))
    store = current.manifest_store or {}
    record["validation"] = _explained(record["credentials"]["failure_codes"])
    record["actions"] = action_views(active_manifest(store)) if store else []
    record["ingredients"] = ingredient_tree(store) if store else []
    record["versions"] = [_version_line(v) for v in versions]
    record["decisions"] = _decisions(versions, states)
    return record


def _decisions(versions: list[Version], states: dict[int, PolicyState]) -> list[dict[str, Any]]:
    # Listed under the content version (issue 8): a decision on an earlier reading of the
    # same bytes carries over, so it shows with the current one.
    seq = {version.id: version.content_version for version in versions}
    rows = [d for v in versions if v.id in states for d in states[v.id].decisions]
    return [
        {**decision_record(d), "version": seq[d.version_id]}
        for d in sorted(rows, key=lambda d: d.id)
    ]


def _version_line(version: Version) -> dict[str, Any]:
    return {
        "version": version.content_version,  # issue 8: the content version
        "reading": version.seq,  # and the reading of it (scan --force re-reads)
        "recorded_at": version.recorded_at.isoformat(),
        "sha256": version.sha256,
        "status": version.status,
        "validation_state": version.validation_state,
        "involvement": version.involvement,
    }


def _print_text(detail: dict[str, Any]) -> None:
    creds = detail["credentials"]
    _section(detail["path"])
    _field("status", detail["status"] + (f" ({detail['reason']})" if detail["reason"] else ""))
    if detail["missing_since"]:
        _field("missing", f"since {detail['missing_since'][:19]}: the file is gone from disk")
    if detail["moved_to"]:
        _field("moved to", detail["moved_to"])
    _field("sha256", detail["sha256"])
    _field("media type", detail["media_type"])
    _field("size", detail["size"])
    _section("Content Credentials")
    if not creds["present"]:
        click.echo("  none found")
    else:
        _print_credentials(creds, detail["validation"])
    for extra in creds.get("additional", []):
        _section("Content Credentials, also read")
        _print_credentials(extra, _explained(extra["failure_codes"]))
    _section("Actions")
    for action in detail["actions"] or [{}]:
        click.echo("  " + _action_text(action) if action else "  none")
    _section("Ingredients")
    _print_tree(detail["ingredients"], indent=1)
    _section(f"Generative AI: {detail['ai']['involvement']}")
    for item in detail["ai"]["evidence"] or [None]:
        click.echo(_evidence_text(item) if item else "  no evidence either way")
    decisions = detail["decisions"]
    current = [d for d in decisions if d["version"] == detail["version"]]
    _print_risk(detail["risk"], detail["approval"], current)
    _section("Versions")
    shown: set[int] = set()
    for line in detail["versions"]:
        # A re-read of the same bytes is a new reading of the same version (issue 8).
        reading = f" reading {line['reading']}" if line["reading"] != line["version"] else ""
        click.echo(
            f"  v{line['version']}{reading}  {line['recorded_at'][:19]}"
            f"  {(line['sha256'] or '-')[:12]}"
            f"  {line['status']}  {line['validation_state'] or '-'}  {line['involvement']}"
        )
        if line["version"] != detail["version"] and line["version"] not in shown:
            shown.add(line["version"])  # the current one's are under Risk; once per version
            for decision in decisions:
                if decision["version"] == line["version"]:
                    click.echo(_decision_text(decision))


def _print_risk(
    risk: dict[str, Any], approval: dict[str, Any], decisions: list[dict[str, Any]]
) -> None:
    unverified = "  (unverified provenance)" if risk["unverified"] else ""
    _section(f"Risk: {risk['outcome'] or 'unclassified'}{unverified}")
    if risk["error"]:
        click.echo(f"  {risk['error']}")
    if risk["policy"]:
        policy = f"{risk['policy']['id']} {risk['policy']['version']}"
        _field("policy", f"{policy}, classified {(risk['classified_at'] or '')[:19]}")
        _field("folder role", risk["role"] or "none configured")
    for rule in risk["rules"]:
        click.echo(f"  - {rule['id']} ({rule['outcome']}): {rule['reason']}")
        for line in rule["evidence"]:
            click.echo(f"      evidence: {line}")
    _field("approval", approval["state"])
    for decision in decisions:
        click.echo(_decision_text(decision))


def _decision_text(decision: dict[str, Any]) -> str:
    scope = f" rule {decision['rule']}" if decision["rule"] else ""
    note = f": {decision['note']}" if decision["note"] else ""
    to = f" to {decision['to']}" if decision.get("to") else ""
    return (
        f"    {decision['at'][:19]}  {decision['state']}{scope} by {decision['by']}{to}"
        f" (ref {decision['ref']}){note}"
    )


def _print_credentials(creds: dict[str, Any], validation: list[dict[str, str]]) -> None:
    _field("location", creds["location"] + (f" ({creds['sidecar']})" if creds["sidecar"] else ""))
    _field("validation", creds["validation_state"] or "not read")
    for item in validation:
        click.echo(f"    - {item['code']}: {item['explanation']}")
    signer = creds["signer"]
    _field("signer", f"{signer['common_name'] or '?'} (issued by {signer['issuer'] or '?'})")
    _field("signed at", creds["signing_time"])
    _field("claim generator", creds["claim_generator"])
    _field("manifests", f"{creds['manifest_count']} ({creds['ingredient_count']} ingredients)")
    if creds["remote_url"]:
        fetched = "fetched" if creds["validation_state"] else "not fetched"
        _field("remote manifest", f"{creds['remote_url']} ({fetched})")


def _explained(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "explanation": explain_code(code)} for code in codes]


def _print_tree(ingredients: list[dict[str, Any]], indent: int) -> None:
    if not ingredients and indent == 1:
        click.echo("  none")
    for item in ingredients:
        pad = "  " * indent
        click.echo(
            f"{pad}- {item['title'] or '(untitled)'} [{item['relationship'] or '?'}]"
            + (f" signed by {item['claim_generator']}" if item["claim_generator"] else "")
        )
        for action in item["actions"]:
            click.echo(f"{pad}    {_action_text(action)}")
        _print_tree(item["ingredients"], indent + 2)


def _action_text(action: dict[str, Any]) -> str:
    parts = [str(action.get("action"))]
    if action.get("software_agent"):
        version = action.get("software_agent_version")
        parts.append(f"by {action['software_agent']}" + (f" {version}" if version else ""))
    if action.get("digital_source_type"):
        parts.append(f"source {str(action['digital_source_type']).rsplit('/', 1)[-1]}")
    return " ".join(parts)


def _evidence_text(item: dict[str, str]) -> str:
    return (
        f"  - {item['implies']}: {item['source']} = {item['value']}\n"
        f"      at {item['location']} ({item['strength']})"
    )


def _section(title: str) -> None:
    click.echo(f"\n{title}" if title[0] != "/" else title)


def _field(name: str, value: Any) -> None:
    click.echo(f"  {name + ':':<17}{value if value is not None else '-'}")
