"""SQL for "this path or anything below it", taken literally on SQLite and PostgreSQL
(issue 7). Its own module, importing nothing else of store/, so the audit log and the
path functions (store/catalog/paths.py) can both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, literal_column, or_
from sqlalchemy.orm import QueryableAttribute


def at_or_below(
    column: QueryableAttribute[Any] | ColumnElement[Any], key: str
) -> ColumnElement[bool]:
    """SQL: `column` is the path `key` or a path below it (a folder covers its contents).

    The key is taken literally on both backends: LIKE's `%`, `_` and the escape character are
    escaped (PostgreSQL's LIKE treats `\\` as its escape by default), and since SQLite's LIKE
    ignores the case of ASCII letters, an exact comparison of the prefix decides. LIKE stays
    first so PostgreSQL can narrow with it."""
    prefix = key.rstrip("/") + "/"
    below = and_(
        column.startswith(prefix, autoescape=True),
        func.substr(column, 1, len(prefix)) == prefix,
    )
    return or_(column == key, below)


def at_or_below_any(
    column: QueryableAttribute[Any] | ColumnElement[Any], keys: Sequence[str]
) -> ColumnElement[bool]:
    """SQL: `column` is at or below any of `keys` (false when there is none). SQLite parses a
    flat OR as deep as it is long (at most 1000 levels), and `prov check frames/*.exr` may
    give thousands of paths: the clauses are grouped a hundred at a time (the `AND 1 = 1`
    keeps SQLAlchemy from flattening the groups back into one OR)."""
    clauses = [at_or_below(column, key) for key in keys]
    if len(clauses) <= _OR_GROUP:
        return or_(false(), *clauses)
    groups = [
        and_(or_(*clauses[start : start + _OR_GROUP]), literal_column("1") == 1)
        for start in range(0, len(clauses), _OR_GROUP)
    ]
    return or_(*groups)


_OR_GROUP = 100
