"""A seeded dataset of cases with known report answers, for tests and the benchmark.

:func:`generate` yields plain field values of :class:`~supportdesk.cases.models.Case` rows
(the test suite saves them with ``bulk_create``, the benchmark streams them with COPY) and
tallies, as it decides each case, what every report must answer: the outcome it gave the case
(not recomputed from the fields), its state, and the viewer's days on which it opened and
closed. The same seed always gives the same cases.

Each case draws its program and severity, an opening instant in the period, a first-response
outcome and a state. Targets come from the policy core (R-16 to R-19): a case of a program or
kind without a target gets no due time. Met cases are answered between the opening and the due
time, some exactly at the due time (R-17: still met); missed ones either late by a drawn amount
or not at all with a due time before ``at``; pending ones are due after ``at``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from supportdesk.policy import get_policy
from supportdesk.policy.case_states import OPEN_STATES
from supportdesk.policy.reporting import AGE_BUCKETS, bucket_of

PROGRAMS = ("premium", "production", "basic", "trial", "free")
KINDS = ("technical", "technical", "technical", "licensing", "general_inquiry")
STATES = ("new", "in_progress", "waiting_for_customer", "waiting_for_third_party", "resolved")


@dataclass(frozen=True)
class Org:
    id: int
    region: str
    language: str
    country: str
    time_zone: str


@dataclass
class Answers:
    """What the reports must say about the generated cases, tallied while generating."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (program, outcome)
    by_severity: Counter[tuple[int, str]] = field(default_factory=Counter)
    by_region: Counter[tuple[str, str]] = field(default_factory=Counter)
    open_by_state_age: Counter[tuple[str, str]] = field(default_factory=Counter)
    arrivals: Counter[date] = field(default_factory=Counter)
    closures: Counter[date] = field(default_factory=Counter)
    exactly_at_due: int = 0
    answered_late: int = 0

    def outcome_total(self, outcome: str) -> int:
        return sum(n for (_, o), n in self.outcomes.items() if o == outcome)


def _target(program: str, severity: int, kind: str) -> int | None:
    policy = get_policy()
    if kind == "general_inquiry":
        return None
    return policy.programs[program].targets.get(severity)


def generate(
    *,
    seed: int,
    count: int,
    start: datetime,
    end: datetime,
    at: datetime,
    orgs: Sequence[Org],
    products: Sequence[int],
    opened_by: int,
    viewer_tz: ZoneInfo,
    answers: Answers | None = None,
    number_prefix: str = "R",
    settle_after: timedelta | None = None,
) -> Iterator[dict[str, Any]]:
    """``count`` cases opened in ``[start, end)``, as of ``at`` (5 days or more after ``end``).

    With ``settle_after``, cases opened longer than that before ``at`` are history, as in a
    real database: closed, and answered (late rather than never) if they had a target.
    """
    if at < end + timedelta(days=5):
        raise ValueError("at must be 5 days or more after the period: late answers are in by then")
    rng = random.Random(seed)  # noqa: S311 - a reproducible dataset, not a secret
    policy = get_policy()
    span = int((end - start).total_seconds())
    for i in range(count):
        org = orgs[rng.randrange(len(orgs))]
        program = PROGRAMS[rng.randrange(len(PROGRAMS))]
        severity = rng.randint(1, 4)
        kind = KINDS[rng.randrange(len(KINDS))]
        opened = start + timedelta(seconds=rng.randrange(span))
        settled = settle_after is not None and opened < at - settle_after
        target = _target(program, severity, kind)
        due = responded = late = None
        if target is None:
            outcome = "no_target"
            if rng.random() < 0.7:
                responded = opened + timedelta(minutes=rng.randint(1, 3000))
        else:
            due = opened + timedelta(minutes=target)
            roll = rng.random()
            if settled and roll >= 0.82:
                roll = 0.7  # long closed: answered, late
            if roll < 0.62:
                outcome = "met"
                if rng.random() < 0.05:
                    responded = due  # exactly at the due time: met
                    if answers is not None:
                        answers.exactly_at_due += 1
                else:
                    responded = opened + (due - opened) * rng.random()
            elif roll < 0.82:
                outcome = "missed"
                late = timedelta(seconds=rng.randint(1, 3 * 86400))
                responded = due + late
                if answers is not None:
                    answers.answered_late += 1
            elif roll < 0.92:
                outcome = "missed"  # unanswered, due before ``at``
                due = at - timedelta(seconds=rng.randint(1, 5 * 86400))
            else:
                outcome = "pending"  # unanswered, due after ``at``
                due = at + timedelta(seconds=rng.randint(0, 2 * 86400))
        state_roll = rng.random()
        closed = None
        if state_roll < 0.45 or settled:
            status = "closed"
            closed = opened + timedelta(seconds=rng.randint(60, 20 * 86400))
            if closed >= at:
                closed = at - timedelta(seconds=1)
        else:
            status = STATES[rng.randrange(len(STATES))]
        if answers is not None:
            answers.outcomes[(program, outcome)] += 1
            answers.by_severity[(severity, outcome)] += 1
            answers.by_region[(org.region, outcome)] += 1
            answers.arrivals[opened.astimezone(viewer_tz).date()] += 1
            if closed is not None:
                answers.closures[closed.astimezone(viewer_tz).date()] += 1
            if status in OPEN_STATES:
                age = bucket_of(AGE_BUCKETS, at - opened)
                answers.open_by_state_age[(status, age.key)] += 1
        hours = policy.programs[program].hours
        yield {
            "number": f"{number_prefix}-{seed}-{i:07d}",
            "organization_id": org.id,
            "opened_by_id": opened_by,
            "idempotency_key": "",
            "kind": kind,
            "status": status,
            "version": 1,
            "product_id": products[rng.randrange(len(products))],
            "maintenance_level": "",
            "subject": f"Generated case {i}",
            "description": "Generated for reports.",
            "contact_email": "ops@example.com",
            "preferred_contact": "email",
            "proposed_severity": severity,
            "severity": severity,
            "technical_contact_available": False,
            "round_the_clock": False,
            "program": program,
            "hours_label": hours.label,
            "target_minutes": target,
            "clock": "none" if target is None else "24x7",
            "policy_version": "generated",
            "policy_sha256": "0" * 64,
            "time_zone": org.time_zone,
            "country": org.country,
            "subdivision": "",
            "first_response_reasons": [],
            "first_response_due_at": due,
            "first_responded_at": responded,
            "first_response_late_by": late,
            "opened_at": opened,
            "updated_at": closed or opened,
            "closed_at": closed,
        }


# --- working a case: the records of the reports of supportdesk.reports.work ----------------

RESOLUTION_TYPES = (
    ("software_fix", True, False),  # (type, closes the case, lowers the severity): R-30
    ("permanent_workaround", True, False),
    ("temporary_workaround", False, True),
    ("action_plan", False, False),
    ("enhancement_needed", True, False),
    ("out_of_scope", True, False),
)
OUT_OF_SCOPE = ("installation", "configuration", "upgrade", "custom_scripts")
ATTEMPT_OUTCOMES = ("no_answer", "voicemail", "busy", "no_reply", "reached")


@dataclass(frozen=True)
class WorkCase:
    """What the work generator needs of a saved case."""

    id: int
    opened_at: datetime
    customer_language: str
    status: str
    closed_at: datetime | None


@dataclass
class WorkAnswers:
    """What the reports on working a case must say, tallied as each record is decided."""

    unreachable_closures: Counter[date] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    resolutions: Counter[str] = field(default_factory=Counter)
    resolutions_closing: Counter[str] = field(default_factory=Counter)
    resolutions_lowering: Counter[str] = field(default_factory=Counter)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    escalations: Counter[str] = field(default_factory=Counter)  # by the tier reached
    manager_requests: Counter[str] = field(default_factory=Counter)  # by state
    routing: Counter[tuple[str, str]] = field(default_factory=Counter)  # (language, outcome)


@dataclass
class WorkRecords:
    attempts: list[dict[str, Any]] = field(default_factory=list)
    resolutions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    manager_requests: list[dict[str, Any]] = field(default_factory=list)
    audit_events: list[dict[str, Any]] = field(default_factory=list)


def generate_work(
    *,
    seed: int,
    cases: Sequence[WorkCase],
    at: datetime,
    by: int,
    viewer_tz: ZoneInfo,
    answers: WorkAnswers,
) -> WorkRecords:
    """Contact attempts, resolutions, escalations, manager requests and the routing of
    ``cases``, each record made before ``at``; the tallies count the records made in any
    period (the tests choose the period that holds them all)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible dataset, not a secret
    out = WorkRecords()

    def after(start: datetime, limit: timedelta) -> datetime:
        latest = min(start + limit, at - timedelta(seconds=1))
        return start + timedelta(seconds=rng.randint(0, int((latest - start).total_seconds())))

    for case in cases:
        wanted = case.customer_language.split("-", 1)[0].lower() or "en"
        roll = rng.random()
        if roll < 0.1:
            outcome = "not_recorded"
        else:
            if wanted == "en":
                outcome, routed = "english", "en"
            elif roll < 0.65:
                outcome, routed = "in_language", wanted
            else:
                outcome, routed = "english_fallback", "en"
            out.assignments.append(
                {
                    "case_id": case.id,
                    "kind": "routed",
                    "tier": "L1",
                    "language": routed,
                    "reasons": [],
                    "at": case.opened_at,
                }
            )
        answers.routing[(wanted, outcome)] += 1
        for _ in range(rng.choice((0, 0, 0, 1, 2, 3))):
            result = ATTEMPT_OUTCOMES[rng.randrange(len(ATTEMPT_OUTCOMES))]
            made = after(case.opened_at, timedelta(days=10))
            out.attempts.append(
                {
                    "case_id": case.id,
                    "channel": "phone",
                    "outcome": result,
                    "note": "",
                    "made_by_id": by,
                    "made_at": made,
                    "logged_at": made,
                }
            )
            answers.attempts[result] += 1
        if case.closed_at is not None and rng.random() < 0.2:
            out.audit_events.append(
                {
                    "at": case.closed_at,
                    "action": "case.close_unreachable",
                    "target_type": "cases.case",
                    "target_id": str(case.id),
                    "target_repr": f"case {case.id}",
                    "changes": {},
                }
            )
            answers.unreachable_closures[case.closed_at.astimezone(viewer_tz).date()] += 1
        if rng.random() < 0.4:
            kind, closes, lowers = RESOLUTION_TYPES[rng.randrange(len(RESOLUTION_TYPES))]
            reason = (
                OUT_OF_SCOPE[rng.randrange(len(OUT_OF_SCOPE))] if kind == "out_of_scope" else ""
            )
            before = rng.randint(1, 3)
            out.resolutions.append(
                {
                    "case_id": case.id,
                    "type": kind,
                    "summary": "Generated.",
                    "out_of_scope_reason": reason,
                    "explanation": "Generated.",
                    "status_before": "in_progress",
                    "status_after": "closed" if closes else "in_progress",
                    "severity_before": before,
                    "severity_after": before + 1 if lowers else before,
                    "by_id": by,
                    "at": after(case.opened_at, timedelta(days=15)),
                }
            )
            answers.resolutions[kind] += 1
            answers.resolutions_closing[kind] += closes
            answers.resolutions_lowering[kind] += lowers
            if reason:
                answers.out_of_scope[reason] += 1
        if rng.random() < 0.15:
            tiers = ("L2", "L3") if rng.random() < 0.3 else ("L2",)
            for tier in tiers:
                out.assignments.append(
                    {
                        "case_id": case.id,
                        "kind": "escalated",
                        "tier": tier,
                        "language": "en",
                        "reasons": [],
                        "at": after(case.opened_at, timedelta(days=5)),
                    }
                )
                answers.escalations[tier] += 1
        if rng.random() < 0.1:
            answered = rng.random() < 0.6
            asked = after(case.opened_at, timedelta(days=5))
            out.manager_requests.append(
                {
                    "case_id": case.id,
                    "reason": "Generated.",
                    "requested_by_id": by,
                    "requested_at": asked,
                    "status": "answered" if answered else "open",
                    "answered_by_id": by if answered else None,
                    "answered_at": asked + timedelta(hours=1) if answered else None,
                }
            )
            answers.manager_requests["answered" if answered else "open"] += 1
    return out
