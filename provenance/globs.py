"""The one glob dialect of prov (README "Globs", issue 9): folder roles (`glob` of
`[[production.folders]]`), `--ignore` and `ls --path` all match paths through this module.

The dialect is gitignore's wildmatch, translated by the pathspec library, with two choices of
ours: a pattern matches at any depth unless it starts with `/` (gitignore anchors every pattern
with a `/` inside; a folder glob in prov.toml names a folder of a delivery wherever it sits),
and a backslash is a character, not an escape (names as typed, Windows paths). So:

- `*` and `?` match within one folder name, `**` spans folders, `[abc]` is a class;
- a pattern without `/` (`*.exr`) matches a file or folder name at any depth;
- a pattern that matches a folder matches everything below it; a trailing `/` (`wip/`) matches
  folders only, so "everything below";
- a leading `/` anchors the pattern at the root: the watched folder for `--ignore`, the file
  system root for roles and `ls` (catalog paths are absolute).

Matching is case-sensitive, except where a caller asks otherwise (`--ignore`: deliveries are
written from Windows and macOS). A pattern that is not a glob (`a[`) raises ValueError.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from pathspec.patterns.gitignore.spec import GitIgnorePatternError, GitIgnoreSpecPattern

_DIR_GROUP = "(?P<ps_d>/)"  # pathspec's named group; several patterns join into one regex


def glob_regex(pattern: str) -> str:
    """The regular expression for one glob of the dialect (matched with re.match against a
    relative path joined with `/`); ValueError when `pattern` is not a glob."""
    text = pattern.replace("\\", "\\\\")  # a backslash is a character
    if text[:1] in ("!", "#"):
        text = "\\" + text  # no negation, no comment: a name may start with either
    anchored = text.startswith("/")
    if not anchored and "/" in text.rstrip("/") and not text.startswith("**/"):
        text = "**/" + text  # at any depth, as a name without `/` is
    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(text)
    except GitIgnorePatternError as exc:
        raise ValueError(f"not a valid glob: {pattern!r}") from exc
    if not pattern.strip() or regex is None or not include:
        raise ValueError(f"not a valid glob: {pattern!r}")
    return _escape_nested_sets(regex.replace(_DIR_GROUP, "/"))


def _escape_nested_sets(regex: str) -> str:
    """`[[]` (a class holding `[`) is valid, but Python warns it may one day read it as a
    nested set: escape a `[` inside a class so the meaning cannot change."""
    out, in_class, i = [], False, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class and char == "[":
            char = "\\["
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            if regex[i : i + 1] == "^":
                out.append("^")
                i += 1
            if regex[i : i + 1] == "]":  # a `]` first in a class is a character
                out.append("]")
                i += 1
            continue
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def path_parts(path: str | PurePath) -> tuple[str, ...]:
    """The parts a glob sees of `path`: without the root or drive (`/`, `D:\\`)."""
    pure = PurePath(path)
    return pure.parts[1:] if pure.anchor else pure.parts


@dataclass(frozen=True)
class Globs:
    """Several globs of the dialect, compiled once into one regular expression."""

    patterns: tuple[str, ...]
    ignore_case: bool = False
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        either = "|".join(f"(?:{glob_regex(p)})" for p in self.patterns) or "(?!)"
        flags = re.IGNORECASE if self.ignore_case else 0
        object.__setattr__(self, "_regex", re.compile(either, flags))

    def match_parts(self, parts: Iterable[str]) -> bool:
        """Whether the relative path made of `parts` (or a folder on its way) matches."""
        return self._regex.match("/".join(parts)) is not None

    def match(self, path: str | PurePath) -> bool:
        """Whether `path` matches, taken from its root (an absolute path: from `/`)."""
        return self.match_parts(path_parts(path))


@functools.lru_cache(maxsize=1024)
def compiled(patterns: tuple[str, ...], ignore_case: bool = False) -> Globs:
    """Globs for `patterns`, compiled once per process (roles ask once per file)."""
    return Globs(patterns, ignore_case)


def glob_matches(pattern: str, path: str | PurePath, *, ignore_case: bool = False) -> bool:
    """Whether one glob matches `path` (see Globs.match)."""
    return compiled((pattern,), ignore_case).match(path)
