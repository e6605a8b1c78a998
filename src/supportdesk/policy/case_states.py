"""The life of a case as an explicit state machine (R-14, R-28 to R-31, R-35).

A transition the table does not list is refused.  Each allowed transition names who may make
it: the customer side (``customer``: the organization's case or license administrators and
delegated partners), support (``engineer``: engineers, PDMs and managers) or the worker
(``system``: automatic closures).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import InputError

Actor = Literal["customer", "engineer", "system"]

STATES: tuple[str, ...] = (
    "new",
    "in_progress",
    "waiting_for_customer",
    "waiting_for_third_party",
    "resolved",
    "closed",
)

STATE_LABELS: Mapping[str, str] = {
    "new": "New",
    "in_progress": "In progress",
    "waiting_for_customer": "Waiting for customer",
    "waiting_for_third_party": "Waiting for third party",
    "resolved": "Resolved",
    "closed": "Closed",
}

#: states in which a case counts as open (backlog, contact attempts, breach warnings)
OPEN_STATES: frozenset[str] = frozenset(STATES) - {"resolved", "closed"}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actors: frozenset[str]
    why: str


def _t(source: str, target: str, actors: str, why: str) -> Transition:
    return Transition(source, target, frozenset(actors.split()), why)


TRANSITIONS: tuple[Transition, ...] = (
    _t("new", "in_progress", "engineer", "an engineer starts work on the case"),
    _t("new", "waiting_for_customer", "engineer", "the engineer needs information or logs (R-27)"),
    _t("new", "resolved", "engineer", "answered at once (R-30)"),
    _t("new", "closed", "customer engineer", "withdrawn, or out of scope of support (R-31)"),
    _t("in_progress", "waiting_for_customer", "engineer", "the engineer waits for the customer"),
    _t("in_progress", "waiting_for_third_party", "engineer", "referred to a vendor (R-35)"),
    _t("in_progress", "resolved", "engineer", "a fix or a permanent workaround (R-30)"),
    _t("in_progress", "closed", "customer engineer", "withdrawn, or out of scope (R-30, R-31)"),
    _t("waiting_for_customer", "in_progress", "customer engineer", "the customer answered"),
    _t("waiting_for_customer", "resolved", "engineer", "resolved while waiting (R-30)"),
    _t("waiting_for_customer", "closed", "customer engineer system",
       "withdrawn, resolved (R-30, R-31), or no answer after three attempts (R-29)"),
    _t("waiting_for_third_party", "in_progress", "engineer", "the third party answered (R-35)"),
    _t("waiting_for_third_party", "closed", "customer engineer",
       "withdrawn, or resolved (R-30, R-31)"),
    _t("resolved", "closed", "customer engineer system", "the resolution is confirmed"),
    _t("resolved", "in_progress", "customer engineer", "the problem is back: reopened"),
)  # fmt: skip

_TABLE: Mapping[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}


def transition(source: str, target: str, actor: Actor) -> Transition:
    """The transition from ``source`` to ``target`` if ``actor`` may make it, else
    :class:`InputError` on the ``status`` field saying what is allowed."""
    if source not in STATES:
        raise InputError("status", f"unknown state {source!r}")
    if target not in STATES:
        raise InputError("status", f"unknown state {target!r} (one of: {', '.join(STATES)})")
    found = _TABLE.get((source, target))
    if found is None:
        allowed = [t.target for t in TRANSITIONS if t.source == source and actor in t.actors]
        nexts = ", ".join(allowed) if allowed else "none"
        raise InputError(
            "status",
            f"a case cannot go from {source} to {target} "
            f"(from {source}, {actor} may go to: {nexts})",
        )
    if actor not in found.actors:
        raise InputError(
            "status", f"{actor} cannot move a case from {source} to {target}: {found.why}"
        )
    return found


def next_states(source: str, actor: Actor) -> tuple[str, ...]:
    """The states ``actor`` may move a case in ``source`` to, in table order."""
    return tuple(t.target for t in TRANSITIONS if t.source == source and actor in t.actors)
