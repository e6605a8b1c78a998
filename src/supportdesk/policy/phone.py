"""Whether support may take a phone call (R-25, R-26)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .model import Policy


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "reasons": list(self.reasons)}


def phone_eligibility(
    policy: Policy, *, program: str | None, case_kind: str, has_case_number: bool
) -> Decision:
    """Phone support needs an existing case number (R-25), a case kind that allows the phone
    and a program that includes it (R-26).  ``program`` None means no support program."""
    if case_kind not in policy.case_kinds:
        raise InputError(
            "case_kind", f"unknown case kind {case_kind!r} (one of: {', '.join(policy.case_kinds)})"
        )
    if program is not None and program not in policy.programs:
        raise InputError(
            "program", f"unknown program {program!r} (one of: {', '.join(policy.programs)})"
        )
    refusals: list[str] = []
    if not has_case_number:
        refusals.append(
            "Phone support needs an existing case number: open the case on the web first (R-25)."
        )
    kind = policy.case_kinds[case_kind]
    if not kind.phone:
        refusals.append(f"{kind.label} cases have no phone support (R-19, R-26).")
    if program is None:
        refusals.append("No support program is in force (R-8a).")
    elif not policy.programs[program].phone:
        refusals.append(
            f"The {policy.programs[program].label} program has no phone support (R-9, R-26)."
        )
    if refusals:
        return Decision(False, tuple(refusals))
    label = policy.programs[program].label if program else ""
    reason = (
        f"{label} program, {kind.label.lower()} case with a case number: "
        "phone support available (R-25, R-26)."
    )
    return Decision(True, (reason,))


@dataclass(frozen=True)
class PhoneRoute:
    """Where a call goes (R-25, R-26): to the engineer who last worked the case if on shift,
    otherwise to the case's queue, in ``language``; or refused with the reasons."""

    allowed: bool
    target: str | None  # "engineer", "queue" or None when refused
    engineer: int | None
    queue: int | None
    language: str | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "target": self.target,
            "engineer": self.engineer,
            "queue": self.queue,
            "language": self.language,
            "reasons": list(self.reasons),
        }


def phone_route(
    policy: Policy,
    *,
    case_found: bool,
    program: str | None,
    case_kind: str | None,
    caller_is_contact: bool,
    case_language: str,
    languages_now: tuple[str, ...],
    last_engineer: int | None,
    last_engineer_on_shift: bool,
    queue: int | None,
) -> PhoneRoute:
    """Whether support takes a call about a case, and where it goes (R-25, R-26).

    ``languages_now`` are the languages L1 offers the customer at the call's instant (R-20,
    R-21); the case's language is kept when still offered, else English."""
    if not case_found:
        return PhoneRoute(
            False, None, None, None, None,
            ("Unknown case number: phone support needs an existing case; open it on the web "
             "first (R-25).",),
        )  # fmt: skip
    eligibility = phone_eligibility(
        policy, program=program or None, case_kind=case_kind or "", has_case_number=True
    )
    refusals = [] if eligibility.allowed else list(eligibility.reasons)
    if not caller_is_contact:
        refusals.append(
            "The caller's number is not a contact of the case's organization: call from a "
            "number on the case, or update the case's contact phone on the web first."
        )
    if refusals:
        return PhoneRoute(False, None, None, None, None, tuple(refusals))
    fallback = policy.languages.fallback
    language = case_language if case_language in languages_now else fallback
    reasons = [*eligibility.reasons]
    if case_language and language != case_language:
        reasons.append(f"{case_language} is not offered now: the call is taken in English (R-21).")
    if last_engineer is not None and last_engineer_on_shift:
        reasons.append("Reconnected with the engineer who last worked the case (R-25).")
        return PhoneRoute(True, "engineer", last_engineer, queue, language, tuple(reasons))
    if last_engineer is not None:
        reasons.append("The engineer who last worked the case is off shift: to the case's queue.")
    else:
        reasons.append("No engineer has worked the case yet: to the case's queue.")
    return PhoneRoute(True, "queue", None, queue, language, tuple(reasons))
