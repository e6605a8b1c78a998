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
