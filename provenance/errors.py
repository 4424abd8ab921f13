"""Errors the domain core raises on purpose (bad configuration, never bad media files)."""

from __future__ import annotations


class PolicyDataError(ValueError):
    """A policy table (shipped or user-supplied TOML) is malformed.

    The message names the file, the key and the problem, so a person can fix it without
    reading our code (ARCHITECTURE.md: "precise errors (file, key, problem)").
    """

    def __init__(self, file: str, key: str, problem: str) -> None:
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem
