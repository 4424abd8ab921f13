"""The policy's rules as small pure functions, registered under their stable ids.

Each function looks at the gathered Facts and returns a Finding (plain-words reason and
evidence) when it fires; the policy data (default_policy.toml) gives each id its outcome.
The rules on failing and remote credentials (PV-INVALID, PV-INVALID-FINAL, PV-REMOTE) are in
rules_credentials.py; importing this module registers both.
"""

from __future__ import annotations

from collections.abc import Callable

from provenance.model import Involvement
from provenance.policy.facts import (
    Facts,
    ToolFinding,
    ai_evidence,
    role_evidence,
    said,
    unconfirmed,
)
from provenance.policy.model import (
    Answer,
    Declaration,
    FolderRole,
    Outcome,
    Prominence,
    UseCase,
)
from provenance.policy.registry import CHECKS, Check, Finding, Registered, rule
from provenance.policy.rules_credentials import CREDENTIAL_RULE_IDS

__all__ = ["CHECKS", "IMPLEMENTED_RULE_IDS", "Check", "Finding", "Registered", "rule"]


def _if_declared(f: Facts, field: str, what: str) -> Finding | None:
    """Fire when the declaration answers "yes" to `field` (always-approval triggers)."""
    if getattr(f.declared, field) is not Answer.YES:
        return None
    return Finding(f"the declaration says {what}", said(f, field))


# --- provenance: what the evidence says (sections 3 and 5) -----------------------------------


@rule("PV-GENAI")
def pv_genai(f: Facts) -> Finding | None:
    # Section 2: reporting intended genAI use to the Netflix contact is expected in every case.
    return Finding(f"genAI involvement ({f.involvement}) must be reported", ai_evidence(f))


@rule("PV-POSSIBLE", needs_genai=False)
def pv_possible(f: Facts) -> Finding | None:
    if f.ai.involvement is not Involvement.POSSIBLE or f.genai:
        return None
    return Finding(
        "the evidence may mean genAI was used; unsure escalates", ai_evidence(f), Answer.UNSURE
    )


@rule("PV-UNVERIFIED", needs_genai=False)
def pv_unverified(f: Facts) -> Finding | None:
    # Section 5: absence of C2PA is not absence of AI; the file stays "unknown". Credentials
    # that are present but fail, are broken or are only referenced remotely are not "no
    # credentials": PV-INVALID and PV-REMOTE say what they are (issue 7).
    if f.ai.involvement is not Involvement.UNKNOWN:
        return None
    if f.credentials is not None and f.credentials.unverifiable:
        return None
    return Finding("no content credentials or AI evidence: provenance is unverified")


@rule("PV-UNVERIFIED-FINAL", needs_genai=False)
def pv_unverified_final(f: Facts) -> Finding | None:
    if not (f.switches.escalate_unverified_in_final and f.role is FolderRole.FINAL):
        return None
    if f.ai.involvement is not Involvement.UNKNOWN:
        return None
    return Finding(
        "unverified provenance in a final-deliverable folder (policy switch "
        "escalate_unverified_in_final)",
        (role_evidence(f),),
    )


# --- guiding principles: "no" or "unsure" escalates -------------------------------------------


def _principle(answer: Answer, no: str, unsure: str, evidence: tuple[str, ...]) -> Finding | None:
    if answer is Answer.YES:
        return None
    return Finding(f"{answer}: {no if answer is Answer.NO else unsure}", evidence, answer)


@rule("GP-1")
def gp1_unowned_material(f: Facts) -> Finding | None:
    fields = ("third_party_ip", "references_real_people_or_works")
    answer = Answer.worst(getattr(f.declared, n).negated() for n in fields)
    return _principle(
        answer,
        "the declaration says the output uses third-party IP or references real people or works",
        f"{unconfirmed(f)} that the output stays clear of unowned or copyrighted material",
        said(f, *fields),
    )


@rule("GP-2")
def gp2_no_training_on_inputs(f: Facts) -> Finding | None:
    return _tool_principle(f, lambda t: t.trains_answer, lambda t: t.trains_problem)


@rule("GP-3")
def gp3_enterprise_environment(f: Facts) -> Finding | None:
    return _tool_principle(f, lambda t: t.enterprise_answer, lambda t: t.enterprise_problem)


def _tool_principle(
    f: Facts, answer_of: Callable[[ToolFinding], Answer], problem: Callable[[ToolFinding], str]
) -> Finding | None:
    # Section 2, vendors: in a multi-tool pipeline every step must meet the standard.
    if not f.tools:
        return Finding(
            "unsure: no tool is named by a declaration or the evidence",
            (f.declaration_origin,),
            Answer.UNSURE,
        )
    failing = [t for t in f.tools if answer_of(t) is not Answer.YES]
    if not failing:
        return None
    answer = Answer.worst(answer_of(t) for t in failing)
    reason = "; ".join(problem(t) for t in failing)
    return Finding(f"{answer}: {reason}", tuple(f"{t.name} via {t.via}" for t in failing), answer)


@rule("GP-4")
def gp4_temporary(f: Facts) -> Finding | None:
    if f.role is not None and f.role.is_temporary:
        return None
    answer = Answer.NO if f.role is FolderRole.FINAL else Answer.UNSURE
    unsure = (
        "work in progress may reach the final deliverables"
        if f.role is FolderRole.WIP
        else "the folder has no delivery role in the production config"
    )
    return _principle(
        answer, "genAI material is in a final-deliverable folder", unsure, (role_evidence(f),)
    )


_TALENT_FIELDS = ("talent_likeness", "digital_replica", "performance_alteration", "union_covered")


@rule("GP-5")
def gp5_talent_and_union(f: Facts) -> Finding | None:
    d = f.declared
    consented = Answer.YES if d.consent_reference else Answer.NO
    answers = (
        consented if getattr(d, n) is Answer.YES else getattr(d, n).negated()
        for n in _TALENT_FIELDS
    )
    return _principle(
        Answer.worst(answers),
        "talent performances or union-covered work are involved without a consent reference",
        f"{unconfirmed(f)} that no talent performance or union-covered work is replaced or "
        "generated without consent",
        said(f, *_TALENT_FIELDS, "consent_reference"),
    )


# --- always require written approval ---------------------------------------------------------


@rule("AA-FINAL")
def aa_final(f: Facts) -> Finding | None:
    # Section 2: anything generated in the final cut, even in the background, is flagged.
    if f.role is not FolderRole.FINAL:
        return None
    return Finding(
        "genAI material is in a final-deliverable folder", (role_evidence(f), *ai_evidence(f))
    )


@rule("AA-MISLEADING")
def aa_misleading(f: Facts) -> Finding | None:
    # Ethics: content that could be mistaken for real events, people or statements, "even if
    # intended as background" (the What Jennifer Did case). Asked in every production (issue 7):
    # an explicit yes requires approval, an explicit unsure escalates, no answer changes nothing.
    declared = f.declared.presented_as_real
    if declared is Answer.YES:
        return Finding(
            "the declaration says the genAI material could be mistaken for real events, "
            "people or statements",
            (*said(f, "presented_as_real"), *ai_evidence(f)),
        )
    kind = f.production.kind
    if kind.presented_as_real and not (f.role is not None and f.role.is_temporary):
        return Finding(
            f"genAI material in a {kind} production could be mistaken for real events",
            (f"production: {f.production.title} ({kind})", role_evidence(f), *ai_evidence(f)),
        )
    if declared is Answer.UNSURE:
        return Finding(
            "unsure: the declaration does not know whether the genAI material could be "
            "mistaken for real events, people or statements; unsure escalates",
            (*said(f, "presented_as_real"), *ai_evidence(f)),
            Answer.UNSURE,
            at_most=Outcome.ESCALATE,
        )
    return None


@rule("AA-TALENT")
def aa_talent(f: Facts) -> Finding | None:
    return _if_declared(f, "talent_likeness", "the output includes a talent's likeness")


@rule("AA-PERSONAL")
def aa_personal(f: Facts) -> Finding | None:
    return _if_declared(f, "personal_data", "personal data is involved")


@rule("AA-3PIP")
def aa_third_party_ip(f: Facts) -> Finding | None:
    return _if_declared(f, "third_party_ip", "the output includes third-party IP")


@rule("AA-DATA")
def aa_data(f: Facts) -> Finding | None:
    # Data use: studio-owned material as input, or training on uncleared material. Even
    # enterprise tools need approval for sensitive inputs.
    return _if_declared(
        f, "proprietary_inputs", "studio-owned material was put into a tool"
    ) or _if_declared(f, "unowned_training_data", "a model was trained on uncleared material")


@rule("AA-KEYCREATIVE")
def aa_key_creative(f: Facts) -> Finding | None:
    if f.declared.use_case is UseCase.KEY_CREATIVE:
        return Finding("the declared use case is a key creative element", said(f, "use_case"))
    return _if_declared(f, "key_creative", "genAI generates a key creative element")


@rule("AA-REFS")
def aa_references(f: Facts) -> Finding | None:
    return _if_declared(
        f,
        "references_real_people_or_works",
        "prompts or images reference copyrighted works, public figures or deceased people",
    )


@rule("AA-REPLICA")
def aa_replica(f: Facts) -> Finding | None:
    if f.declared.use_case is UseCase.TALENT_REPLICATION:
        return Finding("the declared use case is talent replication", said(f, "use_case"))
    return _if_declared(f, "digital_replica", "a digital replica (voice or likeness) is made")


@rule("AA-PERFORMANCE")
def aa_performance(f: Facts) -> Finding | None:
    return _if_declared(
        f,
        "performance_alteration",
        "a performance's tone, delivery or intent is significantly altered",
    )


@rule("AA-UNION")
def aa_union(f: Facts) -> Finding | None:
    return _if_declared(f, "union_covered", "union-covered work is replaced or materially affected")


# --- use-case matrix -------------------------------------------------------------------------


@rule("UC-IDEATION")
def uc_ideation(f: Facts) -> Finding | None:
    if f.declared.use_case is UseCase.IDEATION:
        return Finding("declared use: ideation only", said(f, "use_case"))
    if f.role is FolderRole.IDEATION:
        return Finding("the file is in an ideation folder", (role_evidence(f),))
    return None


def _incidental(d: Declaration) -> bool:
    return d.prominence is Prominence.INCIDENTAL and d.story_relevant is Answer.NO


@rule("UC-BACKGROUND-INCIDENTAL")
def uc_background_incidental(f: Facts) -> Finding | None:
    if f.declared.use_case is not UseCase.BACKGROUND or not _incidental(f.declared):
        return None
    return Finding(
        "an incidental background element, not story-relevant",
        said(f, "use_case", "prominence", "story_relevant"),
    )


@rule("UC-BACKGROUND-PROMINENT")
def uc_background_prominent(f: Facts) -> Finding | None:
    # Prominent props (read aloud, story-relevant) need human input and legal review.
    d = f.declared
    if d.use_case is not UseCase.BACKGROUND or _incidental(d):
        return None
    return Finding(
        f"a background element with prominence {d.prominence} and story relevance "
        f"{d.story_relevant}: only incidental, not story-relevant ones are low risk",
        said(f, "use_case", "prominence", "story_relevant"),
    )


@rule("UC-KEY-CREATIVE")
def uc_key_creative(f: Facts) -> Finding | None:
    if f.declared.use_case is UseCase.KEY_CREATIVE or f.declared.key_creative is Answer.YES:
        return Finding(
            "final character designs or key visuals", said(f, "use_case", "key_creative")
        )
    return None


@rule("UC-TALENT-REPLICATION")
def uc_talent_replication(f: Facts) -> Finding | None:
    d = f.declared
    if d.use_case is UseCase.TALENT_REPLICATION or d.digital_replica is Answer.YES:
        return Finding(
            "talent replication (re-ageing, synthetic voices)",
            said(f, "use_case", "digital_replica"),
        )
    return None


@rule("UC-TRAINING")
def uc_training(f: Facts) -> Finding | None:
    d = f.declared
    training = d.use_case is UseCase.TRAINING and d.unowned_training_data is not Answer.NO
    if training or d.unowned_training_data is Answer.YES:
        reason = f"training or fine-tuning on unowned data (declared: {d.unowned_training_data})"
        return Finding(reason, said(f, "use_case", "unowned_training_data"))
    return None


@rule("UC-PROPRIETARY")
def uc_proprietary(f: Facts) -> Finding | None:
    outside = [t for t in f.tools if t.enterprise_answer is not Answer.YES]
    if f.declared.proprietary_inputs is not Answer.YES or (f.tools and not outside):
        return None
    names = ", ".join(t.name for t in outside) or "an unnamed tool"
    return Finding(
        f"studio-owned material was used as input outside enterprise tools ({names})",
        said(f, "proprietary_inputs", "tools"),
    )


# --- declaration gaps and conflicts ----------------------------------------------------------

_OPEN_QUESTIONS = ("personal_data", "proprietary_inputs", "key_creative", "unowned_training_data")


@rule("DC-UNANSWERED")
def dc_unanswered(f: Facts) -> Finding | None:
    # Section 2: unknown answers are "unsure" and escalate (GP-1/GP-5 cover their own fields).
    open_ = [n for n in _OPEN_QUESTIONS if getattr(f.declared, n) is Answer.UNSURE]
    if not open_:
        return None
    who = "no declaration answers" if f.declaration is None else "the declaration leaves open"
    return Finding(f"{who}: {', '.join(open_)}", said(f, *open_), Answer.UNSURE)


@rule("DC-CONFLICT")
def dc_conflict(f: Facts) -> Finding | None:
    d = f.declaration
    if d is None or d.involvement is not Involvement.NONE or not f.ai.involvement.is_genai:
        return None
    return Finding(
        f"the declaration says no genAI was used, but the evidence shows {f.ai.involvement}",
        (*said(f, "involvement"), *ai_evidence(f)),
    )


# Every registered id (importing rules_credentials above registered its rules).
IMPLEMENTED_RULE_IDS: frozenset[str] = frozenset(CHECKS) | CREDENTIAL_RULE_IDS
