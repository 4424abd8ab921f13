"""`prov declare PATH... --tool ... --use ...`: record what a person states about the genAI
use in files or folders, then re-classify what it covers."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli.commands.classify import print_changes
from cli.context import AppContext
from cli.errors import EXIT_USAGE, fail
from cli.options import recorded_text
from cli.output import format_options
from provenance.policy import Answer, PolicyError, Prominence, UseCase
from store.catalog.paths import get_path, path_key
from store.policy.classify import reclassify
from store.policy.declarations import record_declaration

_ANSWERS = click.Choice([str(a) for a in Answer])
# (option, declaration key, help) for the yes / no / unsure questions (docs/policy.md).
_QUESTIONS = (
    ("--story-relevant", "story_relevant", "Is it relevant to the story (read aloud, shown)?"),
    ("--talent-likeness", "talent_likeness", "Does it show or imitate a performer?"),
    ("--personal-data", "personal_data", "Did personal data (cast/crew details) go in?"),
    ("--third-party-ip", "third_party_ip", "Does it include third-party IP?"),
    ("--proprietary-inputs", "proprietary_inputs", "Studio-owned scripts/stills as input?"),
    ("--digital-replica", "digital_replica", "A digital replica of a voice or likeness?"),
    ("--performance-alteration", "performance_alteration", "Tone/delivery/intent changed?"),
    ("--union-covered", "union_covered", "Does it replace or affect union-covered work?"),
    ("--references", "references_real_people_or_works", "Prompts reference real people/works?"),
    ("--key-creative", "key_creative", "Main characters, key visuals, central settings?"),
    ("--unowned-training-data", "unowned_training_data", "Trained on data not owned?"),
    (
        "--presented-as-real",
        "presented_as_real",
        "Could it be mistaken for real events, people or statements (even as background)?",
    ),
)


def _declaration_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option, key, help_text in reversed(_QUESTIONS):
        func = click.option(option, key, type=_ANSWERS, help=help_text)(func)
    return func


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--tool",
    "tool",
    multiple=True,
    callback=recorded_text,
    help="A genAI tool used (repeat for each step).",
)
@click.option(
    "--involvement",
    type=click.Choice(["generated", "edited", "composite", "none"]),
    help="How genAI was used; 'none' states it was not (it never clears genAI evidence).",
)
@click.option("--use", "use_case", type=click.Choice([str(u) for u in UseCase]), help="Use case.")
@click.option(
    "--prominence",
    type=click.Choice([str(p) for p in Prominence]),
    help="Incidental (glimpsed in the background) or prominent (read aloud, story point).",
)
@_declaration_options
@click.option(
    "--consent-ref",
    "consent_reference",
    callback=recorded_text,
    help="Consent / guild agreement reference.",
)
@click.option("--notes", callback=recorded_text, help="Free text kept with the declaration.")
@click.option(
    "--by",
    "declared_by",
    callback=recorded_text,
    help="Who declares (default: your login name).",
)
@click.option("--replace", is_flag=True, help="Forget earlier `prov declare` answers for PATHS.")
@format_options
@click.pass_obj
def declare(
    app: AppContext,
    paths: tuple[Path, ...],
    declared_by: str | None,
    replace: bool,
    fmt: str,
    **answers: Any,
) -> None:
    """Record a genAI declaration for each PATH (a file, or a folder and everything below
    it), then re-classify the current versions it covers and list what changed.

    A declaration answers what the files cannot: the tools, the use case and the
    always-approval questions. Questions take yes, no or unsure; an unanswered question is
    unsure, and unsure escalates. What you declare is merged over the vendor's declaration
    files (docs/policy.md) and over your earlier declarations for the same path (unless
    --replace), applies to later versions of the path too, and is kept with its history in
    the audit log.

    \b
    Examples:
      prov declare ideation/boards/ --tool "Adobe Firefly" --use ideation \\
          --third-party-ip no --references no --talent-likeness no --personal-data no \\
          --proprietary-inputs no --key-creative no --unowned-training-data no
      prov declare wip/sc14/sign_v002.png --use background --prominence incidental \\
          --story-relevant no --by "Jane Roe, NFX VFX"
    """
    values = _values(answers)
    if not values and not replace:
        fail("nothing to declare", hint="give at least one answer, e.g. --use ideation", code=2)
    inputs = app.policy_inputs()  # a bad policy stops here, before anything is written
    catalog = app.intact_catalog()
    keys = [_checked_key(catalog, path) for path in paths]
    by = declared_by or getpass.getuser()
    try:
        with catalog.transaction() as session:
            for path, key in zip(paths, keys, strict=True):
                record_declaration(
                    session,
                    key,
                    values,
                    is_folder=path.is_dir(),
                    declared_by=by,
                    replace_earlier=replace,
                )
    except PolicyError as exc:
        fail(str(exc), hint="see `prov declare --help`", code=EXIT_USAGE)
    if not app.quiet:
        click.echo(f"declared {len(keys)} path(s) as {by}", err=True)
    print_changes(reclassify(catalog, inputs, keys), fmt, show_all=True, quiet=app.quiet)


def _values(answers: dict[str, Any]) -> dict[str, Any]:
    """The declaration keys that were given, as the file format spells them."""
    values = {key: value for key, value in answers.items() if value not in (None, ())}
    if "tool" in values:
        values["tool"] = list(values["tool"])
    return values


def _checked_key(catalog: Any, path: Path) -> str:
    """A path that exists, or is catalogued (a file delivered earlier and since removed)."""
    key = path_key(path)
    if path.exists():
        return key
    with catalog.session() as session:
        if get_path(session, key) is not None:
            return key
    fail(f"no such file or folder, and nothing catalogued at {path}", hint="check the path", code=2)
