"""Resolutions and their effect on a case (R-30, R-31).

R-30:
- software that fixes the problem: case closed;
- permanent business or system workaround: case closed;
- temporary workaround: case stays open, severity lowered;
- action plan for a fix or workaround, with milestones and dependencies tracked and
  communicated: severity may be lowered;
- the problem needs a customization or enhancement outside maintenance: customer informed,
  case closed.
R-31: installation, configuration and upgrades of the products, and writing or debugging
custom scripts are out of scope of support; such requests are closed with that reason.

:func:`resolution_effect` says what a resolution does to a case (its next status through the
state machine of :mod:`.case_states`, its severity), or refuses it naming the field.
Severity 1 is the highest; "lowering" a severity raises its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .case_states import transition
from .errors import InputError

SeverityRule = Literal["keep", "lower", "may_lower"]


@dataclass(frozen=True)
class ResolutionType:
    key: str
    label: str
    closes: bool
    severity: SeverityRule
    rule: str


TYPES: Mapping[str, ResolutionType] = {
    t.key: t
    for t in (
        ResolutionType("software_fix", "Software that fixes the problem", True, "keep", "R-30"),
        ResolutionType(
            "permanent_workaround", "Permanent business or system workaround", True, "keep", "R-30"
        ),
        ResolutionType("temporary_workaround", "Temporary workaround", False, "lower", "R-30"),
        ResolutionType(
            "action_plan", "Action plan for a fix or workaround", False, "may_lower", "R-30"
        ),
        ResolutionType(
            "enhancement_needed",
            "Needs a customization or enhancement outside maintenance",
            True,
            "keep",
            "R-30",
        ),
        ResolutionType("out_of_scope", "Out of scope of support", True, "keep", "R-31"),
    )
}  # fmt: skip

#: R-31: what support does not cover
OUT_OF_SCOPE: Mapping[str, str] = {
    "installation": "Installation of the products",
    "configuration": "Configuration of the products",
    "upgrade": "Upgrades of the products",
    "custom_scripts": "Writing or debugging custom scripts",
}


@dataclass(frozen=True)
class Effect:
    type: ResolutionType
    status: str  # the case's status afterwards (the same when it does not move)
    severity: int  # the case's severity afterwards
    explanation: str  # what the customer is told the resolution does


def resolution_effect(
    type_key: str,
    *,
    status: str,
    severity: int,
    new_severity: int | None = None,
    milestones: int = 0,
    out_of_scope_reason: str = "",
    lowest_severity: int = 4,
) -> Effect:
    """What a resolution of ``type_key`` does to a case in ``status`` at ``severity``.

    ``new_severity`` lowers the severity (a temporary workaround must, unless the case is at
    the lowest severity already; an action plan may; the others keep it). An action plan has at
    least one milestone; an out-of-scope close names one of :data:`OUT_OF_SCOPE`. Closing
    resolutions move the case to ``closed`` and the others take a new case ``in_progress``,
    through the state machine: a resolution of a closed case is refused."""
    kind = TYPES.get(type_key)
    if kind is None:
        raise InputError("type", f"unknown resolution {type_key!r} (one of: {', '.join(TYPES)})")
    if status == "closed":
        raise InputError("status", "the case is closed: it takes no more resolutions")
    if new_severity is not None and (
        isinstance(new_severity, bool) or not 1 <= new_severity <= lowest_severity
    ):
        raise InputError("new_severity", f"a severity from 1 to {lowest_severity}")
    after = severity
    if kind.severity == "keep":
        if new_severity is not None and new_severity != severity:
            raise InputError("new_severity", f"{kind.label} does not change the severity (R-30)")
    else:
        if new_severity is not None and new_severity <= severity:
            raise InputError(
                "new_severity",
                f"lowering Severity {severity} means a higher number, up to {lowest_severity}",
            )
        if kind.severity == "lower" and new_severity is None and severity < lowest_severity:
            raise InputError(
                "new_severity",
                "a temporary workaround lowers the severity: give the new one (R-30)",
            )
        if new_severity is not None:
            after = new_severity
    if kind.key == "action_plan" and milestones < 1:
        raise InputError(
            "milestones", "an action plan has milestones, with their dates and dependencies (R-30)"
        )
    if kind.key != "action_plan" and milestones:
        raise InputError("milestones", "only an action plan has milestones (R-30)")
    if kind.key == "out_of_scope":
        if out_of_scope_reason not in OUT_OF_SCOPE:
            raise InputError(
                "out_of_scope_reason",
                f"say what is out of scope (one of: {', '.join(OUT_OF_SCOPE)}) (R-31)",
            )
    elif out_of_scope_reason:
        raise InputError("out_of_scope_reason", "only an out-of-scope close has that reason (R-31)")
    target = "closed" if kind.closes else ("in_progress" if status == "new" else status)
    if target != status:
        transition(status, target, "engineer")
    return Effect(kind, target, after, _explain(kind, severity, after, out_of_scope_reason))


def _explain(kind: ResolutionType, before: int, after: int, reason: str) -> str:
    lowered = f" Severity {before} → {after}." if after != before else ""
    if kind.key == "out_of_scope":
        return f"{OUT_OF_SCOPE[reason]} is outside the scope of support: the case is closed (R-31)."
    if kind.key == "enhancement_needed":
        return (
            "The problem needs a customization or enhancement outside maintenance: the case is "
            "closed (R-30)."
        )
    if kind.closes:
        return f"{kind.label}: the case is closed (R-30)."
    if kind.key == "temporary_workaround":
        return f"A temporary workaround: the case stays open (R-30).{lowered}"
    return f"An action plan, its milestones tracked and communicated (R-30).{lowered}"
