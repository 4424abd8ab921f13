"""Where the policy's rule functions register under their stable ids (rules.py,
rules_credentials.py), and what a rule function returns. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from provenance.policy.model import Answer, Outcome

if TYPE_CHECKING:
    from provenance.policy.facts import Facts


@dataclass(frozen=True)
class Finding:
    """What a rule function returns when it fires; the policy adds id and outcome."""

    reason: str
    evidence: tuple[str, ...] = ()
    answer: Answer | None = None
    # The rule's outcome is lowered to this when it is more severe: an explicit "unsure"
    # answer to an always-approval question escalates, it does not require approval.
    at_most: Outcome | None = None


Check = Callable[["Facts"], Finding | None]


@dataclass(frozen=True)
class Registered:
    check: Check
    needs_genai: bool  # only asked when genAI is involved (evidence or declaration)


CHECKS: dict[str, Registered] = {}


def rule(rule_id: str, *, needs_genai: bool = True) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        CHECKS[rule_id] = Registered(check, needs_genai)
        return check

    return register
