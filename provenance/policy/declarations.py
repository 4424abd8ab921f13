"""GenAI declarations: what a vendor or operator states about assets (issue 4).

Reads declaration files (parse_declaration, declaration_for; declaration_with_files and
check_declaration_file also give each file's SHA-256 and stat, so issue 7's gate notices a file
changed since); declaration_from_mapping and declaration_to_toml are pure. Format
(docs/policy.md): a flat TOML table, either `<asset file name>.genai.toml` beside one asset,
or `genai-declaration.toml` for every file in that folder and below. Nearer files override
farther ones key by key; the per-asset file wins. A malformed declaration is an error naming
its file and key, never skipped.
"""

from __future__ import annotations

import errno
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from provenance.model import Involvement
from provenance.policy.model import Answer, Declaration, PolicyError, Prominence, UseCase
from provenance.toml_schema import Table, parse_choice, parse_toml, read_capped, read_toml

FOLDER_DECLARATION = "genai-declaration.toml"
ASSET_DECLARATION_SUFFIX = ".genai.toml"


class DeclaredInvolvement(StrEnum):
    """What a declaration may say about involvement ("possible"/"unknown" are not statements)."""

    GENERATED = "generated"
    EDITED = "edited"
    COMPOSITE = "composite"
    NONE = "none"


def is_declaration_file(path: Path) -> bool:
    """Declaration files are not media: scanners should skip them."""
    return path.name == FOLDER_DECLARATION or path.name.endswith(ASSET_DECLARATION_SUFFIX)


def parse_declaration(path: Path) -> Declaration:
    """One declaration file on its own (no folder inheritance)."""
    return declaration_from_mapping(read_toml(path, PolicyError), source=str(path))


@dataclass(frozen=True)
class DeclarationFile:
    """A declaration file as it was read: its content hash, and its stat to tell cheaply
    that it is still the same (issue 7: a decision is only as current as its declarations)."""

    path: Path
    sha256: str
    size: int
    mtime_ns: int
    inode: int


def declaration_for(asset: Path, *, root: Path | None = None) -> Declaration | None:
    """The declaration that applies to `asset`: folder files from `root` (or the filesystem
    top) down to the asset's folder, then `<asset name>.genai.toml`, merged key by key."""
    return declaration_with_files(asset, root=root)[0]


def declaration_with_files(
    asset: Path, *, root: Path | None = None
) -> tuple[Declaration | None, tuple[DeclarationFile, ...]]:
    """declaration_for, with the files it was made of as they were read."""
    merged: dict[str, Any] = {}
    read = []
    for path in declaration_files(asset, root=root):
        data, file = read_declaration_file(path)
        merged.update(_fields(Table(data, str(path), error_type=PolicyError)))
        read.append(file)
    if not read:
        return None, ()
    return Declaration(**merged, sources=tuple(str(f.path) for f in read)), tuple(read)


def read_declaration_file(path: Path) -> tuple[dict[str, Any], DeclarationFile]:
    """The parsed TOML table of one declaration file, and the file as read. An unreadable
    or malformed file raises PolicyError naming it."""
    file, content = _load(path)
    return _parse(path, content), file


def check_declaration_file(path: Path) -> tuple[DeclarationFile, str | None]:
    """One declaration file as read, and what is wrong with it (None: a valid declaration).
    PolicyError only when it cannot be read at all."""
    file, content = _load(path)
    try:
        declaration_from_mapping(_parse(path, content), source=str(path))
    except PolicyError as exc:
        return file, str(exc)
    return file, None


def _load(path: Path) -> tuple[DeclarationFile, bytes]:
    # Stat before reading: a change after the stat shows as a different stat later, never
    # as the stat of what was read.
    try:
        info = path.stat()
    except OSError as exc:
        raise PolicyError(str(path), "", f"cannot be read: {exc.strerror or exc}") from exc
    content = read_capped(path, PolicyError)  # a huge file is refused, never read whole
    sha256 = hashlib.sha256(content).hexdigest()
    return DeclarationFile(path, sha256, info.st_size, info.st_mtime_ns, info.st_ino), content


def _parse(path: Path, content: bytes) -> dict[str, Any]:
    return parse_toml(content, str(path), PolicyError)


def declaration_files(asset: Path, *, root: Path | None = None) -> list[Path]:
    """Declaration files that apply to `asset`, outermost first."""
    folders = [asset.parent, *asset.parent.parents]
    if root is not None and root in folders:
        folders = folders[: folders.index(root) + 1]
    candidates = [d / FOLDER_DECLARATION for d in reversed(folders)]
    candidates.append(asset.with_name(asset.name + ASSET_DECLARATION_SUFFIX))
    return [c for c in candidates if is_present_file(c)]


def is_present_file(path: Path) -> bool:
    """Whether a declaration file is there. One that cannot be looked for (a folder that
    denies access) raises PolicyError: the asset is then unclassified, never judged as if
    the file were absent (issue 7, fail closed). A name too long to exist (an asset named
    near the 255-byte limit plus `.genai.toml`) cannot be there: absent (issue 10)."""
    try:
        return path.is_file()
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return False
        problem = f"cannot look for a declaration here: {exc.strerror}"
        raise PolicyError(str(path), "", problem) from exc


def declaration_from_mapping(data: Mapping[str, Any], *, source: str) -> Declaration:
    return Declaration(**_fields(Table(data, source, error_type=PolicyError)), sources=(source,))


# --- keys ------------------------------------------------------------------------------------


def _answer(t: Table, key: str) -> Answer:
    """yes / no / unsure; TOML true and false are accepted as yes and no."""
    value = t.raw(key)
    if isinstance(value, bool):
        return Answer.YES if value else Answer.NO
    return parse_choice(value, Answer, lambda problem: t.error(key, problem))


def _involvement(t: Table, key: str) -> Involvement:
    return Involvement(t.choice(key, DeclaredInvolvement).value)


def _note(t: Table, key: str) -> str:
    return str(t.text(key, ""))


def _reference(t: Table, key: str) -> str | None:
    value = str(t.text(key, "")).strip()
    return value or None


_ANSWER_KEYS = (
    "story_relevant",
    "talent_likeness",
    "personal_data",
    "third_party_ip",
    "proprietary_inputs",
    "digital_replica",
    "performance_alteration",
    "union_covered",
    "references_real_people_or_works",
    "key_creative",
    "unowned_training_data",
    "presented_as_real",  # absent: not asked (None), unlike the others (issue 7)
)
_PARSERS: dict[str, Callable[[Table, str], Any]] = {
    "tool": lambda t, k: tuple(s.strip() for s in t.texts(k, allow_single=True) if s.strip()),
    "involvement": _involvement,
    "use_case": lambda t, k: t.choice(k, UseCase),
    "prominence": lambda t, k: t.choice(k, Prominence),
    "consent_reference": _reference,
    "declared_by": _reference,
    "notes": _note,
    **{key: _answer for key in _ANSWER_KEYS},
}
_FIELD_FOR_KEY = {"tool": "tools"}  # TOML `tool` (a string or an array) -> Declaration.tools


def _fields(t: Table) -> dict[str, Any]:
    """The Declaration fields this table sets, validated; absent keys stay unset (unsure)."""
    t.reject_unknown(_PARSERS)
    return {_FIELD_FOR_KEY.get(key, key): _PARSERS[key](t, key) for key in t.data}


# --- writing (for `prov declare`) ------------------------------------------------------------


def declaration_to_toml(declaration: Declaration) -> str:
    """The declaration as TOML, listing only what differs from the all-unsure default."""
    default = Declaration()
    lines = []
    for f in fields(Declaration):
        value = getattr(declaration, f.name)
        if f.name == "sources" or value == getattr(default, f.name):
            continue
        key = "tool" if f.name == "tools" else f.name
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)
