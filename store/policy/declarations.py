"""Declarations (issues 4 and 7): the vendor's declaration files beside the assets, the
operator's `prov declare` records, and the two merged into what a file is declared to be.

Does I/O: stats and reads declaration files; reads and appends declaration rows (with their
audit events; nothing here commits). Declarations merge key by key: the vendor's files first
(docs/policy.md), then the operator's records over them (folders before files). Each
classification keeps the path, SHA-256 and stat of every declaration file it used (in its
`declaration` snapshot, a JSON column); the gate compares them with the files that apply now
(added, removed or changed), stating each file and hashing it only when its stat differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from provenance.policy import (
    ASSET_DECLARATION_SUFFIX,
    FOLDER_DECLARATION,
    Declaration,
    DeclarationFile,
    PolicyError,
    declaration_from_mapping,
    declaration_with_files,
    is_declaration_file,
    is_present_file,
)
from store.audit.chain import EventKind, append_event
from store.audit.rows import row_ref
from store.catalog.models import DeclarationRow
from store.catalog.paths import path_key, path_of_key

DECLARATION_KIND = "declaration"  # the paths.kind of a declaration file's row
FILES = "files"  # the snapshot key listing the declaration files used
_STAT_KEYS = ("size", "mtime_ns")  # how a file is recognised cheaply; not part of the result


def vendor_declaration(key: str) -> tuple[Declaration | None, tuple[DeclarationFile, ...]]:
    """The vendor's declaration files for the path `key` merged, and the files as read. The
    sources are path keys, so a non-UTF-8 folder name stays storable. Raises PolicyError."""
    declaration, files = declaration_with_files(path_of_key(key))
    if declaration is None:
        return None, files
    return replace(declaration, sources=tuple(path_key(f.path) for f in files)), files


def files_snapshot(files: tuple[DeclarationFile, ...]) -> list[dict[str, Any]]:
    """The snapshot entries of the declaration files a classification used."""
    return [
        {"path": path_key(f.path), "sha256": f.sha256, "size": f.size, "mtime_ns": f.mtime_ns}
        for f in files
    ]


def without_stat(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """The snapshot as a result: a file touched but not changed classifies the same."""
    if not snapshot or FILES not in snapshot:
        return snapshot
    files = [{k: v for k, v in f.items() if k not in _STAT_KEYS} for f in snapshot[FILES]]
    return {**snapshot, FILES: files}


def covered_keys(declaration_file: Path) -> list[str]:
    """Path keys a declaration file applies to: a folder file covers its folder (and below),
    `<name>.genai.toml` covers `<name>`."""
    if declaration_file.name == FOLDER_DECLARATION:
        return [path_key(declaration_file.parent)]
    asset_name = declaration_file.name.removesuffix(ASSET_DECLARATION_SUFFIX)
    return [path_key(declaration_file.with_name(asset_name))]


class DeclarationsNow:
    """The declaration files on disk now, for one gate run: each folder's file is looked
    for once (a folder of 10,000 frames shares it) and each file hashed at most once."""

    def __init__(self) -> None:
        self._exists: dict[Path, bool] = {}
        self._hashes: dict[Path, str | None] = {}

    def change(self, key: str, snapshot: dict[str, Any] | None) -> str | None:
        """Why the declaration files that apply to `key` now are not those its
        classification used (None: they are the same)."""
        try:
            now = {path_key(p): p for p in self._applying(path_of_key(key))}
        except PolicyError as exc:
            return f"its declaration files cannot be checked: {exc}"  # fail closed
        if snapshot is not None and FILES not in snapshot:
            return _legacy(snapshot, now)
        recorded = {f["path"]: f for f in (snapshot or {}).get(FILES, [])}
        for file_key in sorted(recorded.keys() | now.keys()):
            if file_key not in now:
                return _changed(file_key, "was removed")
            if file_key not in recorded:
                return _changed(file_key, "was added")
            if not self._same(now[file_key], recorded[file_key]):
                return _changed(file_key, "changed")
        return None

    def _applying(self, asset: Path) -> list[Path]:
        # as provenance.policy.declaration_files, with the folder files' stats cached
        folders = [asset.parent, *asset.parent.parents]
        candidates = [d / FOLDER_DECLARATION for d in reversed(folders)]
        candidates.append(asset.with_name(asset.name + ASSET_DECLARATION_SUFFIX))
        return [c for c in candidates if self._is_file(c)]

    def _is_file(self, path: Path) -> bool:
        if path not in self._exists:
            self._exists[path] = is_present_file(path)
        return self._exists[path]

    def _same(self, path: Path, recorded: dict[str, Any]) -> bool:
        try:
            info = path.stat()
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) == (recorded.get("size"), recorded.get("mtime_ns")):
            return True
        if path not in self._hashes:
            self._hashes[path] = _sha256(path)
        return self._hashes[path] == recorded.get("sha256")


def _changed(file_key: str, how: str) -> str:
    return f"declaration file {file_key} {how} since this was classified: run `prov scan`"


def _legacy(snapshot: dict[str, Any], now: dict[str, Path]) -> str | None:
    """A classification made before declaration files were fingerprinted: whether any
    declaration file is involved cannot be told apart from a change, so it fails closed."""
    used = [s for s in snapshot.get("sources", []) if is_declaration_file(Path(s))]
    if not used and not now:
        return None
    return "classified before declaration files were fingerprinted: run `prov scan`"


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# --- operator declarations (`prov declare`) and the merged result -----------------------------


def operator_declarations(session: Session, key: str) -> list[DeclarationRow]:
    """The latest `prov declare` record for each folder above `key` and for `key` itself,
    farthest folder first, the file's own last."""
    if not _any_declarations(session):
        return []
    ancestors = [str(p) for p in PurePosixPath(key).parents]
    query = select(DeclarationRow).where(
        or_(
            DeclarationRow.path == key,
            DeclarationRow.path.in_(ancestors) & DeclarationRow.is_folder.is_(True),
        )
    )
    latest: dict[str, DeclarationRow] = {}
    for row in session.scalars(query.order_by(DeclarationRow.id)):
        latest[row.path] = row
    return sorted(latest.values(), key=lambda r: (r.path == key, len(r.path)))


def _any_declarations(session: Session) -> bool:
    """Whether any operator declaration exists, asked once per transaction: most catalogs have
    none, and a scan should not query for them once per file."""
    transaction = session.get_transaction()
    cached = session.info.get(_HAS_DECLARATIONS)
    if cached is not None and cached[0] is transaction:
        return bool(cached[1])
    found = session.scalar(select(DeclarationRow.id).limit(1)) is not None
    session.info[_HAS_DECLARATIONS] = (transaction, found)
    return found


_HAS_DECLARATIONS = "prov.policy.has_declarations_in"


def latest_declaration(session: Session, key: str) -> DeclarationRow | None:
    query = select(DeclarationRow).where(DeclarationRow.path == key)
    return session.scalars(query.order_by(DeclarationRow.id.desc()).limit(1)).first()


def merge_declaration(
    base: Declaration | None, rows: Iterable[DeclarationRow]
) -> Declaration | None:
    """`base` (the vendor's files) with each operator record applied over it, key by key."""
    merged = base
    for row in rows:
        source = f"prov declare #{row.id}" + (f" by {row.declared_by}" if row.declared_by else "")
        parsed = declaration_from_mapping(row.fields, source=source)
        names = [_FIELD_FOR_KEY.get(key, key) for key in row.fields]
        start = merged or Declaration()
        merged = replace(
            start, **{n: getattr(parsed, n) for n in names}, sources=(*start.sources, source)
        )
    return merged


_FIELD_FOR_KEY = {"tool": "tools"}  # the file format's `tool` key is Declaration.tools


def record_declaration(
    session: Session,
    key: str,
    values: dict[str, Any],
    *,
    is_folder: bool,
    declared_by: str | None,
    replace_earlier: bool = False,
) -> DeclarationRow:
    """Append an operator declaration for a file or folder; it keeps the keys of the path's
    previous record that `values` does not set, unless `replace_earlier`. Validated first:
    PolicyError names the key and the problem."""
    previous = None if replace_earlier else latest_declaration(session, key)
    merged = {**(previous.fields if previous else {}), **values}
    if declared_by:
        merged["declared_by"] = declared_by
    declaration_from_mapping(merged, source="prov declare")  # raises on a bad value
    row = DeclarationRow(path=key, is_folder=is_folder, fields=merged, declared_by=declared_by)
    session.add(row)
    session.flush()
    session.info.pop(_HAS_DECLARATIONS, None)
    payload = {"fields": merged, "folder": is_folder, "by": declared_by, "row": row_ref(row)}
    append_event(session, EventKind.DECLARE, target=key, payload=payload)
    return row


def declaration_of(session: Session, key: str) -> Declaration | None:
    """The vendor's declaration files for the path merged with the operator's records."""
    vendor, _files = vendor_declaration(key)
    return merge_declaration(vendor, operator_declarations(session, key))


def declaration_snapshot(
    declaration: Declaration | None, files: tuple[DeclarationFile, ...] = ()
) -> dict[str, Any] | None:
    """What the declaration said (only what differs from all-unsure), where it came from,
    and the vendor's files as read (issue 7: the gate tells when they changed since)."""
    if declaration is None:
        return None
    default = Declaration()
    snapshot: dict[str, Any] = {}
    for f in fields(Declaration):
        value = getattr(declaration, f.name)
        if f.name == "sources" or value != getattr(default, f.name):
            snapshot[f.name] = list(map(str, value)) if isinstance(value, tuple) else str(value)
    snapshot[FILES] = files_snapshot(files)
    return snapshot


def covered_by(declaration_file: Path) -> list[str]:
    """Path keys a declaration file applies to: a folder file covers its folder (and below),
    `<name>.genai.toml` covers `<name>`. For `reclassify` when such a file arrives, changes
    or goes."""
    return covered_keys(declaration_file)
