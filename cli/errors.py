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
from provenance.config import ConfigError
from store.db import CatalogError, NoCatalog

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_GATE = 3
EXIT_INTERRUPTED = 130


class ProvError(Exception):
    """An error for the user: a message, an optional hint and an exit code."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: int = EXIT_FAILURES,
        details: Sequence[str] = (),
    ):
        super().__init__(message)
        self.hint = hint
        self.code = code
        self.details = tuple(details)  # one line each under the message (paths, say)


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
        return str(exc), exc.hint, exc.code
    if isinstance(exc, ConfigError):
        return str(exc), "fix the file, or pass --config to use another one", EXIT_USAGE
    if isinstance(exc, NoCatalog):
        return str(exc), exc.hint, EXIT_USAGE  # issue 7: a wrong --db is a usage error
    if isinstance(exc, CatalogError):
        return str(exc), exc.hint, EXIT_FAILURES
    return (
        f"unexpected {type(exc).__name__}: {exc}",
        "run again with --debug for the traceback, and report it",
        EXIT_FAILURES,
    )


HANDLED: tuple[type[BaseException], ...] = (ProvError, ConfigError, CatalogError)


def handled(exc: BaseException) -> bool:
    return isinstance(exc, HANDLED)


def unexpected(exc: BaseException, ctx_obj: Any) -> int:
    return report(exc, debug=bool(getattr(ctx_obj, "debug", False)))
