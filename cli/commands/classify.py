"""`prov classify [PATH...]`: re-evaluate current versions after a policy or declaration
change; the classification history is kept."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from cli.context import AppContext
from cli.errors import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, fail
from cli.output import Column, emit, format_options, printable
from store.catalog.paths import path_key
from store.policy.classify import Change, reclassify


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="List unchanged versions too.")
@format_options
@click.pass_obj
def classify(app: AppContext, paths: tuple[Path, ...], show_all: bool, fmt: str) -> None:
    """Classify the current version of every catalogued path under PATHS (all paths when
    none are given) with the policy, production config and declarations in force now.

    Scanning classifies new files by itself; run this after editing the policy, prov.toml
    or a declaration file. A version whose result changed gets a new classification (the
    old ones stay as history, with their policy version) and an audit entry; the output
    lists what changed: the outcome before and after, and the rules added and removed.
    Exit 1 when a version could not be classified (a malformed declaration file: the
    message names its file and key); it stays "unclassified" and fails `prov check`.

    \b
    Examples:
      prov --policy studio-policy-2026.02.toml classify
      prov classify deliveries/ep104/ --json
    """
    inputs = app.policy_inputs()  # a bad policy stops here, before anything is written
    keys = [path_key(path) for path in paths] or None
    changes = reclassify(app.intact_catalog(), inputs, keys)
    if keys and not changes:
        fail(f"nothing catalogued under {', '.join(map(str, paths))}", hint=_HINT, code=EXIT_USAGE)
    print_changes(changes, fmt, show_all=show_all, quiet=app.quiet)
    failed = any(change.error for change in changes)
    click.get_current_context().exit(EXIT_FAILURES if failed else EXIT_OK)


_HINT = "run `prov scan` on it first, or `prov ls` to see what is catalogued"


def _relative(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


CHANGE_COLUMNS = (
    Column("path", lambda r: r["path"], max_width=60, shown=lambda r: _relative(r["path"])),
    Column("v", lambda r: r["version"]),
    Column("before", lambda r: r["before"] or "unclassified"),
    Column("after", lambda r: r["after"] or "unclassified"),
    Column("added", lambda r: r["rules_added"]),
    Column("removed", lambda r: r["rules_removed"]),
)


def print_changes(changes: Sequence[Change], fmt: str, *, show_all: bool, quiet: bool) -> None:
    """The changed versions to stdout (all with show_all), a count and errors to stderr."""
    shown = [c.to_dict() for c in changes if c.changed or show_all]
    emit(shown, CHANGE_COLUMNS, fmt)
    for change in changes:
        if change.error:
            click.echo(printable(f"unclassified: {change.path}: {change.error}"), err=True)
    if not quiet:
        changed = sum(1 for c in changes if c.changed)
        click.echo(f"{len(changes)} version(s) evaluated: {changed} changed", err=True)
