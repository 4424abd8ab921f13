"""The errors prov raises on purpose, under one base class (issue 9).

`ProvError` carries what the user sees: a message, an optional hint, detail lines and the exit
code. Every error meant for the user derives from it (a bad config, policy or data table, a
catalog that cannot be used, a decision that cannot be recorded), so cli/errors.py maps them
all with one isinstance and a new error class gets its exit code where it is defined.

`SchemaError` is the one error type of the TOML validation (provenance/toml_schema.py): it
names the file, the key and the problem, so a person can fix the file without reading our
code. Bad media files are never errors: they are reported per file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

# The exit codes (README "Exit codes"); cli/errors.py re-exports them with the rest.
EXIT_FAILURES = 1
EXIT_USAGE = 2


class ProvError(Exception):
    """An error for the user: a message, an optional hint, detail lines and an exit code.
    Subclasses set `exit_code` and `default_hint`; a raise site may override either."""

    exit_code: int = EXIT_FAILURES
    default_hint: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: int | None = None,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.hint = hint if hint is not None else self.default_hint
        if code is not None:
            self.exit_code = code
        self.details = tuple(details)  # one line each under the message (paths, say)


class SchemaError(ProvError, ValueError):
    """A TOML file (or a table in one) that breaks its schema: `file: key: problem`.
    An empty `key` means the file as a whole (unreadable, not TOML). A usage error (exit 2):
    the person running prov fixes their file."""

    exit_code = EXIT_USAGE

    def __init__(self, file: str, key: str, problem: str, *, hint: str | None = None) -> None:
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {problem}" if where else problem, hint=hint)
        self.file = file
        self.key = key
        self.problem = problem


class PolicyDataError(SchemaError):
    """A detection table (provenance/data/*.toml: generators, source types) is malformed.

    The shipped tables are part of prov, so a broken one is a broken install, not a usage
    error: exit 1, as before this class had a mapping (it fell through as "unexpected")."""

    exit_code = EXIT_FAILURES
    default_hint = "the detection tables are damaged: fix the file named, or reinstall prov"
