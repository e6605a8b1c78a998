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
