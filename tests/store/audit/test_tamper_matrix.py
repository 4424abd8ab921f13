"""Every kind of SQL tamper that could change a gate answer is caught (issue 7).

One delivery is catalogued the way prov writes it (scan, approvals, a rejection, a rewrite, a
deletion, a move, a declaration). Then, one at a time and each rolled back, an insider's SQL
UPDATE / DELETE / INSERT: either `prov audit verify` (chain + rows) fails, or `prov check`
(with and without PATH, at both thresholds) gives exactly the answer it gave before.
SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from provenance.analyze import Analyzer
from provenance.c2pa_io import action
from provenance.policy import Outcome, load_policy
from store.audit.chain import verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import Catalog
from store.catalog.models import PathEntry, Version
from store.catalog.paths import get_path, path_key
from store.ingest import ingest_path
from store.policy.approvals import record_decision
from store.policy.declarations import record_declaration
from store.policy.gate import gate, gated_count, stale_files
from store.watch.changes import mark_gone, record_move
from tests.conftest import SignJpeg, write_jpeg

GENERATED = [action("c2pa.created", digital_source_type="trainedAlgorithmicMedia")]


@dataclass
class Delivery:
    root: Path
    paths: dict[str, int]  # name -> paths.id
    versions: dict[str, list[int]]  # name -> version ids, oldest first
    disk: dict[str, os.stat_result]  # name -> stat of the file on disk now


def _decide(catalog: Catalog, path: Path, decision: str) -> None:
    with catalog.transaction() as session:
        entry = get_path(session, path_key(path))
        assert entry is not None and entry.current_version is not None
        record_decision(
            session,
            entry,
            entry.current_version,
            decision=decision,
            by="Legal",
            ref=f"LEGAL-{decision}",
            policy=load_policy(),
        )


def _build(catalog: Catalog, sign_jpeg: SignJpeg, tmp_path: Path) -> Delivery:
    root = tmp_path / "delivery"
    root.mkdir()
    analyzer = Analyzer()

    def place(name: str, color: tuple[int, int, int], generated: bool = True) -> Path:
        made = sign_jpeg(name, actions=GENERATED if generated else None, color=color)
        return Path(shutil.move(made, root / name))

    files = {
        "pending": place("pending.jpg", (200, 0, 0)),
        "approved": place("approved.jpg", (0, 200, 0)),
        "rejected": place("rejected.jpg", (0, 0, 200)),
        "camera": place("camera.jpg", (9, 9, 9), generated=False),
        "rewritten": place("rewritten.jpg", (50, 50, 0)),
        "gone": place("gone.jpg", (0, 50, 50)),
        "moved": place("moved.jpg", (50, 0, 50)),
        "stale": write_jpeg(root / "stale.jpg", (1, 2, 3)),
    }
    for path in files.values():
        ingest_path(path, catalog=catalog, analyzer=analyzer)
    _decide(catalog, files["approved"], "approve")
    _decide(catalog, files["rejected"], "reject")
    _decide(catalog, files["rewritten"], "approve")  # v1 approved ...
    rewritten = sign_jpeg("rewritten.jpg", actions=GENERATED, color=(60, 60, 60))
    shutil.move(rewritten, files["rewritten"])
    ingest_path(files["rewritten"], catalog=catalog, analyzer=analyzer)  # ... v2 is not
    files["gone"].unlink()
    mark_gone(files["gone"], catalog=catalog)
    target = root / "moved_here.jpg"
    files["moved"].rename(target)
    record_move(files["moved"], target, catalog=catalog, analyzer=analyzer)
    files["moved_here"] = target
    with catalog.transaction() as session:
        record_declaration(
            session,
            path_key(files["pending"]),
            {"tool": ["Adobe Firefly"]},
            is_folder=False,
            declared_by="vendor",
        )
    write_jpeg(files["stale"], (3, 2, 1))  # changed on disk after it was catalogued
    return _ids(catalog, root, files)


def _ids(catalog: Catalog, root: Path, files: dict[str, Path]) -> Delivery:
    with catalog.session() as session:
        paths, versions = {}, {}
        for name, path in files.items():
            entry = get_path(session, path_key(path))
            assert entry is not None
            paths[name] = entry.id
            query = select(Version.id).where(Version.path_id == entry.id).order_by(Version.seq)
            versions[name] = list(session.scalars(query))
    disk = {name: os.stat(path) for name, path in files.items() if path.exists()}
    return Delivery(root, paths, versions, disk)


def _answer(session: Session, root: Path) -> list[Any]:
    """What `prov check` and `prov check ROOT` say, at both thresholds."""
    answers = []
    for threshold in (Outcome.ESCALATE, Outcome.APPROVAL_REQUIRED):
        for paths in (None, [path_key(root)]):
            findings = stale_files(session, [root]) if paths else []
            findings += gate(session, threshold, paths)
            shown = sorted((f.path, f.reason, f.outcome, f.approval) for f in findings)
            answers.append((shown, gated_count(session, paths) > 0))
    return answers


def _verifies(session: Session) -> bool:
    return verify_chain(session).ok and not check_rows_against_log(session)


Tamper = Callable[[Delivery], list[str]]


def _p(name: str, sql: str) -> Tamper:
    return lambda d: [sql.format(id=d.paths[name], v=d.versions[name], **_common(d))]


def _common(d: Delivery) -> dict[str, Any]:
    return {
        "pending_v": d.versions["pending"][-1],
        "rejected_v": d.versions["rejected"][-1],
        "old_v": d.versions["rewritten"][0],
        "new_v": d.versions["rewritten"][-1],
        "camera_v": d.versions["camera"][-1],
    }


def _fingerprint_of_disk(d: Delivery) -> list[str]:
    info = d.disk["stale"]
    return [
        f"UPDATE paths SET size = {info.st_size}, mtime_ns = {info.st_mtime_ns}, "
        f"inode = {info.st_ino} WHERE id = {d.paths['stale']}"
    ]


def _delete_path(name: str) -> Tamper:
    def statements(d: Delivery) -> list[str]:
        versions = ", ".join(map(str, d.versions[name]))
        return [
            f"UPDATE paths SET current_version_id = NULL WHERE id = {d.paths[name]}",
            f"DELETE FROM decisions WHERE version_id IN ({versions})",
            f"DELETE FROM classifications WHERE version_id IN ({versions})",
            f"DELETE FROM versions WHERE id IN ({versions})",
            f"DELETE FROM paths WHERE id = {d.paths[name]}",
        ]

    return statements


def _insert_passing_file(d: Delivery) -> list[str]:
    fake = path_key(d.root / "fake.jpg")
    return [
        "INSERT INTO paths (id, path, kind, first_seen, last_seen) VALUES "
        f"(9001, '{fake}', 'asset', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO versions (id, path_id, seq, recorded_at, status, cred_present, "
        "failure_codes, informational_codes, manifest_count, ingredient_count, involvement, "
        "ai_evidence) VALUES (9001, 9001, 1, CURRENT_TIMESTAMP, 'ok', false, '[]', '[]', "
        "0, 0, 'none', '[]')",
        "UPDATE paths SET current_version_id = 9001 WHERE id = 9001",
        "INSERT INTO classifications (version_id, outcome, unverified, rules, policy_id, "
        "policy_version, created_at) VALUES (9001, 'none', false, '[]', 'p', '1', "
        "CURRENT_TIMESTAMP)",
    ]


TAMPERS: dict[str, Tamper] = {
    # paths: what takes a file in or out of the gate
    "paths.kind sidecar": _p("pending", "UPDATE paths SET kind = 'sidecar' WHERE id = {id}"),
    "paths.kind orphan": _p("pending", "UPDATE paths SET kind = 'orphan_sidecar' WHERE id = {id}"),
    "paths.current back to approved": _p(
        "rewritten", "UPDATE paths SET current_version_id = {old_v} WHERE id = {id}"
    ),
    "paths.current null": _p(
        "pending", "UPDATE paths SET current_version_id = NULL WHERE id = {id}"
    ),
    "paths.missing_since set": _p(
        "pending", "UPDATE paths SET missing_since = CURRENT_TIMESTAMP WHERE id = {id}"
    ),
    "paths.missing_since cleared": _p(
        "gone", "UPDATE paths SET missing_since = NULL WHERE id = {id}"
    ),
    "paths.moved_to set": _p("pending", "UPDATE paths SET moved_to = '/elsewhere' WHERE id = {id}"),
    "paths.moved_to cleared": _p("moved", "UPDATE paths SET moved_to = NULL WHERE id = {id}"),
    "paths.path renamed": _p(
        "pending", "UPDATE paths SET path = '/elsewhere/x.jpg' WHERE id = {id}"
    ),
    "paths.fingerprint of a changed file": _fingerprint_of_disk,
    "paths.size": _p("camera", "UPDATE paths SET size = 1 WHERE id = {id}"),
    "paths row deleted": _delete_path("pending"),
    "paths row inserted": _insert_passing_file,
    # versions
    "versions.status": _p(
        "pending", "UPDATE versions SET status = 'invalid' WHERE id = {pending_v}"
    ),
    "versions.involvement": _p(
        "pending", "UPDATE versions SET involvement = 'none' WHERE id = {pending_v}"
    ),
    "versions.validation_state": _p(
        "pending", "UPDATE versions SET validation_state = 'Trusted' WHERE id = {pending_v}"
    ),
    "versions.sha256": _p("pending", "UPDATE versions SET sha256 = 'ab' WHERE id = {pending_v}"),
    # what `prov classify` judges a version by again: an edit would launder into a new,
    # logged classification
    "versions.ai_evidence": _p(
        "pending", "UPDATE versions SET ai_evidence = '[]' WHERE id = {pending_v}"
    ),
    "versions.tool_names": _p(
        "pending", "UPDATE versions SET tool_names = '[\"Midjourney\"]' WHERE id = {pending_v}"
    ),
    "versions.seq": _p("pending", "UPDATE versions SET seq = 7 WHERE id = {pending_v}"),
    "versions.path_id": lambda d: [
        f"UPDATE versions SET path_id = {d.paths['camera']}, seq = 99 "
        f"WHERE id = {d.versions['pending'][-1]}"
    ],
    "versions newest deleted": lambda d: [
        f"UPDATE paths SET current_version_id = {d.versions['rewritten'][0]} "
        f"WHERE id = {d.paths['rewritten']}",
        f"DELETE FROM classifications WHERE version_id = {d.versions['rewritten'][-1]}",
        f"DELETE FROM versions WHERE id = {d.versions['rewritten'][-1]}",
    ],
    # classifications
    "classifications.outcome none": _p(
        "pending", "UPDATE classifications SET outcome = 'none' WHERE version_id = {pending_v}"
    ),
    "classifications.outcome null": _p(
        "camera", "UPDATE classifications SET outcome = NULL WHERE version_id = {camera_v}"
    ),
    "classifications.rules": _p(
        "pending", "UPDATE classifications SET rules = '[]' WHERE version_id = {pending_v}"
    ),
    "classifications deleted": _p(
        "pending", "DELETE FROM classifications WHERE version_id = {pending_v}"
    ),
    "classifications inserted": _p(
        "pending",
        "INSERT INTO classifications (version_id, outcome, unverified, rules, policy_id, "
        "policy_version, created_at) VALUES ({pending_v}, 'none', false, '[]', 'p', '1', "
        "CURRENT_TIMESTAMP)",
    ),
    # decisions
    "decisions.decision": _p(
        "rejected", "UPDATE decisions SET decision = 'approve' WHERE version_id = {rejected_v}"
    ),
    "decisions.version_id": _p(
        "rewritten", "UPDATE decisions SET version_id = {new_v} WHERE version_id = {old_v}"
    ),
    "decisions.rule_id": _p(
        "approved", "UPDATE decisions SET rule_id = 'AA-FINAL' WHERE version_id = {v[0]}"
    ),
    "decisions deleted": _p("rejected", "DELETE FROM decisions WHERE version_id = {rejected_v}"),
    "decisions inserted": _p(
        "pending",
        "INSERT INTO decisions (version_id, decision, decided_by, reference, created_at) "
        "VALUES ({pending_v}, 'approve', 'forger', 'none', CURRENT_TIMESTAMP)",
    ),
    # declarations
    "declarations.fields": lambda d: ["UPDATE declarations SET fields = '{}'"],
    "declarations deleted": lambda d: ["DELETE FROM declarations"],
    "declarations inserted": lambda d: [
        "INSERT INTO declarations (path, is_folder, fields, created_at) VALUES "
        f"('{path_key(d.root)}', true, '{{}}', CURRENT_TIMESTAMP)"
    ],
    # events
    "events newest deleted": lambda d: [
        "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"
    ],
    "events middle deleted": lambda d: ["DELETE FROM events WHERE seq = 3"],
    "events.payload": lambda d: ["UPDATE events SET target = '/x' WHERE seq = 2"],
    "events.kind": lambda d: ["UPDATE events SET kind = 'declare' WHERE seq = 1"],
    "events inserted": lambda d: [
        "INSERT INTO events (seq, created_at, kind, target, payload, prev_hash, hash) "
        "SELECT max(seq) + 1, CURRENT_TIMESTAMP, 'approve', '/x', '{}', 'x', 'y' FROM events"
    ],
}


def test_every_gate_changing_tamper_is_caught(
    catalog: Catalog, sign_jpeg: SignJpeg, tmp_path: Path
) -> None:
    delivery = _build(catalog, sign_jpeg, tmp_path)
    with catalog.session() as session:
        assert _verifies(session)
        before = _answer(session, delivery.root)
    assert before[0][0] and before[1][0]  # at escalate the gate blocks: something to hide
    uncaught, caught = [], 0
    for name, tamper in TAMPERS.items():
        with catalog.engine.connect() as connection:
            transaction = connection.begin()
            for statement in tamper(delivery):
                connection.execute(text(statement))
            with Session(bind=connection) as session:
                if _verifies(session):
                    if _answer(session, delivery.root) != before:
                        uncaught.append(name)
                else:
                    caught += 1
            transaction.rollback()
    assert uncaught == []
    assert caught == len(TAMPERS)  # even those that leave today's answer alone


def test_legacy_path_rows_must_point_at_their_newest_version(
    catalog: Catalog, sign_jpeg: SignJpeg, tmp_path: Path, monkeypatch: Any
) -> None:
    # A catalog from before path rows were logged: ingest events without `path_row`.
    import store.policy.classify as policy_store

    original = policy_store.ingest_payload

    def old_payload(version: Version, action: str, entry: PathEntry) -> dict[str, Any]:
        payload = original(version, action, entry)
        payload.pop("path_row")
        return payload

    monkeypatch.setattr(policy_store, "ingest_payload", old_payload)
    path = sign_jpeg("old.jpg", actions=GENERATED)
    ingest_path(path, catalog=catalog, analyzer=Analyzer())
    with catalog.session() as session:
        assert _verifies(session)  # an old catalog still verifies
    with catalog.engine.begin() as connection:
        connection.execute(text("UPDATE paths SET current_version_id = NULL"))
    with catalog.session() as session:
        assert check_rows_against_log(session) == [
            "paths row 1 does not point at its newest version (edited)"
        ]
