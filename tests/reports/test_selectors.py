"""The reports on a handful of hand-made cases, at the edges: exactly at the due time, due
exactly now, no target, days in the viewer's zone across a change to summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from supportdesk.cases.models import Case
from supportdesk.reports import selectors
from supportdesk.reports.selectors import Filters, Period
from tests.accounts.factories import OrganizationFactory
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
AT = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
PERIOD = Period.of_days(date(2026, 3, 7), date(2026, 3, 9), NY)  # 7 to 9 March, New York days


def _case(opened: datetime, due: datetime | None, **fields: object) -> Case:
    return CaseFactory.create(
        opened_at=opened,
        first_response_due_at=due,
        target_minutes=None if due is None else 60,
        **fields,
    )


def test_period_of_days_in_the_viewers_zone() -> None:
    assert PERIOD.start == datetime(2026, 3, 7, 5, 0, tzinfo=UTC)  # EST, UTC-5
    assert PERIOD.end == datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # EDT, UTC-4: 71 hours
    assert PERIOD.days() == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]


def test_outcomes_at_the_edges() -> None:
    opened = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    due = opened + timedelta(hours=1)
    _case(opened, due, first_responded_at=due)  # met: exactly at the due time
    _case(opened, due, first_responded_at=opened)  # met
    _case(
        opened,
        due,
        first_responded_at=due + timedelta(minutes=20),
        first_response_late_by=timedelta(minutes=20),
    )  # missed, answered late
    _case(opened, AT - timedelta(seconds=1))  # missed: unanswered, due a second ago
    _case(opened, AT)  # pending: due exactly now
    _case(opened, None, program="free", first_responded_at=due)  # no target
    _case(opened, None, kind="general_inquiry")  # no target
    _case(PERIOD.start - timedelta(seconds=1), due)  # opened before the period: not counted
    _case(PERIOD.end, due)  # opened as the period ends: not counted

    report = selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters())
    assert [(r.key, r.met, r.missed, r.pending, r.no_target) for r in report.rows] == [
        ("free", 0, 0, 0, 1),
        ("production", 2, 2, 1, 1),
    ]
    assert (report.all.total, report.all.attainment) == (7, 50.0)
    assert report.rows[0].label == "Free (Free, Community, NFR licenses)"

    d = selectors.first_response_distribution(period=PERIOD, at=AT, filters=Filters())
    assert [b.count for b in d.spare] == [1, 0, 1, 0]  # none to spare; exactly 1 h to spare
    assert [b.count for b in d.late] == [0, 1, 0, 0, 0]  # 20 min late

    b = selectors.breaches(period=PERIOD, at=AT, filters=Filters())
    assert b.total == 2
    assert [(w.late_by, w.responded_at is None) for w in b.worst] == [
        (timedelta(minutes=20), False),
        (timedelta(seconds=1), True),  # so far
    ]
    assert [x.count for x in b.by_lateness] == [1, 1, 0, 0, 0]  # 1 s so far, 20 min


def test_by_region_product_and_language_label_the_groups() -> None:
    opened = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    us = OrganizationFactory.create(region="us", language="es")
    case = _case(opened, opened + timedelta(hours=1), organization=us)
    region = selectors.sla_attainment(period=PERIOD, by="region", at=AT, filters=Filters())
    assert [(r.key, r.label, r.missed) for r in region.rows] == [("us", "United States", 1)]
    product = selectors.sla_attainment(period=PERIOD, by="product", at=AT, filters=Filters())
    assert [(r.key, r.label) for r in product.rows] == [(str(case.product_id), case.product.name)]
    language = selectors.sla_attainment(period=PERIOD, by="language", at=AT, filters=Filters())
    assert [(r.key, r.label) for r in language.rows] == [("es", "es")]
    assert (
        selectors.sla_attainment(
            period=PERIOD, by="region", at=AT, filters=Filters(region="emea")
        ).rows
        == []
    )


def test_by_queue_shown_by_name_with_the_cases_in_no_queue_apart() -> None:
    from tests.routing.factories import QueueFactory

    opened = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    due = opened + timedelta(hours=1)
    de = QueueFactory.create(name="L1 German")
    fr = QueueFactory.create(name="L1 French")
    _case(opened, due, queue=de, first_responded_at=opened)  # met
    _case(opened, due, queue=de)  # missed: unanswered, due before AT
    _case(opened, due, queue=fr, first_responded_at=due)  # met, exactly at the due time
    _case(opened, None, queue=fr, kind="general_inquiry")  # no target
    _case(opened, due, first_responded_at=opened)  # met, in no queue
    report = selectors.sla_attainment(period=PERIOD, by="queue", at=AT, filters=Filters())
    assert [
        (r.label, r.met, r.missed, r.pending, r.no_target, r.attainment) for r in report.rows
    ] == [
        ("L1 German", 1, 1, 0, 0, 50.0),
        ("L1 French", 1, 0, 0, 1, 100.0),
        ("No queue", 1, 0, 0, 0, 100.0),
    ]
    assert [r.key for r in report.rows] == [str(de.pk), str(fr.pk), "None"]
    premium = selectors.sla_attainment(
        period=PERIOD, by="queue", at=AT, filters=Filters(program="trial")
    )
    assert premium.rows == []


def test_flow_counts_new_york_days_across_the_change_to_summer_time() -> None:
    # 8 March 2026 23:30 in New York (EDT) is 9 March 03:30 UTC
    _case(datetime(2026, 3, 9, 3, 30, tzinfo=UTC), None)
    _case(datetime(2026, 3, 7, 4, 59, tzinfo=UTC), None)  # 6 March 23:59 EST: before
    _case(datetime(2026, 3, 7, 5, 0, tzinfo=UTC), None)  # 7 March 00:00 EST
    _case(
        datetime(2026, 3, 7, 6, 0, tzinfo=UTC),
        None,
        status="closed",
        closed_at=datetime(2026, 3, 10, 3, 59, tzinfo=UTC),  # 9 March 23:59 EDT
    )
    _case(
        datetime(2026, 3, 7, 6, 0, tzinfo=UTC),
        None,
        status="closed",
        closed_at=datetime(2026, 3, 10, 4, 0, tzinfo=UTC),  # 10 March 00:00 EDT: after
    )
    report = selectors.flow(period=PERIOD, filters=Filters())
    assert [(d.day.day, d.arrivals, d.closures) for d in report.days] == [
        (7, 3, 0),
        (8, 1, 0),
        (9, 0, 1),
    ]
    assert (report.arrivals, report.closures) == (4, 1)


def test_backlog_by_state_and_age() -> None:
    _case(AT - timedelta(hours=23, minutes=59), None)  # new, under a day
    _case(AT - timedelta(days=1), None)  # new, exactly a day: 1 to 3 days
    _case(AT - timedelta(days=45), None, status="waiting_for_customer")
    _case(AT - timedelta(days=2), None, status="resolved")  # not open
    _case(AT - timedelta(days=2), None, status="closed")  # not open
    _case(AT + timedelta(minutes=1), None)  # opened after ``at``: not yet there
    report = selectors.backlog(at=AT, filters=Filters())
    assert [(r.state, r.total) for r in report.rows] == [
        ("new", 2),
        ("in_progress", 0),
        ("waiting_for_customer", 1),
        ("waiting_for_third_party", 0),
    ]
    assert report.rows[0].by_age == {"lt_1d": 1, "1_3d": 1, "3_7d": 0, "7_30d": 0, "ge_30d": 0}
    assert [a.count for a in report.ages] == [1, 1, 0, 0, 1]


def test_the_not_closed_index_holds_the_open_states_and_what_the_reports_count() -> None:
    from supportdesk.policy.case_states import OPEN_STATES

    index = next(i for i in Case._meta.indexes if i.name == "cases_case_not_closed_idx")
    assert index.condition == ~Q(status="closed")
    assert "closed" not in OPEN_STATES
    assert {"opened_at", "status", "program", "first_response_due_at"} <= set(index.fields)
