"""Read-side queries behind `prov ls` and `prov show`. Sessions are the caller's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import Session

from provenance.globs import glob_matches
from provenance.model import INVOLVEMENT_RANK
from store.catalog import paths as catalog_paths
from store.catalog.models import ClassificationRow, PathEntry, Version

ASSET, ORPHAN_SIDECAR = "asset", "orphan_sidecar"  # PathEntry.kind
LISTED_KINDS = (ASSET, ORPHAN_SIDECAR)
UNCLASSIFIED = "unclassified"  # a --risk value: never classified, or could not be


@dataclass(frozen=True)
class ListFilter:
    involvement: tuple[str, ...] = ()
    states: tuple[str, ...] = ()  # valid, trusted, invalid, none
    statuses: tuple[str, ...] = ()
    path_glob: str | None = None
    since: datetime | None = None
    media_type: str | None = None  # "image/jpeg", "image/*" or "image"
    include_missing: bool = False
    risk: tuple[str, ...] = ()  # outcomes of the current classification, or "unclassified"


def list_current(session: Session, flt: ListFilter) -> Iterator[tuple[PathEntry, Version]]:
    """The current version of every recorded path that passes the filter, by path."""
    query = catalog_paths.current_versions().where(PathEntry.kind.in_(LISTED_KINDS))
    if flt.involvement:
        query = query.where(effective_involvement().in_(flt.involvement))
    if flt.statuses:
        query = query.where(Version.status.in_(flt.statuses))
    if flt.states:
        query = query.where(_state_clause(flt.states))
    if flt.since is not None:
        query = query.where(Version.recorded_at >= flt.since)
    if flt.media_type:
        query = query.where(_media_clause(flt.media_type))
    if not flt.include_missing:
        query = query.where(PathEntry.missing_since.is_(None))
    if flt.risk:
        query = query.where(_risk_clause(flt.risk))
    for entry, version in session.execute(query.order_by(PathEntry.path)):
        if flt.path_glob is None or _glob_match(entry.path, flt.path_glob):
            yield entry, version


def _state_clause(states: tuple[str, ...]) -> ColumnElement[bool]:
    named = [state.capitalize() for state in states if state != "none"]
    clauses = [Version.validation_state.in_(named)] if named else []
    if "none" in states:
        clauses.append(Version.validation_state.is_(None))
    return or_(*clauses)


def _current_classification(column: Any) -> Any:
    """A column of the version's current classification: its latest row (append-only)."""
    return (
        select(column)
        .where(ClassificationRow.version_id == Version.id)
        .order_by(ClassificationRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _risk_clause(risk: tuple[str, ...]) -> ColumnElement[bool]:
    outcome = _current_classification(ClassificationRow.outcome)
    outcomes = [value for value in risk if value != UNCLASSIFIED]
    clauses = [outcome.in_(outcomes)] if outcomes else []
    if UNCLASSIFIED in risk:
        clauses.append(outcome.is_(None))
    # An orphan sidecar has no risk of its own (issue 8): judged with its asset.
    return and_(PathEntry.kind == ASSET, or_(*clauses))


def effective_involvement() -> ColumnElement[str]:
    """The record's `ai.involvement` in SQL (store.read.records.ai_record): the file's own,
    raised by the declaration its current classification used (the classification's
    combined involvement, when it ranks higher), never lowered; an orphan sidecar's own."""
    declared = _current_classification(ClassificationRow.involvement)
    raised = and_(PathEntry.kind == ASSET, _rank(declared) > _rank(Version.involvement))
    return case((raised, declared), else_=Version.involvement)


def _rank(value: Any) -> ColumnElement[int]:
    ranks = {str(kind): rank for kind, rank in INVOLVEMENT_RANK.items()}
    return case(ranks, value=value, else_=-1)


def _media_clause(media_type: str) -> ColumnElement[bool]:
    family = media_type.removesuffix("/*").removesuffix("/")
    if "/" in family:
        return Version.media_type == family
    return Version.media_type.startswith(family + "/")


def _glob_match(key: str, pattern: str) -> bool:
    # Matched against the file's own name, not its key: a backslash or a non-UTF-8 byte in a
    # key is escaped (catalog_paths.path_key), and the user types the name as it is.
    path = str(catalog_paths.path_of_key(key)) if "\\" in key else key
    # prov's one glob dialect (README "Globs"): `*.exr` matches the file name at any depth.
    return glob_matches(pattern, path)


def resolve_target(session: Session, target: str) -> list[PathEntry]:
    """A path (as given, made absolute) or a SHA-256 prefix of at least 6 hex digits."""
    entry = catalog_paths.get_path(session, catalog_paths.path_key(target))
    if entry is not None:
        return [entry]
    if len(target) >= 6 and all(c in "0123456789abcdefABCDEF" for c in target):
        return catalog_paths.find_by_sha_prefix(session, target)
    return []
