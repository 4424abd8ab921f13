"""`prov check [PATH...] --fail-on LEVEL`: the delivery gate. Exit 3 when anything at or
above LEVEL lacks a written approval (a socialize version: a report). LEVEL defaults to
`[gate] fail_on` of prov.toml, else escalate."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.context import AppContext
from cli.errors import EXIT_GATE, EXIT_OK, fail
from cli.output import Column, emit, format_options
from provenance.config import DEFAULT_FAIL_ON, GATE_LEVELS
from provenance.policy import Outcome
from store.catalog.paths import path_key
from store.policy.gate import gate, gated_count, stale_files


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--fail-on",
    type=click.Choice([str(level) for level in GATE_LEVELS]),
    default=None,
    help="The lowest outcome that needs an approval (socialize: a report) to pass. "
    f"Default: `[gate] fail_on` in prov.toml, else {DEFAULT_FAIL_ON}.",
)
@format_options
@click.pass_obj
def check(app: AppContext, paths: tuple[Path, ...], fail_on: str | None, fmt: str) -> None:
    """Gate a delivery: list every current version under PATHS (everything catalogued when
    none are given) whose outcome is at or above --fail-on and that has no written approval
    (`prov approve`), and exit 3 if there is any; exit 0 when there is none. With
    --fail-on socialize, a socialize version also needs `prov reported` (or an approval).

    It fails closed: a rejected version, one that could not be classified, and (with PATHS)
    a file on disk that is not catalogued as it is now (new, or changed since the last
    scan, so any approval was for other content) or a folder that cannot be listed (its
    files cannot be checked) fail whatever the level. Scan first.

    Exit codes: 0 passed, 3 blocked, 2 bad option, path or config, 1 operational failure.

    \b
    Examples:
      prov scan deliveries/ep104/ && prov check deliveries/ep104/
      prov check --fail-on approval-required --json deliveries/ > gate.json || echo "blocked"
      prov check --fail-on socialize deliveries/ep104/   # every genAI use reported too
    """
    level = Outcome(fail_on) if fail_on else app.settings.gate_fail_on or DEFAULT_FAIL_ON
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}", hint="check the path", code=2)
    keys = [path_key(path) for path in paths] or None
    with app.catalog().session() as session:
        findings = stale_files(session, list(paths), app.ignore_rules()) if paths else []
        findings += gate(session, level, keys)
        if not findings and gated_count(session, keys) == 0:
            _nothing_to_check(paths)
    if findings or fmt != "table":
        emit([finding.to_dict() for finding in findings], COLUMNS, fmt)
    if not app.quiet:
        verdict = "blocked" if findings else "passed"
        click.echo(f"gate {verdict}: {len(findings)} item(s) at or above {level}", err=True)
    click.get_current_context().exit(EXIT_GATE if findings else EXIT_OK)


def _nothing_to_check(paths: tuple[Path, ...]) -> None:
    """Fail closed (issue 7): a gate with nothing to judge never passes."""
    where = f"under {', '.join(map(str, paths))}" if paths else "in the catalog"
    fail(
        f"nothing to check: no current versions {where}",
        hint="run `prov scan` on the delivery first, or check --db and the paths",
        code=EXIT_GATE,
    )


def _relative(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


COLUMNS = (
    Column("path", lambda r: r["path"], max_width=60, shown=lambda r: _relative(r["path"])),
    Column("v", lambda r: r["version"]),
    Column("sha256", lambda r: r["sha256"], max_width=12, keep="start"),
    Column("outcome", lambda r: r["outcome"]),
    Column("approval", lambda r: r["approval"]),
    Column("rules", lambda r: r["rules"]),
    Column("reason", lambda r: r["reason"]),
)
