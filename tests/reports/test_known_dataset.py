"""Every report over the seeded dataset (tests/reports/known.py) answers exactly what the
generator tallied while it decided each case (R-16 to R-19); and the dataset itself is pinned
by its totals, so that a change to the generator shows here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from supportdesk.policy.reporting import AGE_BUCKETS, OUTCOMES
from supportdesk.reports import selectors
from supportdesk.reports.selectors import Filters
from tests.reports.known import COUNT, Known, known_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_known(django_db_setup: None, django_db_blocker: Any) -> Iterator[Known]:
    """Saved once for the module, in a transaction rolled back at the end (the reports only
    read it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield known_dataset()
        transaction.set_rollback(True)


@pytest.fixture
def known(shared_known: Known, db: None) -> Known:
    return shared_known


def test_the_dataset_is_pinned(known: Known) -> None:
    a = known.answers
    assert sum(a.outcomes.values()) == COUNT
    assert {o: a.outcome_total(o) for o in OUTCOMES} == PINNED_OUTCOMES
    assert a.exactly_at_due == PINNED_EXACTLY_AT_DUE
    assert sum(a.open_by_state_age.values()) == PINNED_OPEN
    assert sum(a.closures.values()) == PINNED_CLOSED


def test_attainment_by_program(known: Known) -> None:
    report = selectors.sla_attainment(
        period=known.period, by="program", at=known.at, filters=Filters()
    )
    got = {(r.key, o): getattr(r, o) for r in report.rows for o in OUTCOMES}
    assert +Counter(got) == known.answers.outcomes
    assert [r.key for r in report.rows] == ["basic", "free", "premium", "production", "trial"]
    assert {o: getattr(report.all, o) for o in OUTCOMES} == PINNED_OUTCOMES
    assert report.all.total == COUNT
    met, missed = PINNED_OUTCOMES["met"], PINNED_OUTCOMES["missed"]
    assert report.all.attainment == round(100 * met / (met + missed), 1)
    free = next(r for r in report.rows if r.key == "free")
    assert (free.met, free.missed, free.pending) == (0, 0, 0)  # no target: counted apart
    assert free.attainment is None


def test_attainment_by_severity_and_region(known: Known) -> None:
    for by, tally in (("severity", known.answers.by_severity), ("region", known.answers.by_region)):
        report = selectors.sla_attainment(
            period=known.period, by=by, at=known.at, filters=Filters()
        )
        got = Counter(
            {
                (int(r.key) if by == "severity" else r.key, o): getattr(r, o)
                for r in report.rows
                for o in OUTCOMES
            }
        )
        assert +got == tally, by


def test_attainment_with_a_filter(known: Known) -> None:
    report = selectors.sla_attainment(
        period=known.period, by="severity", at=known.at, filters=Filters(program="premium")
    )
    expected = {o: known.answers.outcomes[("premium", o)] for o in OUTCOMES}
    assert {o: getattr(report.all, o) for o in OUTCOMES} == expected


def test_backlog(known: Known) -> None:
    report = selectors.backlog(at=known.at, filters=Filters())
    got = Counter({(r.state, b.key): r.by_age[b.key] for r in report.rows for b in AGE_BUCKETS})
    assert +got == known.answers.open_by_state_age
    assert [r.state for r in report.rows] == [
        "new",
        "in_progress",
        "waiting_for_customer",
        "waiting_for_third_party",
    ]
    assert sum(b.count for b in report.ages) == PINNED_OPEN


def test_flow_counts_the_viewers_days(known: Known) -> None:
    report = selectors.flow(period=known.period, filters=Filters())
    assert len(report.days) == 30
    assert report.arrivals == COUNT
    for day in report.days:
        assert day.arrivals == known.answers.arrivals[day.day], day.day
        assert day.closures == known.answers.closures[day.day], day.day
    assert report.closures == sum(known.answers.closures[d.day] for d in report.days)


def test_breaches_and_distribution(known: Known) -> None:
    b = selectors.breaches(period=known.period, at=known.at, filters=Filters())
    assert b.total == PINNED_OUTCOMES["missed"]
    assert sum(x.count for x in b.by_lateness) == b.total
    assert len(b.worst) == 50
    assert [w.late_by for w in b.worst] == sorted((w.late_by for w in b.worst), reverse=True)
    d = selectors.first_response_distribution(period=known.period, at=known.at, filters=Filters())
    assert sum(x.count for x in d.spare) == PINNED_OUTCOMES["met"]
    assert d.spare[0].count >= known.answers.exactly_at_due  # no time to spare: still met
    assert sum(x.count for x in d.late) == known.answers.answered_late == PINNED_ANSWERED_LATE


# The seeded dataset's totals, as the generator decided them (seed 8, 600 cases).
PINNED_OUTCOMES = {"met": 224, "missed": 106, "pending": 23, "no_target": 247}
PINNED_EXACTLY_AT_DUE = 12
PINNED_OPEN = 293
PINNED_CLOSED = 250
PINNED_ANSWERED_LATE = 79
