"""Errors become messages and exit codes in one place (`error: ...` + `hint: ...`).

Exit codes: 0 ok, 1 operational failure or some files failed, 2 usage, 3 policy gate failed,
130 interrupted. A traceback is printed only with --debug. Messages often name files, so every
control character in them is escaped (cli.output.printable): one message is one line, and a
list (`details`) is one line per item.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from cli.output import printable
from provenance.errors import EXIT_FAILURES as EXIT_FAILURES
from provenance.errors import EXIT_USAGE as EXIT_USAGE
from provenance.errors import ProvError as ProvError

EXIT_OK = 0
EXIT_GATE = 3
EXIT_INTERRUPTED = 130
# Every error meant for the user derives from provenance.errors.ProvError and carries its exit
# code and hint (ConfigError and PolicyError 2, NoCatalog 2, CatalogError 1, DecisionError 2,
# PolicyDataError 1, ...): one isinstance below maps them all.


def fail(
    message: str,
    *,
    hint: str | None = None,
    code: int = EXIT_FAILURES,
    details: Sequence[str] = (),
) -> NoReturn:
    raise ProvError(message, hint=hint, code=code, details=details)


def report(exc: BaseException, *, debug: bool) -> int:
    """Print a handled error to stderr and return the exit code to use."""
    message, hint, code = _describe(exc)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {printable(message)}", err=True)
    for line in exc.details if isinstance(exc, ProvError) else ():
        click.echo(f"  {printable(line)}", err=True)
    if hint:
        click.echo(f"hint: {printable(hint)}", err=True)
    return code


def _describe(exc: BaseException) -> tuple[str, str | None, int]:
    if isinstance(exc, ProvError):
        return str(exc), exc.hint, exc.exit_code
    return (
        f"unexpected {type(exc).__name__}: {exc}",
        "run again with --debug for the traceback, and report it",
        EXIT_FAILURES,
    )


def handled(exc: BaseException) -> bool:
    return isinstance(exc, ProvError)


def unexpected(exc: BaseException, ctx_obj: Any) -> int:
    return report(exc, debug=bool(getattr(ctx_obj, "debug", False)))
