"""Guards over the audit log (issue 7): writers refuse to add to a log that does not verify, and
`prov audit verify --expect-head` checks the log still reaches a head recorded earlier.

Reads the catalog only; the session is the caller's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.audit.chain import GENESIS_HASH, row_hash, verify_chain
from store.audit.rows import check_rows_against_log
from store.catalog.db import CatalogError
from store.catalog.models import EventRow

_HINT = "run `prov audit verify` to see what is wrong"


class AuditBroken(CatalogError):
    """The audit log does not verify, so nothing is appended to it (exit 1)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"the audit log does not verify ({problem}); nothing was written", _HINT)
        self.problem = problem


def require_intact(session: Session) -> None:
    """Raise AuditBroken unless the whole chain verifies and every audited row matches the
    event that recorded it (what `prov audit verify` checks). For the commands that record a
    decision (classify, approve, reject, declare, reported): they read the whole log."""
    report = verify_chain(session)
    if report.broken is not None:
        raise AuditBroken(f"event {report.broken.seq}: {report.broken.problem}")
    problems = check_rows_against_log(session)
    if problems:
        more = f"; {len(problems) - 1} more" if len(problems) > 1 else ""
        raise AuditBroken(problems[0] + more)


def require_head_intact(session: Session) -> None:
    """A cheap check for `scan` and `watch`, which write on every run: no entry is missing
    (seq runs 1..count), the newest entry still matches its hash and links to the one before.
    Three small queries whatever the log's size; `require_intact` reads every entry."""
    count, first, last = session.execute(
        select(func.count(), func.min(EventRow.seq), func.max(EventRow.seq))
    ).one()
    if not count:
        return
    if first != 1 or last != count:
        raise AuditBroken(f"entries are missing: {count} entries numbered {first}..{last}")
    head = session.get_one(EventRow, last)
    if row_hash(head) != head.hash:
        raise AuditBroken(f"event {last}: its content no longer matches its hash")
    before = GENESIS_HASH
    if last > 1:
        before = session.scalar(select(EventRow.hash).where(EventRow.seq == last - 1)) or ""
    if head.prev_hash != before:
        raise AuditBroken(f"event {last}: prev_hash does not match the entry before it")


# --- expected heads ---------------------------------------------------------------------------

_HEX = r"[0-9a-fA-F]{64}"
_FORMS = (
    re.compile(rf"\bhead (\d+) ({_HEX})\b"),  # the line `prov audit verify` prints
    re.compile(rf"^\s*(\d+):({_HEX})\s*$"),  # SEQ:HASH
    re.compile(rf"^\s*()({_HEX})\s*$"),  # HASH
)


@dataclass(frozen=True)
class ExpectedHead:
    seq: int | None  # None: only the hash was given
    hash: str


def parse_head(text: str) -> ExpectedHead | None:
    """HASH, SEQ:HASH, or text holding `head SEQ HASH` (a saved `prov audit verify` line)."""
    for form in _FORMS:
        match = form.search(text.strip())
        if match:
            seq = int(match.group(1)) if match.group(1) else None
            return ExpectedHead(seq, match.group(2).lower())
    return None


def head_problem(session: Session, expected: ExpectedHead, head_seq: int) -> str | None:
    """Why the log does not reach `expected` (entries cut off, or rewritten), or None."""
    if expected.seq == 0 and expected.hash == GENESIS_HASH:
        return None  # saved from an empty log: every log grew from there
    if expected.seq is None:
        found = session.scalar(select(EventRow.seq).where(EventRow.hash == expected.hash))
        if found is None:
            return (
                f"no entry has the expected head hash {expected.hash[:12]}...: entries were "
                "cut off from the end, or the head is from another catalog"
            )
        return None
    if expected.seq > head_seq:
        return (
            f"the log ends at entry {head_seq} but the expected head is entry {expected.seq}: "
            f"entries {head_seq + 1}..{expected.seq} were cut off"
        )
    stored = session.scalar(select(EventRow.hash).where(EventRow.seq == expected.seq))
    if stored != expected.hash:
        return (
            f"entry {expected.seq} has hash {(stored or '-')[:12]}..., not the expected "
            f"{expected.hash[:12]}...: the log was rewritten from there"
        )
    return None


def seq_of(session: Session, expected: ExpectedHead) -> int:
    """The seq of the entry `expected` names (it is in the log: head_problem said so)."""
    if expected.seq is not None:
        return expected.seq
    return int(session.scalar(select(EventRow.seq).where(EventRow.hash == expected.hash)) or 0)
