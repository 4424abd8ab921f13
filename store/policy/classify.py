"""Classify catalogued versions under the genAI policy and keep the history (issue 4).

Does I/O: reads the declarations that apply (store/policy/declarations.py: the vendor's files
merged with the operator's `prov declare` records) and writes classification rows and their
audit events. Functions taking a session never commit; `reclassify` owns its transactions.

The decision itself is the pure `provenance.policy.classify`; this module gathers its inputs
for one stored version (evidence from the version row, folder role, declarations) and stores
the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from provenance.model import AiAssessment, Evidence, Involvement, Strength
from provenance.policy import (
    FolderRole,
    Policy,
    PolicyError,
    ProductionConfig,
    ProductionKind,
    ToolRegistry,
    classify,
    load_policy,
    load_tool_registry,
)
from store.audit.chain import EventKind, append_event
from store.audit.rows import row_ref
from store.catalog.db import Catalog
from store.catalog.models import ClassificationRow, PathEntry, Version
from store.catalog.path_filter import at_or_below_any
from store.catalog.paths import current_versions, storable_text
from store.policy.declarations import (
    declaration_snapshot,
    merge_declaration,
    operator_declarations,
    vendor_declaration,
    without_stat,
)
from store.policy.facts import credential_facts_of, tool_names_of
from store.read.queries import ASSET

# Without a [production] table nothing has a folder role (GP-4 is then unsure, so genAI
# escalates) and AA-MISLEADING cannot fire: the config is what says a show is a documentary.
NO_PRODUCTION = ProductionConfig(title="", kind=ProductionKind.SCRIPTED)
RECLASSIFY_BATCH = 100  # versions per transaction: keeps the audit-chain lock short


@dataclass(frozen=True)
class PolicyInputs:
    """Everything besides the file that a classification needs; loaded once per command."""

    policy: Policy
    tools: ToolRegistry
    production: ProductionConfig = NO_PRODUCTION
    role: FolderRole | None = None  # a watcher's --role, for every file it sees

    def role_for(self, path: str) -> FolderRole | None:
        """The most final of the configured globs' role and the given role (the rule of
        ProductionConfig.role_for: a broad glob can never hide a final folder)."""
        roles = [r for r in (self.production.role_for(path), self.role) if r is not None]
        return max(roles, key=list(FolderRole).index, default=None)


@lru_cache(maxsize=1)
def default_inputs() -> PolicyInputs:
    """The shipped policy and tool registry, no production config: `prov scan` always
    classifies, even without a prov.toml."""
    return PolicyInputs(load_policy(), load_tool_registry())


# --- classifying one version -----------------------------------------------------------------


def classify_version(
    session: Session,
    entry: PathEntry,
    version: Version,
    inputs: PolicyInputs,
) -> ClassificationRow | None:
    """Re-classify a catalogued version and append the result with its audit event (a new
    version is classified by the ingest writer, store/ingest/rows.py). Returns None when the
    result equals the version's current classification (nothing is appended)."""
    values = evaluate(session, entry, version, inputs)
    current = latest_classification(session, version.id)
    if current is not None and _comparable(current) == _comparable_values(values):
        return None
    row = ClassificationRow(version_id=version.id, **values)
    session.add(row)
    session.flush()
    append_event(
        session,
        EventKind.CLASSIFY,
        target=entry.path,
        sha256=version.sha256,
        payload=classification_payload(row),
    )
    return row


def evaluate(
    session: Session, entry: PathEntry, version: Version, inputs: PolicyInputs
) -> dict[str, Any]:
    """The column values of a classification of `version` (pure but for reading the
    declarations). A malformed declaration file gives an unclassified row naming it."""
    role = inputs.role_for(entry.path)
    common = {
        "policy_id": inputs.policy.id,
        "policy_version": inputs.policy.version,
        "role": str(role) if role else None,
        "production_title": inputs.production.title or None,
    }
    try:
        vendor, files = vendor_declaration(entry.path)
        declaration = merge_declaration(vendor, operator_declarations(session, entry.path))
    except PolicyError as exc:
        return {**_UNCLASSIFIED, **common, "error": storable_text(str(exc))}
    result = classify(
        assessment_of(version),
        role=role,
        production=inputs.production,
        declaration=declaration,
        tools=inputs.tools,
        policy=inputs.policy,
        credentials=credential_facts_of(version),
        tool_names=tool_names_of(version),
    )
    data = result.to_dict()
    return {
        **common,
        "outcome": data["outcome"],
        "error": None,
        "unverified": data["unverified"],
        "involvement": data["involvement"],
        "rules": data["rules"],
        "declaration": declaration_snapshot(declaration, files),
    }


_UNCLASSIFIED: dict[str, Any] = {
    "outcome": None,
    "unverified": False,
    "involvement": None,
    "rules": [],
    "declaration": None,
}


def assessment_of(version: Version) -> AiAssessment:
    """The AI assessment stored with a version, back as the domain value."""
    evidence = tuple(
        Evidence(
            e["source"],
            e["location"],
            e["value"],
            Strength(e["strength"]),
            Involvement(e["implies"]),
        )
        for e in version.ai_evidence or []
    )
    return AiAssessment(Involvement(version.involvement), evidence)


def latest_classification(session: Session, version_id: int) -> ClassificationRow | None:
    query = select(ClassificationRow).where(ClassificationRow.version_id == version_id)
    return session.scalars(query.order_by(ClassificationRow.id.desc()).limit(1)).first()


_COMPARED = (
    "policy_id",
    "policy_version",
    "role",
    "production_title",
    "outcome",
    "error",
    "unverified",
    "involvement",
    "rules",
    "declaration",
)


def _comparable(row: ClassificationRow) -> dict[str, Any]:
    return _comparable_values({name: getattr(row, name) for name in _COMPARED})


def _comparable_values(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "declaration": without_stat(values["declaration"])}


def classification_payload(row: ClassificationRow) -> dict[str, Any]:
    """The payload of a classification's audit event."""
    return {
        "version_id": row.version_id,
        "outcome": row.outcome,
        "rules": [rule["id"] for rule in row.rules],
        "policy": {"id": row.policy_id, "version": row.policy_version},
        "role": row.role,
        "error": row.error,
        "row": row_ref(row),
    }


# --- re-classifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What `prov classify` did to one current version."""

    path: str
    version: int
    before: str | None  # outcome before (None: never classified, or unclassifiable)
    after: str | None
    added: tuple[str, ...]  # rule ids that fire now and did not before
    removed: tuple[str, ...]
    changed: bool  # a new classification row was appended
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "version": self.version,
            "before": self.before,
            "after": self.after,
            "rules_added": list(self.added),
            "rules_removed": list(self.removed),
            "changed": self.changed,
            "error": self.error,
        }


def reclassify(
    catalog: Catalog, inputs: PolicyInputs, paths: Sequence[str] | None = None
) -> list[Change]:
    """Re-evaluate the current version of every present path under `paths` (files or
    folders, as path keys; all when None), appending a classification where it changed.
    Also what a watcher calls when a declaration file arrives (see covered_by)."""
    with catalog.session() as session:
        ids = current_version_ids(session, paths)
    changes: list[Change] = []
    for start in range(0, len(ids), RECLASSIFY_BATCH):
        with catalog.transaction() as session:
            changes += [
                _reclassify_one(session, i, inputs) for i in ids[start : start + RECLASSIFY_BATCH]
            ]
    return changes


def current_version_ids(session: Session, paths: Sequence[str] | None) -> list[int]:
    # Assets only: a paired sidecar is read with its asset, an orphan one judged with the
    # asset it lacks (issue 8).
    query = current_versions().where(PathEntry.missing_since.is_(None), PathEntry.kind == ASSET)
    if paths is not None:
        query = query.where(or_(*under(paths)) if paths else PathEntry.id.is_(None))
    return [version.id for _entry, version in session.execute(query.order_by(PathEntry.path))]


def under(paths: Sequence[str]) -> list[Any]:
    """SQL clauses: the path itself, or anything below it when it is a folder (one clause,
    however many paths)."""
    return [at_or_below_any(PathEntry.path, paths)]


def _reclassify_one(session: Session, version_id: int, inputs: PolicyInputs) -> Change:
    version = session.get_one(Version, version_id)
    entry = version.path
    before = latest_classification(session, version_id)
    after = classify_version(session, entry, version, inputs) or before
    old_rules = {r["id"] for r in before.rules} if before else set()
    new_rules = {r["id"] for r in after.rules} if after else set()
    return Change(
        path=entry.path,
        version=version.content_version,
        before=before.outcome if before else None,
        after=after.outcome if after else None,
        added=tuple(sorted(new_rules - old_rules)),
        removed=tuple(sorted(old_rules - new_rules)),
        changed=after is not before,
        error=after.error if after else None,
    )


def ingest_payload(version: Version, action: str, entry: PathEntry) -> dict[str, Any]:
    """The payload of a new version's audit event; `path_row` vouches for the path row now
    pointing at it (issue 7: a path row edited with SQL takes a file out of the gate)."""
    return {
        "version": version.seq,  # the reading (the row); content_version: the record's
        "content_version": version.content_version,
        "action": action,
        "status": version.status,
        "involvement": version.involvement,
        "validation_state": version.validation_state,
        "row": row_ref(version),
        "path_row": row_ref(entry),
    }
